import { DescribeExecutionCommand, ExecutionAlreadyExists, ExecutionLimitExceeded, SFNClient, SFNServiceException, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createWebhookWaiterHandler } from '../../functions/webhook-waiter.ts';
import { createJsonLogger } from '../../lib/log.ts';
import { FAILURE_WITHOUT_STEP_MESSAGE } from '../../lib/webhook/answers.ts';
import type { WaiterDependencies } from '../../lib/webhook/waiter.ts';
import { quickstartInput } from '../support/harness.ts';

/* The waiter behind POST /activities/sync, against a mocked Step Functions client and a fake clock. */
const STATE_MACHINE = 'arn:aws:states:us-east-1:111122223333:stateMachine:Workflow';
const API_KEY_ID = 'a1b2c3d4e5';
const REQUEST_TIME = 1_764_496_800_000;
const sfn = mockClient(SFNClient);

let clock: number;
let logLines: string[];
let deps: WaiterDependencies;
const handler = createWebhookWaiterHandler(() => deps, 'apiKey');

beforeEach(() => {
  sfn.reset();
  clock = REQUEST_TIME;
  logLines = [];
  deps = {
    sfn: new SFNClient({ region: 'us-east-1' }),
    stateMachineArn: STATE_MACHINE,
    now: () => clock,
    sleep: async (ms) => void (clock += ms),
    logger: createJsonLogger({ level: 'debug', write: (line) => logLines.push(line) }),
  };
});

function event(headers: Record<string, string>, body: unknown = quickstartInput(), identity: Record<string, string | null> = { apiKeyId: API_KEY_ID }) {
  return {
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: { requestId: 'req-1', requestTimeEpoch: REQUEST_TIME, domainName: 'abc.execute-api.us-east-1.amazonaws.com', stage: 'v1', identity },
  };
}
const call = async (...args: Parameters<typeof event>) => {
  const result = await handler(event(...args));
  return { ...result, json: JSON.parse(result.body) as Record<string, unknown> };
};
const OUTPUT = { prospectId: 'p1', noteId: 'n1', idempotencyKey: `${API_KEY_ID}_zap-1`, warnings: [] };
const started = (startDate = new Date(REQUEST_TIME + 40)) => ({ executionArn: `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${API_KEY_ID}_zap-1`, startDate });

