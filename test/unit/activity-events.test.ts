import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/publish-activity-event.ts';
import { activityEventFromStatus } from '../../lib/workflow/activity-events.ts';

const ARN = 'arn:aws:states:eu-west-1:111122223333:execution:Workflow:zap-42';
const base = { executionArn: ARN, executionName: 'zap-42' };
const lambdaCause = (errorType: string, errorMessage: string) => JSON.stringify({ errorType, errorMessage, trace: ['at step (file:///var/task/index.js:1:1)'] });

describe('workflow events from execution status changes', () => {
  it('announces a success with the output contract as an object a no-code tool can map', () => {
    const output = { prospectId: 'p1', noteId: 'n1', idempotencyKey: 'zap-42', warnings: [] };
    expect(activityEventFromStatus({ ...base, status: 'SUCCEEDED', output: JSON.stringify(output) })).toEqual({
      detailType: 'ProspectActivityCompleted', detail: { ...base, output },
    });
  });

  it("announces a step's failure with its error name and its message, which names the step", () => {
    const event = activityEventFromStatus({ ...base, status: 'FAILED', error: 'HiringCenter.Rejected', cause: lambdaCause('HiringCenter.Rejected', 'CreateTask: HiringCenter rejected POST /tasks (422): dueAt: must be in the future') });
    expect(event).toEqual({
      detailType: 'ProspectActivityFailed',
      detail: { ...base, status: 'FAILED', error: 'HiringCenter.Rejected', message: 'CreateTask: HiringCenter rejected POST /tasks (422): dueAt: must be in the future' },
    });
  });

  it('never quotes a cause that is not a step error (it can quote the state input), nor a contact detail', () => {
    const runtime = activityEventFromStatus({ ...base, status: 'FAILED', error: 'States.Runtime', cause: 'The JSONPath $.x could not be found in the input {"prospect":{"email":"jo@example.com"}}' });
    expect(runtime.detail).toMatchObject({ error: 'States.Runtime', message: expect.stringMatching(/execution failed; its history/) });
    expect(JSON.stringify(runtime)).not.toContain('jo@example.com');
    const leaky = activityEventFromStatus({ ...base, status: 'FAILED', error: 'HiringCenter.Rejected', cause: lambdaCause('HiringCenter.Rejected', 'UpsertProspect: Prospect jo@example.com / +1 555 010 9999 is a duplicate') });
    expect(JSON.stringify(leaky)).not.toMatch(/jo@example\.com|555 010 9999/);
  });

  it.each([
    ['TIMED_OUT', 'States.Timeout', /timed out.*Redrive it/],
    ['ABORTED', 'States.Aborted', /stopped before it finished/],
  ] as const)('announces %s as a failure that says what happened and what to do', (status, error, message) => {
    expect(activityEventFromStatus({ ...base, status })).toEqual({ detailType: 'ProspectActivityFailed', detail: { ...base, status, error, message: expect.stringMatching(message) } });
  });
});

describe('the publisher function', () => {
  const eventBridge = mockClient(EventBridgeClient);
  afterEach(() => eventBridge.reset());

  it('puts one event on the workflow bus, from the fields the rule passes', async () => {
    process.env.WORKFLOW_EVENT_BUS_NAME = 'hc-workflows';
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e1' }] });
    await handler({ ...base, status: 'TIMED_OUT' });
    const [call] = eventBridge.commandCalls(PutEventsCommand);
    const [entry] = call?.args[0].input.Entries ?? [];
    expect(entry).toMatchObject({ EventBusName: 'hc-workflows', Source: 'hiringcenter.workflows', DetailType: 'ProspectActivityFailed' });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({ executionName: 'zap-42', status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('fails (so EventBridge retries, then dead-letters) when the bus refuses the event, and on a malformed input', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] });
    await expect(handler({ ...base, status: 'ABORTED' })).rejects.toThrow(/refused the ProspectActivityFailed event: InternalFailure/);
    await expect(handler({ status: 'SUCCEEDED' })).rejects.toThrow(/not an execution status: executionArn, executionName/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
  });
});
