import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { ActivityEvents } from './activity-events.ts';
import { EventTrigger } from './event-trigger.ts';
import { Monitoring } from './monitoring.ts';
import { WebhookApi, type WebhookAuth } from './webhook-api.ts';
import { ProspectActivityWorkflow } from './workflow.ts';

/** Context keys read by the stack (`npx cdk deploy -c key=value`); README "Deploying" lists them. */
export interface WorkflowStackContext {
  secretArn?: string;
  secretName?: string;
  baseUrl?: string;
  defaultUserId?: string;
  eventBusName?: string;
  eventSource?: string;
  eventDetailType?: string;
  webhookAuth?: WebhookAuth;
  webhookRateLimit?: number;
  webhookBurstLimit?: number;
  webhookDailyQuota?: number;
  alarmEmail?: string;
  /** How long one execution may run, quota waits included: seconds, or a duration such as `6h` or `90m`. */
  executionTimeout?: Duration;
  apiKeyRetentionHours?: number;
}

const STRING_KEYS = ['secretArn', 'secretName', 'baseUrl', 'defaultUserId', 'eventBusName', 'eventSource', 'eventDetailType', 'alarmEmail'] as const;
const NUMBER_KEYS = ['webhookRateLimit', 'webhookBurstLimit', 'webhookDailyQuota', 'apiKeyRetentionHours'] as const;

/** The whole product: workflow, EventBridge trigger, webhook API and alarms. */
export class HiringCenterWorkflowStack extends Stack {
  readonly workflow: ProspectActivityWorkflow;
  readonly eventBus: events.IEventBus;
  readonly eventTrigger: EventTrigger;
  readonly webhook: WebhookApi;
  readonly monitoring: Monitoring;
  readonly activityEvents: ActivityEvents;

  constructor(scope: Construct, id: string, props: StackProps & { context?: WorkflowStackContext } = {}) {
    super(scope, id, props);
    const context = props.context ?? readContext(this);
    this.eventBus = context.eventBusName
      ? events.EventBus.fromEventBusName(this, 'EventBus', context.eventBusName)
      : new events.EventBus(this, 'EventBus', { description: 'HiringCenter workflow requests, and ProspectActivityCompleted / ProspectActivityFailed events' });
    this.workflow = new ProspectActivityWorkflow(this, 'Workflow', context);
    this.activityEvents = new ActivityEvents(this, 'ActivityEvents', { stateMachine: this.workflow.stateMachine, eventBus: this.eventBus });
    this.eventTrigger = new EventTrigger(this, 'EventTrigger', {
      eventBus: this.eventBus,
      stateMachine: this.workflow.stateMachine,
      ...(context.eventSource ? { source: context.eventSource } : {}),
      ...(context.eventDetailType ? { detailType: context.eventDetailType } : {}),
    });
    this.webhook = new WebhookApi(this, 'Webhook', {
      stateMachine: this.workflow.stateMachine,
      ...(context.webhookAuth ? { auth: context.webhookAuth } : {}),
      ...(context.webhookRateLimit ? { rateLimit: context.webhookRateLimit } : {}),
      ...(context.webhookBurstLimit ? { burstLimit: context.webhookBurstLimit } : {}),
      ...(context.webhookDailyQuota ? { dailyQuota: context.webhookDailyQuota } : {}),
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.workflow.stateMachine,
      functions: { ...this.workflow.functions, publishActivityEvent: this.activityEvents.publisher },
      deadLetterQueues: { TriggerDeadLetters: this.eventTrigger.deadLetterQueue, ActivityEventDeadLetters: this.activityEvents.deadLetterQueue },
      ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
    });

    new CfnOutput(this, 'WebhookUrl', { value: `${this.webhook.api.url}activities`, description: 'POST workflow inputs here' });
    if (this.webhook.apiKey) new CfnOutput(this, 'WebhookApiKeyId', { value: this.webhook.apiKey.keyId, description: 'aws apigateway get-api-key --include-value --api-key <id>' });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ApiKeySecretArn', { value: this.workflow.secret.secretArn, description: 'Put the HiringCenter API key here' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
  }
}

function readContext(scope: Construct): WorkflowStackContext {
  const context: WorkflowStackContext = {};
  for (const key of STRING_KEYS) {
    const value: unknown = scope.node.tryGetContext(key);
    if (typeof value === 'string' && value.trim() !== '') context[key] = value.trim();
  }
  for (const key of NUMBER_KEYS) {
    const value: unknown = scope.node.tryGetContext(key);
    if (value === undefined) continue;
    const number = Number(value);
    if (!Number.isFinite(number) || number <= 0) throw new Error(`context ${key} must be a positive number, got ${JSON.stringify(value)}`);
    context[key] = number;
  }
  const timeout: unknown = scope.node.tryGetContext('executionTimeout');
  if (timeout !== undefined) context.executionTimeout = parseDuration('executionTimeout', timeout);
  const auth: unknown = scope.node.tryGetContext('webhookAuth');
  if (auth !== undefined) {
    if (auth !== 'apiKey' && auth !== 'iam') throw new Error(`context webhookAuth must be "apiKey" or "iam", got ${JSON.stringify(auth)}`);
    context.webhookAuth = auth;
  }
  return context;
}

/** `21600`, `"21600"`, `"6h"`, `"90m"` or `"45s"`: what `-c executionTimeout=...` can say. */
export function parseDuration(key: string, value: unknown): Duration {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(h|m|s)?$/i.exec(text);
  const amount = match ? Number(match[1]) : Number.NaN;
  if (!match || !(amount > 0)) throw new Error(`context ${key} must be a duration such as 6h, 90m or 21600 (seconds), got ${JSON.stringify(value)}`);
  const seconds = amount * ({ h: 3600, m: 60, s: 1 }[(match[2] ?? 's').toLowerCase() as 'h' | 'm' | 's']);
  // Step Functions takes whole seconds, up to a year for a Standard execution.
  if (!Number.isInteger(seconds) || seconds > 365 * 24 * 3600) throw new Error(`context ${key} must be a whole number of seconds up to one year, got ${JSON.stringify(value)}`);
  return Duration.seconds(seconds);
}
