import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HiringCenterWorkflowStack } from '../../infra/stack.ts';
import { activityEventFromStatus, executionStatusSchema } from '../../lib/workflow/activity-events.ts';
import { matchesPattern, renderInputTransformer } from '../support/eventbridge.ts';

/*
 * The status-change rules as synthesized, applied to Step Functions' own events: each terminal status is announced by
 * exactly one rule, the transformer's output is what the publisher accepts, and the execution input never leaves.
 */
type Rule = { EventPattern: unknown; Targets: { InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string } }[] };
let rules: Rule[];
let stateMachineRef: unknown;
let template: Template;

beforeAll(() => {
  template = Template.fromStack(new HiringCenterWorkflowStack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Events'));
  rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } })).map((rule) => rule.Properties as Rule);
  stateMachineRef = { Ref: Object.keys(template.findResources('AWS::StepFunctions::StateMachine'))[0] };
});

const INPUT = JSON.stringify({ prospect: { firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', phone: '+15551234567' } });
const statusChange = (detail: Record<string, unknown>) => ({
  version: '0', id: 'e-1', 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', account: '111122223333',
  time: '2026-12-02T10:00:00Z', region: 'eu-west-1', resources: [],
  detail: { executionArn: 'arn:aws:states:eu-west-1:111122223333:execution:W:zap-42', stateMachineArn: stateMachineRef, name: 'zap-42', input: INPUT, inputDetails: { included: true }, startDate: 1, stopDate: 2, ...detail },
});

// What Step Functions sends per status: output only on success, error and cause only on failure.
const EVENTS = {
  SUCCEEDED: { status: 'SUCCEEDED', output: JSON.stringify({ prospectId: 'p1', idempotencyKey: 'zap-42', warnings: [] }), outputDetails: { included: true } },
  FAILED: { status: 'FAILED', error: 'HiringCenter.Rejected', cause: JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'CreateTask: HiringCenter rejected POST /tasks (422): "dueAt" is in the past', trace: [] }) },
  TIMED_OUT: { status: 'TIMED_OUT' },
  ABORTED: { status: 'ABORTED' },
} as const;

describe('the status-change rules', () => {
  it.each(Object.keys(EVENTS) as (keyof typeof EVENTS)[])('turn a %s execution into exactly one workflow event, without the execution input', (status) => {
    const event = statusChange(EVENTS[status]);
    const matching = rules.filter((rule) => matchesPattern(rule.EventPattern, event));
    expect(matching).toHaveLength(1);
    const rendered = renderInputTransformer(matching[0]?.Targets[0]?.InputTransformer ?? { InputPathsMap: {}, InputTemplate: '{}' }, event);
    expect(JSON.stringify(rendered)).not.toMatch(/jordan\.miller@example\.com|5551234567|"input"/);
    const parsed = executionStatusSchema.safeParse(rendered);
    expect(parsed.success).toBe(true);
    const announced = activityEventFromStatus(parsed.data ?? (rendered as never));
    expect(announced.detailType).toBe(status === 'SUCCEEDED' ? 'ProspectActivityCompleted' : 'ProspectActivityFailed');
    if (status === 'SUCCEEDED') expect(announced.detail).toMatchObject({ output: { prospectId: 'p1' } });
    if (status === 'FAILED') expect(announced.detail).toMatchObject({ error: 'HiringCenter.Rejected', message: 'CreateTask: HiringCenter rejected POST /tasks (422): "dueAt" is in the past' });
  });

  it('ignore running executions and other state machines', () => {
    expect(rules.filter((rule) => matchesPattern(rule.EventPattern, statusChange({ status: 'RUNNING' })))).toEqual([]);
    const other = statusChange(EVENTS.FAILED);
    other.detail.stateMachineArn = { Ref: 'SomeOtherMachine' };
    expect(rules.filter((rule) => matchesPattern(rule.EventPattern, other))).toEqual([]);
  });
});

describe('the publisher', () => {
  it('keeps a publish that failed all of Lambda\'s asynchronous retries in the dead-letter queue the rules use', () => {
    type Target = { Arn: unknown; DeadLetterConfig?: { Arn: unknown } };
    const targetsOfRules = rules.flatMap((rule) => rule.Targets as unknown as Target[]);
    const ruleQueue = targetsOfRules[0]?.DeadLetterConfig?.Arn;
    expect(ruleQueue).toBeDefined();
    for (const target of targetsOfRules) expect(target.DeadLetterConfig?.Arn).toEqual(ruleQueue);
    const [publisherId] = JSON.stringify(targetsOfRules[0]?.Arn).match(/ActivityEventsPublisher[0-9A-F]{8}/) ?? [];
    expect(publisherId).toBeDefined();
    const publisher = template.findResources('AWS::Lambda::Function')[publisherId ?? ''];
    expect(publisher?.Properties.DeadLetterConfig).toEqual({ TargetArn: ruleQueue });
  });
});
