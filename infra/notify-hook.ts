import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { ACTIVITY_EVENT_SOURCE, ActivityEventType } from '../lib/workflow/activity-events.ts';

/** The notify hook forwards the workflow's own two events (lib/workflow/activity-events.ts). */
const NOTIFIED_EVENT_TYPES = [ActivityEventType.completed, ActivityEventType.failed] as const;
export type NotifiedEventType = (typeof NOTIFIED_EVENT_TYPES)[number];

const DEFAULT_NOTIFY_AUTH_HEADER = 'X-Hook-Token';

/**
 * What a catch hook receives for each event type: fixed fields plus fields read from the event, one level deep so
 * Zapier, Make and n8n map them directly (`output` holds the output contract: prospectId, noteId, …). Only paths that
 * every event of that type carries: EventBridge drops a delivery whose input-transformer path is missing.
 */
const NOTIFY_PAYLOADS: Record<NotifiedEventType, { fixed: Record<string, string>; paths: Record<string, string> }> = {
  ProspectActivityCompleted: {
    fixed: { event: 'ProspectActivityCompleted', status: 'SUCCEEDED' },
    paths: { id: '$.detail.executionName', executionArn: '$.detail.executionArn', output: '$.detail.output', eventId: '$.id', time: '$.time' },
  },
  ProspectActivityFailed: {
    fixed: { event: 'ProspectActivityFailed' },
    paths: {
      id: '$.detail.executionName', executionArn: '$.detail.executionArn', status: '$.detail.status', error: '$.detail.error',
      message: '$.detail.message', eventId: '$.id', time: '$.time',
    },
  },
};

export interface NotifyHookProps {
  /** The workflow bus, where ProspectActivityCompleted / ProspectActivityFailed arrive. */
  eventBus: events.IEventBus;
  /** The catch hook's https URL (Zapier "Catch Hook", Make "Custom webhook", n8n "Webhook" node). */
  url: string;
  /** @default X-Hook-Token */
  authHeaderName?: string;
  /** The header's value (plain text). @default a generated secret, whose ARN the stack outputs */
  authSecret?: secretsmanager.ISecret;
  /** @default hiringcenter.workflows */
  source?: string;
  /** @default 10 */
  rateLimitPerSecond?: number;
}

/**
 * Tells a no-code tool when an accepted workflow finished: an EventBridge API destination (a connection that sends the
 * auth header) with one rule per event type, whose input transformer turns the event into flat JSON. EventBridge
 * retries for 24 h (185 attempts); what it cannot deliver lands in an encrypted, SSL-only dead-letter queue.
 */
export class NotifyHook extends Construct {
  readonly destination: events.ApiDestination;
  readonly authSecret: secretsmanager.ISecret;
  readonly deadLetterQueue: DeadLetterQueue;
  readonly rules: events.Rule[] = [];

  constructor(scope: Construct, id: string, props: NotifyHookProps) {
    super(scope, id);
    this.authSecret = props.authSecret ?? new secretsmanager.Secret(this, 'AuthValue', {
      description: 'Value of the auth header the notify hook sends; check it in the catch hook (n8n Header Auth, a Make filter).',
      generateSecretString: { excludePunctuation: true, passwordLength: 40 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (this.authSecret instanceof secretsmanager.Secret) {
      Validations.of(this.authSecret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason: 'A shared header value the catch hook compares against: rotating it means changing the no-code tool too, so it is rotated by hand (put a new value, redeploy).',
      });
    }
    // The connection keeps its own copy of the value (EventBridge stores it in a secret it manages), read at deploy time.
    const connection = new events.Connection(this, 'Connection', {
      description: 'Auth header for the HiringCenter workflow notify hook',
      authorization: events.Authorization.apiKey(props.authHeaderName ?? DEFAULT_NOTIFY_AUTH_HEADER, this.authSecret.secretValue),
    });
    this.destination = new events.ApiDestination(this, 'Destination', {
      description: 'Catch hook told when a HiringCenter workflow completes or fails',
      connection,
      endpoint: props.url,
      httpMethod: events.HttpMethod.POST,
      rateLimitPerSecond: props.rateLimitPerSecond ?? 10,
    });

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', 'the notify hook target');

    for (const detailType of NOTIFIED_EVENT_TYPES) {
      const { fixed, paths } = NOTIFY_PAYLOADS[detailType];
      this.rules.push(new events.Rule(this, `${detailType}Rule`, {
        eventBus: props.eventBus,
        description: `Forwards ${detailType} to the notify hook as flat JSON.`,
        eventPattern: { source: [props.source ?? ACTIVITY_EVENT_SOURCE], detailType: [detailType] },
        targets: [new targets.ApiDestination(this.destination, {
          event: events.RuleTargetInput.fromObject({
            ...fixed,
            ...Object.fromEntries(Object.entries(paths).map(([field, path]) => [field, events.EventField.fromPath(path)])),
          }),
          ...this.deadLetterQueue.targetProps,
        })],
      }));
    }
  }
}
