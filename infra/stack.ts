import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ActivityEvents } from './activity-events.ts';
import { EventTrigger } from './event-trigger.ts';
import { ProspectImport } from './prospect-import.ts';
import { OperationsDashboard } from './dashboard.ts';
import { Monitoring } from './monitoring.ts';
import { NotifyHook } from './notify-hook.ts';
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
  apiQuotaPerMinute?: number;
  apiQuotaPerHour?: number;
  apiQuotaShare?: number;
  importMaxConcurrency?: number;
  importTimeout?: Duration;
  importResultsDays?: number;
  /** https URL of a no-code catch hook told of every finished workflow (infra/notify-hook.ts). */
  notifyUrl?: string;
  /** Name of the auth header the notify hook sends (default X-Hook-Token). */
  notifyAuthHeader?: string;
  /** Complete ARN of a secret holding that header's value; default: the stack generates one. */
  notifyAuthSecretArn?: string;
}

const STRING_KEYS = [
  'secretArn', 'secretName', 'baseUrl', 'defaultUserId', 'eventBusName', 'eventSource', 'eventDetailType', 'alarmEmail',
  'notifyUrl', 'notifyAuthHeader', 'notifyAuthSecretArn',
] as const;
const NUMBER_KEYS = ['webhookRateLimit', 'webhookBurstLimit', 'webhookDailyQuota', 'apiKeyRetentionHours', 'importMaxConcurrency', 'importResultsDays', 'apiQuotaPerMinute', 'apiQuotaPerHour', 'apiQuotaShare'] as const;

