import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/commons/constants.ts';
import { LAMBDA_BUNDLING, LAMBDA_RUNTIME_ENVIRONMENT } from './bundling.ts';

export interface WorkflowFunctionProps {
  /** The file in functions/ without extension, e.g. `create-note`. */
  entry: string;
  /** What the function does, for its role's description. */
  purpose: string;
  environment?: Record<string, string>;
  /** @default 60 seconds */
  timeout?: Duration;
  /** @default one month */
  logRetention?: RetentionDays;
  /**
   * Where an asynchronous invocation that failed all of Lambda's retries goes (an EventBridge target is invoked
   * asynchronously: the rule's own dead-letter queue only keeps what Lambda never accepted), or, for a function only
   * ever invoked synchronously, why a dead-letter queue does not apply (cdk-nag Serverless-LambdaDLQ).
   */
  deadLetters: { queue: sqs.IQueue } | { notApplicable: string };
}

/**
 * Powertools' own settings (functions/commons/powertools.ts passes the same names in code): every log line's `service`
 * and the CloudWatch namespace of every EMF metric, visible in the function's configuration.
 */
const POWERTOOLS_ENVIRONMENT: Readonly<Record<string, string>> = {
  POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
  POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
};

const PINNED_RUNTIME = 'Pinned to Node.js 22, the runtime the handlers are built for, tested and benchmarked on; moving to 24 is a deliberate upgrade.';

/**
 * Every Lambda of the project: bundled the one way infra/bundling.ts describes, on arm64 and Node.js 22, with its own
 * log group, its own role, and the Powertools service name and metrics namespace. The role is made here rather than AWSLambdaBasicExecutionRole, whose managed policy may
 * write to every log group in the account.
 */
export class WorkflowFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: WorkflowFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `HiringCenter workflows ${props.entry}: ${props.purpose}`,
    });
    logGroup.grantWrite(role);
    super(scope, id, {
      entry: fileURLToPath(new URL(`../functions/${props.entry}.ts`, import.meta.url)),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: props.timeout ?? Duration.seconds(60),
      tracing: Tracing.ACTIVE,
      environment: { ...props.environment, ...POWERTOOLS_ENVIRONMENT, ...LAMBDA_RUNTIME_ENVIRONMENT },
      role,
      logGroup,
      bundling: LAMBDA_BUNDLING,
      ...('queue' in props.deadLetters ? { deadLetterQueue: props.deadLetters.queue } : {}),
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; nothing else is granted on *.',
    });
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-L1', reason: PINNED_RUNTIME },
      { id: 'Serverless::Serverless-LambdaLatestVersion', reason: PINNED_RUNTIME },
      ...('notApplicable' in props.deadLetters ? [{ id: 'Serverless::Serverless-LambdaDLQ', reason: props.deadLetters.notApplicable }] : []),
    );
  }
}
