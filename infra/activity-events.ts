import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import type { TERMINAL_STATUSES } from '../lib/workflow/activity-events.ts';
import { WorkflowFunction } from './workflow-function.ts';

export interface ActivityEventsProps {
  /** The state machine whose executions are announced. */
  stateMachine: sfn.IStateMachine;
  /** Where ProspectActivityCompleted and ProspectActivityFailed go. */
  eventBus: events.IEventBus;
  logRetention?: RetentionDays;
}

/**
 * What leaves a "Step Functions Execution Status Change" event, per status: never `input` (contact details). One rule
 * per group, because an input transformer drops a variable whose path is missing from the event, and `output`,
 * `error` and `cause` each exist only for some statuses. Placeholders stand unquoted: EventBridge quotes a string
 * value itself, while a value placed inside quotes would not be escaped.
 */
const STATUS_RULES = {
  Completed: { statuses: ['SUCCEEDED'], fields: { output: '$.detail.output' } },
  Failed: { statuses: ['FAILED'], fields: { error: '$.detail.error', cause: '$.detail.cause' } },
  Stopped: { statuses: ['TIMED_OUT', 'ABORTED'], fields: {} },
} as const satisfies Record<string, { statuses: readonly (typeof TERMINAL_STATUSES)[number][]; fields: Record<string, string> }>;

const COMMON_FIELDS = { executionArn: '$.detail.executionArn', executionName: '$.detail.name', status: '$.detail.status' } as const;

/**
 * Announces every finished execution from Step Functions' own status-change events, so a failure is announced once,
 * when the execution really ended (FAILED, TIMED_OUT or ABORTED), and never for a workflow that a retry then completed.
 * Rules on the default bus, where Step Functions sends those events, match this state machine's terminal statuses;
 * their input transformers keep only the fields in STATUS_RULES, and a small function (functions/publish-activity-event.ts) puts
 * ProspectActivityCompleted or ProspectActivityFailed on the workflow bus, because a bus target cannot rename an event.
 */
export class ActivityEvents extends Construct {
  readonly rules: events.Rule[];
  readonly publisher: WorkflowFunction;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: ActivityEventsProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', 'the status-event targets and their publisher');
    this.publisher = new WorkflowFunction(this, 'Publisher', {
      entry: 'publish-activity-event',
      purpose: 'turns execution status changes into workflow events on the workflow bus',
      environment: { WORKFLOW_EVENT_BUS_NAME: props.eventBus.eventBusName },
      timeout: Duration.seconds(10),
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
      // EventBridge invokes it asynchronously: a publish that still fails after Lambda's own two retries lands here,
      // next to the events the rules could not hand over at all.
      deadLetters: { queue: this.deadLetterQueue },
    });
    props.eventBus.grantPutEventsTo(this.publisher);

    this.rules = Object.entries(STATUS_RULES).map(([name, { statuses, fields }]) => {
      const rule = new events.Rule(this, `${name}Rule`, {
        description: `Announces ${statuses.join(' and ')} HiringCenter workflow executions on the workflow bus.`,
        eventPattern: {
          source: ['aws.states'],
          detailType: ['Step Functions Execution Status Change'],
          detail: { stateMachineArn: [props.stateMachine.stateMachineArn], status: [...statuses] },
        },
      });
      rule.addTarget(new targets.LambdaFunction(this.publisher, {
        event: events.RuleTargetInput.fromObject(Object.fromEntries(
          Object.entries({ ...COMMON_FIELDS, ...fields }).map(([field, path]) => [field, events.EventField.fromPath(path)]),
        )),
        ...this.deadLetterQueue.targetProps,
      }));
      return rule;
    });
  }
}