/** The whole product: workflow, EventBridge trigger, webhook API and alarms. */
export class HiringCenterWorkflowStack extends Stack {
  readonly workflow: ProspectActivityWorkflow;
  readonly eventBus: events.IEventBus;
  readonly eventTrigger: EventTrigger;
  readonly webhook: WebhookApi;
  readonly monitoring: Monitoring;
  readonly activityEvents: ActivityEvents;
  readonly imports: ProspectImport;
  readonly notifyHook?: NotifyHook;
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: StackProps & { context?: WorkflowStackContext } = {}) {
    super(scope, id, props);
    const context = props.context ?? readContext(this);
    this.eventBus = context.eventBusName
      ? events.EventBus.fromEventBusName(this, 'EventBus', context.eventBusName)
      : new events.EventBus(this, 'EventBus', { description: 'HiringCenter workflow requests, and ProspectActivityCompleted / ProspectActivityFailed events' });
    // Context names a secret by ARN or name; the construct takes the secret itself, as CDK constructs do.
    const { secretArn, secretName, ...workflowContext } = context;
    const secret = secretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ApiKeySecret', secretArn)
      : secretName ? secretsmanager.Secret.fromSecretNameV2(this, 'ApiKeySecret', secretName) : undefined;
    this.workflow = new ProspectActivityWorkflow(this, 'Workflow', { ...workflowContext, ...(secret ? { secret } : {}) });
    this.activityEvents = new ActivityEvents(this, 'ActivityEvents', { stateMachine: this.workflow.stateMachine, eventBus: this.eventBus });
    this.imports = new ProspectImport(this, 'Import', {
      functions: this.workflow.functions,
      eventBus: this.eventBus,
      ...(context.importMaxConcurrency ? { maxConcurrency: context.importMaxConcurrency } : {}),
      ...(context.importTimeout ? { timeout: context.importTimeout } : {}),
      ...(context.importResultsDays ? { resultsExpiration: Duration.days(context.importResultsDays) } : {}),
    });
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
    if (context.notifyUrl) {
      this.notifyHook = new NotifyHook(this, 'NotifyHook', {
        eventBus: this.eventBus,
        url: context.notifyUrl,
        ...(context.notifyAuthHeader ? { authHeaderName: context.notifyAuthHeader } : {}),
        ...(context.notifyAuthSecretArn ? { authSecret: secretsmanager.Secret.fromSecretCompleteArn(this, 'NotifyAuthSecret', context.notifyAuthSecretArn) } : {}),
      });
      new CfnOutput(this, 'NotifyAuthSecretArn', { value: this.notifyHook.authSecret.secretArn, description: 'The notify hook\'s auth header value' });
    }
    const functions = { ...this.workflow.functions, publishActivityEvent: this.activityEvents.publisher };
    const deadLetterQueues: Record<string, sqs.IQueue> = {
      TriggerDeadLetters: this.eventTrigger.deadLetterQueue,
      ActivityEventDeadLetters: this.activityEvents.deadLetterQueue,
      ImportUploadDeadLetters: this.imports.deadLetterQueue,
      ...(this.notifyHook ? { NotifyHookDeadLetters: this.notifyHook.deadLetterQueue } : {}),
    };
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.workflow.stateMachine,
      functions,
      frontDoor: this.webhook.frontDoor.stateMachine,
      deadLetterQueues,
      ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
    });
    this.dashboard = new OperationsDashboard(this, 'Dashboard', { workflow: this.workflow.stateMachine, imports: this.imports.stateMachine, functions, deadLetterQueues });

    new CfnOutput(this, 'WebhookUrl', { value: `${this.webhook.api.url}activities`, description: 'POST workflow inputs here; add Prefer: wait=N for the output in the answer' });
    if (this.webhook.apiKey) new CfnOutput(this, 'WebhookApiKeyId', { value: this.webhook.apiKey.keyId, description: 'aws apigateway get-api-key --include-value --api-key <id>' });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'QuotaPacerTableName', { value: this.workflow.pacerTable.tableName });
    new CfnOutput(this, 'ImportBucketName', { value: this.imports.bucket.bucketName, description: 'Upload .csv or .jsonl files under imports/ to import them' });
    new CfnOutput(this, 'ImportStateMachineArn', { value: this.imports.stateMachine.stateMachineArn });
    new CfnOutput(this, 'ApiKeySecretArn', { value: this.workflow.secret.secretArn, description: 'Put the HiringCenter API key here' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });
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
  if (context.apiQuotaShare !== undefined && context.apiQuotaShare > 1) throw new Error(`context apiQuotaShare must be a fraction from 0 to 1 (the share of the key's quota these workflows may use), got ${context.apiQuotaShare}`);
  const timeout: unknown = scope.node.tryGetContext('executionTimeout');
  if (timeout !== undefined) context.executionTimeout = parseDuration('executionTimeout', timeout);
  const importTimeout: unknown = scope.node.tryGetContext('importTimeout');
  if (importTimeout !== undefined) context.importTimeout = parseDuration('importTimeout', importTimeout);
  if (context.notifyUrl !== undefined && !/^https:\/\/[^\s/]+\/?\S*$/.test(context.notifyUrl)) {
    throw new Error('context notifyUrl must be an https:// URL (EventBridge API destinations only call HTTPS), such as a Zapier catch hook URL');
  }
  if (context.notifyAuthHeader !== undefined && !/^[A-Za-z0-9-]{1,64}$/.test(context.notifyAuthHeader)) {
    throw new Error('context notifyAuthHeader must be a header name of letters, digits and "-", such as X-Hook-Token');
  }
  if ((context.notifyAuthHeader || context.notifyAuthSecretArn) && !context.notifyUrl) {
    throw new Error('context notifyAuthHeader and notifyAuthSecretArn need notifyUrl: they configure the notify hook');
  }
  const auth: unknown = scope.node.tryGetContext('webhookAuth');
  if (auth !== undefined) {
    if (auth !== 'apiKey' && auth !== 'iam') throw new Error(`context webhookAuth must be "apiKey" or "iam", got ${JSON.stringify(auth)}`);
    context.webhookAuth = auth;
  }
  return context;
}

/** `21600`, `"21600"`, `"6h"`, `"90m"` or `"45s"`: what `-c executionTimeout=...` can say. */
function parseDuration(key: string, value: unknown): Duration {
  const text = String(value).trim();
  const match = /^(\d+(?:\.\d+)?)\s*(h|m|s)?$/i.exec(text);
  const amount = match ? Number(match[1]) : Number.NaN;
  if (!match || !(amount > 0)) throw new Error(`context ${key} must be a duration such as 6h, 90m or 21600 (seconds), got ${JSON.stringify(value)}`);
  const seconds = amount * ({ h: 3600, m: 60, s: 1 }[(match[2] ?? 's').toLowerCase() as 'h' | 'm' | 's']);
  // Step Functions takes whole seconds, up to a year for a Standard execution.
  if (!Number.isInteger(seconds) || seconds > 365 * 24 * 3600) throw new Error(`context ${key} must be a whole number of seconds up to one year, got ${JSON.stringify(value)}`);
  return Duration.seconds(seconds);
}