describe('POST /activities/sync', () => {
  it('starts the execution under the same name as POST /activities and answers 200 with the output when it finishes in time', async () => {
    sfn.on(StartExecutionCommand).resolves(started());
    sfn.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
    const answer = await call({ 'idempotency-key': 'zap-1', Prefer: 'wait=10' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({ 'Content-Type': 'application/json', 'Preference-Applied': 'wait=10' });
    expect(answer.json).toEqual({ id: `${API_KEY_ID}_zap-1`, status: 'SUCCEEDED', statusUrl: `https://abc.execute-api.us-east-1.amazonaws.com/v1/activities/${API_KEY_ID}_zap-1`, ...OUTPUT });
    const start = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(start).toEqual({ stateMachineArn: STATE_MACHINE, name: `${API_KEY_ID}_zap-1`, input: JSON.stringify(quickstartInput()) });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(3);
  });

  it('answers 202 with the status URL when the wait runs out, having waited no longer than asked', async () => {
    sfn.on(StartExecutionCommand).resolves(started());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const answer = await call({ 'Idempotency-Key': 'zap-1', prefer: 'respond-async, wait=3' });
    expect(answer.statusCode).toBe(202);
    expect(answer.json).toMatchObject({ id: `${API_KEY_ID}_zap-1`, status: 'RUNNING', statusUrl: expect.stringMatching(/\/v1\/activities\//) });
    expect(answer.json).not.toHaveProperty('duplicate');
    expect(clock - REQUEST_TIME).toBe(3000);
  });

  it('waits 25 s at most, and by default, and reads the status once with wait=0', async () => {
    sfn.on(StartExecutionCommand).resolves(started());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    expect((await call({ Prefer: 'wait=600' })).headers).toMatchObject({ 'Preference-Applied': 'wait=25' });
    expect(clock - REQUEST_TIME).toBe(25_000);
    clock = REQUEST_TIME;
    const noPreference = await call({});
    expect(noPreference.headers).not.toHaveProperty('Preference-Applied');
    expect(clock - REQUEST_TIME).toBe(25_000);
    clock = REQUEST_TIME;
    sfn.resetHistory();
    await call({ Prefer: 'wait=0' });
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('answers a repeat of a finished delivery with the first execution\'s result: 200 and its output, marked duplicate', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) });
    const answer = await call({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=5' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json).toMatchObject({ id: `${API_KEY_ID}_zap-1`, status: 'SUCCEEDED', duplicate: true, prospectId: 'p1' });
  });

  it('shows a repeat of a delivery that failed as failed: 422 when the input or records were refused, 502 otherwise', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'HiringCenter rejected POST /prospects (422): Prospect jordan@example.com exists', trace: ['at x'] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'HiringCenter.Rejected', cause });
    const rejected = await call({ 'Idempotency-Key': 'zap-1' });
    expect(rejected.statusCode).toBe(422);
    expect(rejected.json).toMatchObject({ status: 'FAILED', duplicate: true, error: 'HiringCenter.Rejected', message: 'HiringCenter rejected POST /prospects (422): Prospect [email] exists' });
    expect(rejected.body).not.toContain('trace');

    sfn.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'States.Runtime', cause: "The JSONPath '$.run' could not be found in the input '{\"email\":\"jordan@example.com\"}'" });
    const platform = await call({ 'Idempotency-Key': 'zap-1' });
    expect(platform.statusCode).toBe(502);
    expect(platform.json).toMatchObject({ error: 'States.Runtime', message: FAILURE_WITHOUT_STEP_MESSAGE });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'TIMED_OUT' });
    expect((await call({ 'Idempotency-Key': 'zap-1' })).json).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
  });

  it('marks a repeat of a still-running delivery as duplicate by its earlier start date', async () => {
    sfn.on(StartExecutionCommand).resolves(started(new Date(REQUEST_TIME - 60_000)));
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const answer = await call({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=1' });
    expect(answer.statusCode).toBe(202);
    expect(answer.json).toMatchObject({ duplicate: true, status: 'RUNNING', message: expect.stringMatching(/already accepted/) });
  });

  it('answers throttling and limits with 429 or 503 and Retry-After, never 400', async () => {
    const cases: [Error, number, string][] = [
      [new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'Rate exceeded' }), 429, '1'],
      [new ExecutionLimitExceeded({ message: 'limit', $metadata: {} }), 503, '60'],
      [new SFNServiceException({ name: 'ServiceUnavailable', $fault: 'server', $metadata: {}, message: 'down' }), 503, '5'],
      [Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }), 503, '5'],
    ];
    for (const [error, status, retryAfter] of cases) {
      sfn.reset();
      sfn.on(StartExecutionCommand).rejects(error);
      const answer = await call({ 'Idempotency-Key': 'zap-1' });
      expect(answer.statusCode).toBe(status);
      expect(answer.headers?.['Retry-After']).toBe(retryAfter);
      expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    }
  });

  it('refuses a key that cannot name an execution with a 400 that names the header and never echoes the key', async () => {
    const key = `jordan@example.com ${'x'.repeat(80)}`;
    const answer = await call({ 'Idempotency-Key': key });
    expect(answer.statusCode).toBe(400);
    expect(answer.json).toMatchObject({ error: 'IdempotencyKey.Invalid', message: expect.stringMatching(/^Idempotency-Key is too long.*69 characters.*51 bytes/) });
    expect(answer.body).not.toContain('jordan');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('keeps callers apart: the same key from two API keys starts two executions; no identity, no execution', async () => {
    sfn.on(StartExecutionCommand).resolves(started());
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    await call({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=0' });
    await call({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=0' }, quickstartInput(), { apiKeyId: 'zzzzzzzzzz' });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([`${API_KEY_ID}_zap-1`, 'zzzzzzzzzz_zap-1']);
    const anonymous = await call({ 'Idempotency-Key': 'zap-1' }, quickstartInput(), { apiKeyId: null });
    expect(anonymous.statusCode).toBe(500);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(2);
  });

  it('answers 202 with the status URL when the status cannot be read, and 400 for a body that is not a JSON object', async () => {
    sfn.on(StartExecutionCommand).resolves(started());
    sfn.on(DescribeExecutionCommand).rejects(new SFNServiceException({ name: 'ThrottlingException', $fault: 'client', $metadata: {}, message: 'slow down' }));
    expect((await call({ Prefer: 'wait=2' })).statusCode).toBe(202);
    const notObject = await call({}, '[1,2]');
    expect(notObject).toMatchObject({ statusCode: 400, json: { error: 'Input.Invalid' } });
    expect(logLines.join('\n')).not.toContain('jordan');
  });

  it('refuses an event that is not from API Gateway', async () => {
    await expect(handler({ body: 'x' })).rejects.toThrow(/not an API Gateway proxy event: requestContext/);
  });
});
