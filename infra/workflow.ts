import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LoggedStateMachine } from './logged-state-machine.ts';
import { Construct } from 'constructs';
import { buildStepChain, type StepFunctions } from './state-machine-definition.ts';
import { DEFAULT_QUOTA } from '../lib/pacer/index.ts';
import { DEFAULT_STEP_POLICY } from '../lib/workflow/pacing.ts';
import { PacerTable } from './pacer-table.ts';
import { WorkflowFunction } from './workflow-function.ts';

export interface ProspectActivityWorkflowProps {
  /**
   * The secret holding the HiringCenter API key (the key as plain text, or `{"apiKey": "..."}`).
   * @default a new secret, retained on stack deletion, whose value you put in after deploying
   */
  secret?: secretsmanager.ISecret;
  baseUrl?: string;
  defaultUserId?: string;
  logRetention?: RetentionDays;
  /**
   * How long one execution may run, quota waits included (context `executionTimeout`). A timed-out execution can be
   * redriven. @default 6 hours
   */
  executionTimeout?: Duration;
  /**
   * How long the API is trusted to keep an idempotency key (context `apiKeyRetentionHours`). A step that runs later than
   * this after its execution started looks for the record it may already have written before writing. @default 23
   */
  apiKeyRetentionHours?: number;
  /**
   * The API key's quota, which every step shares through the quota pacer (context `apiQuotaPerMinute`,
   * `apiQuotaPerHour`): 500 per minute and 10,000 per hour unless your HiringCenter plan says otherwise.
   */
  apiQuotaPerMinute?: number;
  apiQuotaPerHour?: number;
  /** The share of that quota these workflows may use, 0 to 1 (context `apiQuotaShare`): the key may serve other integrations too. @default 0.9 */
  apiQuotaShare?: number;
}

/** The steps' own defaults (lib/workflow/pacing.ts), so that the deployed settings and a step without them agree. */
const DEFAULT_EXECUTION_TIMEOUT = Duration.millis(DEFAULT_STEP_POLICY.executionTimeoutMs);
const DEFAULT_API_KEY_RETENTION_HOURS = DEFAULT_STEP_POLICY.keyRetentionMs / 3_600_000;

const FUNCTION_ENTRIES = {
  upsertProspect: 'upsert-prospect',
  createNote: 'create-note',
  createTask: 'create-task',
  createMeeting: 'create-meeting',
} as const satisfies Record<keyof StepFunctions, string>;

/**
 * Client timeouts are 3 s connect + 10 s headers + 10 s body, and a 401 is retried once with a re-read key, so one
 * invocation can take about 46 s in the worst case; the Lambda timeout sits above that.
 */
const FUNCTION_TIMEOUT = Duration.seconds(60);

/** The four step functions, the API-key secret they alone may read, and the Standard state machine chaining them. */
export class ProspectActivityWorkflow extends Construct {
  readonly functions: StepFunctions;
  readonly secret: secretsmanager.ISecret;
  readonly stateMachine: sfn.StateMachine;
  /** The quota pacer's shared schedule (lib/pacer): every step reserves its API request slots there. */
  readonly pacerTable: PacerTable;

  constructor(scope: Construct, id: string, props: ProspectActivityWorkflowProps = {}) {
    super(scope, id);
    this.secret = props.secret ?? new secretsmanager.Secret(this, 'ApiKey', {
      description: 'HiringCenter API key: the key as plain text, or {"apiKey":"..."}. Put the value in after deploying.',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const executionTimeout = props.executionTimeout ?? DEFAULT_EXECUTION_TIMEOUT;
    this.pacerTable = new PacerTable(this, 'QuotaPacer');
    // The steps bound their quota waits by the same timeout the state machine enforces, from this one value.
    const environment: Record<string, string> = {
      HIRINGCENTER_SECRET_ID: this.secret.secretArn,
      HIRINGCENTER_BASE_URL: props.baseUrl ?? 'https://api.hiringcenterpro.com/v2',
      WORKFLOW_EXECUTION_TIMEOUT_SECONDS: String(executionTimeout.toSeconds()),
      API_KEY_RETENTION_HOURS: String(props.apiKeyRetentionHours ?? DEFAULT_API_KEY_RETENTION_HOURS),
      PACER_TABLE_NAME: this.pacerTable.tableName,
      API_QUOTA_PER_MINUTE: String(props.apiQuotaPerMinute ?? DEFAULT_QUOTA.perMinute),
      API_QUOTA_PER_HOUR: String(props.apiQuotaPerHour ?? DEFAULT_QUOTA.perHour),
      API_QUOTA_SHARE: String(props.apiQuotaShare ?? DEFAULT_QUOTA.share),
    };
    if (props.defaultUserId) environment.HIRINGCENTER_DEFAULT_USER_ID = props.defaultUserId;

    const makeFunction = (key: keyof StepFunctions): NodejsFunction => {
      const fn = new WorkflowFunction(this, `${key[0]?.toUpperCase()}${key.slice(1)}Function`, {
        entry: FUNCTION_ENTRIES[key],
        purpose: 'one workflow step: its own log group, X-Ray, and the API-key secret',
        environment,
        timeout: FUNCTION_TIMEOUT,
        ...(props.logRetention ? { logRetention: props.logRetention } : {}),
        deadLetters: { notApplicable: 'Invoked synchronously by Step Functions, which retries and records failures; a Lambda DLQ only applies to asynchronous invocations.' },
      });
      this.secret.grantRead(fn);
      this.pacerTable.grantReserve(fn);
      return fn;
    };
    this.functions = {
      upsertProspect: makeFunction('upsertProspect'),
      createNote: makeFunction('createNote'),
      createTask: makeFunction('createTask'),
      createMeeting: makeFunction('createMeeting'),
    };

    this.stateMachine = new LoggedStateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(buildStepChain(this, this.functions)),
      timeout: executionTimeout,
      ...(props.logRetention ? { logRetention: props.logRetention } : {}),
    });
    Validations.of(this.stateMachine).acknowledge(
      ...Object.values(this.functions).map((fn) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
        reason: 'LambdaInvoke grants the function ARN and its qualified ARNs (versions/aliases) of that same function only.',
      })),
    );
    if (this.secret instanceof secretsmanager.Secret) {
      Validations.of(this.secret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason: 'Third-party API key issued in the HiringCenter UI: no automatic rotation is possible. Rotate by putting a new value; handlers re-read it after a 401 and every 5 minutes.',
      });
    }
  }
}
