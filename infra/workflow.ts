import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { LAMBDA_BUNDLING, LAMBDA_RUNTIME_ENVIRONMENT } from './bundling.ts';
import { buildWorkflowDefinition, type DefinitionOptions, type StepFunctions } from './state-machine-definition.ts';

export interface ProspectActivityWorkflowProps {
  /** Import the API-key secret instead of creating one: a full ARN, or a name. */
  secretArn?: string;
  secretName?: string;
  baseUrl?: string;
  defaultUserId?: string;
  logRetention?: RetentionDays;
  definition?: DefinitionOptions;
}

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

  constructor(scope: Construct, id: string, props: ProspectActivityWorkflowProps = {}) {
    super(scope, id);
    this.secret = props.secretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ApiKey', props.secretArn)
      : props.secretName
        ? secretsmanager.Secret.fromSecretNameV2(this, 'ApiKey', props.secretName)
        : new secretsmanager.Secret(this, 'ApiKey', {
          description: 'HiringCenter API key: the key as plain text, or {"apiKey":"..."}. Put the value in after deploying.',
          removalPolicy: RemovalPolicy.RETAIN,
        });

    const environment: Record<string, string> = {
      HIRINGCENTER_SECRET_ID: this.secret.secretArn,
      HIRINGCENTER_BASE_URL: props.baseUrl ?? 'https://api.hiringcenterpro.com/v2',
      ...LAMBDA_RUNTIME_ENVIRONMENT,
    };
    if (props.defaultUserId) environment.HIRINGCENTER_DEFAULT_USER_ID = props.defaultUserId;

    const makeFunction = (key: keyof StepFunctions): NodejsFunction => {
      const name = FUNCTION_ENTRIES[key];
      const id = `${key[0]?.toUpperCase()}${key.slice(1)}`;
      const logGroup = new LogGroup(this, `${id}Logs`, { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
      // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every log group.
      const role = new iam.Role(this, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `HiringCenter workflow step ${name}: its own log group, X-Ray, and the API-key secret`,
      });
      logGroup.grantWrite(role);
      const fn = new NodejsFunction(this, `${id}Function`, {
        entry: fileURLToPath(new URL(`../functions/${name}.ts`, import.meta.url)),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 256,
        timeout: FUNCTION_TIMEOUT,
        tracing: Tracing.ACTIVE,
        environment,
        role,
        logGroup,
        bundling: LAMBDA_BUNDLING,
      });
      this.secret.grantRead(fn);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; nothing else is granted on *.',
      });
      const pinnedRuntime = 'Pinned to Node.js 22, the runtime the handlers are built for, tested and benchmarked on; moving to 24 is a deliberate upgrade.';
      Validations.of(fn).acknowledge(
        { id: 'AwsSolutions::AwsSolutions-L1', reason: pinnedRuntime },
        { id: 'Serverless::Serverless-LambdaLatestVersion', reason: pinnedRuntime },
        { id: 'Serverless::Serverless-LambdaDLQ', reason: 'Invoked synchronously by Step Functions, which retries and records failures; a Lambda DLQ only applies to asynchronous invocations.' },
      );
      return fn;
    };
    this.functions = {
      upsertProspect: makeFunction('upsertProspect'),
      createNote: makeFunction('createNote'),
      createTask: makeFunction('createTask'),
      createMeeting: makeFunction('createMeeting'),
    };

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(buildWorkflowDefinition(this, this.functions, props.definition)),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'StateMachineLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    Validations.of(this.stateMachine).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'CloudWatch Logs delivery (logs:CreateLogDelivery etc.) and X-Ray actions that Step Functions logging and tracing need support no resource-level permissions.',
      },
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
