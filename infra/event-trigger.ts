import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';

/** What callers put on the bus to start a workflow; the event `detail` is the workflow input. */
export const TRIGGER_EVENT = { source: 'hiringcenter.workflows', detailType: 'ProspectActivityRequested' } as const;

export interface EventTriggerProps {
  eventBus: events.IEventBus;
  stateMachine: sfn.IStateMachine;
  source?: string;
  detailType?: string;
}

/**
 * EventBridge rule → state machine. The target receives the whole event, so the state machine can fall back to the
 * event `id` as the idempotency key: EventBridge redelivers an event with the same id, and the second execution then
 * replays instead of writing again. Undeliverable events land in an encrypted, SSL-only dead-letter queue.
 */
export class EventTrigger extends Construct {
  readonly rule: events.Rule;
  readonly deadLetterQueue: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: EventTriggerProps) {
    super(scope, id);
    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', 'the EventBridge target that starts the workflow');
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.eventBus,
      description: 'Starts the HiringCenter prospect activity workflow; the event detail is the workflow input.',
      eventPattern: { source: [props.source ?? TRIGGER_EVENT.source], detailType: [props.detailType ?? TRIGGER_EVENT.detailType] },
    });
    this.rule.addTarget(new targets.SfnStateMachine(props.stateMachine, this.deadLetterQueue.targetProps));
  }
}
