import { fileURLToPath } from 'node:url';
import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { CallerIdentitySource } from '../lib/webhook/execution-name.ts';
import { workflowInputJsonSchema } from '../lib/workflow/json-schema.ts';
import { LAMBDA_BUNDLING } from './bundling.ts';
import {
  ACCEPTED_TEMPLATE, describeExecutionTemplate, GATEWAY_ANSWERS, SERVICE_UNAVAILABLE_TEMPLATE, startExecutionTemplate,
  startRejectedTemplate, STATUS_REJECTED_TEMPLATE, STATUS_TEMPLATE,
} from './webhook-templates.ts';

export type WebhookAuth = CallerIdentitySource;

export interface WebhookApiProps {
  stateMachine: sfn.StateMachine;
  /** apiKey (default): for no-code tools, which can only send a header. iam: SigV4 for internal callers. */
  auth?: WebhookAuth;
  /** Usage-plan throttling per API key (requests per second, burst). */
  rateLimit?: number;
  burstLimit?: number;
  /** Optional daily request quota per API key. */
  dailyQuota?: number;
  logRetention?: RetentionDays;
}

/** API Gateway's integration limit is 29 s; the waiter answers within MAX_WAIT_SECONDS (25) plus one status read. */
const WAITER_TIMEOUT = Duration.seconds(29);

/**
 * The webhook for no-code tools. POST /activities validates the body against a model generated from the workflow's zod
 * schema and starts an execution through a direct Step Functions integration (no Lambda in that path); GET
 * /activities/{id} reports the caller's own executions. POST /activities/sync starts the same execution through a small
 * waiter Lambda and answers with its output when it finishes within `Prefer: wait=N`: API Gateway cannot route one
 * method by a header, so the synchronous answer has its own resource. Templates: infra/webhook-templates.ts.
 */
export class WebhookApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey?: apigateway.IApiKey;
  readonly waiter: NodejsFunction;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const auth = props.auth ?? 'apiKey';
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention });
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Starts HiringCenter prospect activity workflows from webhooks (Zapier, Make, n8n).',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      cloudWatchRole: true,
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        tracingEnabled: true,
        metricsEnabled: true,
        throttlingRateLimit: props.rateLimit ?? 10,
        throttlingBurstLimit: props.burstLimit ?? 20,
      },
    });
    for (const answer of GATEWAY_ANSWERS) {
      this.api.addGatewayResponse(answer.type, {
        type: apigateway.ResponseType[answer.type],
        templates: { 'application/json': answer.template },
        ...(answer.retryAfterSeconds === undefined ? {} : { responseHeaders: { 'Retry-After': `'${answer.retryAfterSeconds}'` } }),
      });
    }

    const role = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway: start and describe executions of the HiringCenter workflow state machine only',
    });
    const executionArnPrefix = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.stateMachine.stateMachineName}:`;
    const startAndDescribe = (grantee: iam.Role) => {
      props.stateMachine.grantStartExecution(grantee);
      grantee.addToPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [`${executionArnPrefix}*`] }));
      Validations.of(grantee).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(props.stateMachine.node.defaultChild as sfn.CfnStateMachine)}.Name>:*]`,
        reason: 'DescribeExecution on the executions of this one state machine: execution names are only known at run time.',
      });
    };
    startAndDescribe(role);

    const { $schema: _dialect, ...schema } = workflowInputJsonSchema('draft-4');
    const model = this.api.addModel('WorkflowInput', {
      contentType: 'application/json',
      modelName: 'WorkflowInput',
      // The generated draft-04 document is valid JSON Schema; CDK's JsonSchema type only lacks an index signature.
      schema: { ...schema, schema: apigateway.JsonSchemaVersion.DRAFT4 } as apigateway.JsonSchema,
    });
    const validator = this.api.addRequestValidator('BodyValidator', { validateRequestBody: true, validateRequestParameters: true });
    const methodAuth: apigateway.MethodOptions = auth === 'iam'
      ? { authorizationType: apigateway.AuthorizationType.IAM }
      : { apiKeyRequired: true };
    const withRetryAfter = (statusCode: string): apigateway.MethodResponse => ({ statusCode, responseParameters: { 'method.response.header.Retry-After': false } });

    const activities = this.api.root.addResource('activities');
    activities.addMethod('POST', new apigateway.AwsIntegration({
      service: 'states',
      action: 'StartExecution',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': startExecutionTemplate(props.stateMachine.stateMachineArn, auth) },
        integrationResponses: [
          { statusCode: '202', responseTemplates: { 'application/json': ACCEPTED_TEMPLATE } },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': startRejectedTemplate(auth) } },
          { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': SERVICE_UNAVAILABLE_TEMPLATE } },
        ],
      },
    }), {
      ...methodAuth,
      requestValidator: validator,
      requestModels: { 'application/json': model },
      methodResponses: [{ statusCode: '202' }, { statusCode: '200' }, { statusCode: '400' }, withRetryAfter('429'), { statusCode: '500' }, withRetryAfter('503')],
    });

    activities.addResource('{id}').addMethod('GET', new apigateway.AwsIntegration({
      service: 'states',
      action: 'DescribeExecution',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': describeExecutionTemplate(executionArnPrefix, auth) },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': STATUS_TEMPLATE } },
          { statusCode: '404', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': STATUS_REJECTED_TEMPLATE } },
          { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': SERVICE_UNAVAILABLE_TEMPLATE } },
        ],
      },
    }), {
      ...methodAuth,
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
      methodResponses: [{ statusCode: '200' }, { statusCode: '404' }, withRetryAfter('429'), withRetryAfter('503')],
    });

    this.waiter = this.createWaiter(props, auth, retention);
    startAndDescribe(this.waiter.role as iam.Role);
    activities.addResource('sync').addMethod('POST', new apigateway.LambdaIntegration(this.waiter, { proxy: true, allowTestInvoke: false, timeout: WAITER_TIMEOUT }), {
      ...methodAuth,
      requestValidator: validator,
      requestModels: { 'application/json': model },
    });

    if (auth === 'apiKey') {
      const plan = this.api.addUsagePlan('UsagePlan', {
        description: 'Per-key throttling for no-code webhook callers',
        throttle: { rateLimit: props.rateLimit ?? 10, burstLimit: props.burstLimit ?? 20 },
        ...(props.dailyQuota ? { quota: { limit: props.dailyQuota, period: apigateway.Period.DAY } } : {}),
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      this.apiKey = this.api.addApiKey('NoCodeKey', { description: 'Key for Zapier / Make / n8n: send it as the x-api-key header' });
      plan.addApiKey(this.apiKey);
    }

    Validations.of(this.api).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-APIG3', reason: 'No WAF: the API is key- or IAM-authenticated with usage-plan throttling, and every body is schema-validated before anything starts.' },
      { id: 'AwsSolutions::AwsSolutions-APIG4', reason: auth === 'iam' ? 'IAM authorization is used.' : 'Callers are no-code tools that can only send a header: API key plus usage plan. An IAM mode (context webhookAuth=iam) exists for internal callers.' },
      { id: 'AwsSolutions::AwsSolutions-COG4', reason: 'No end users: machine-to-machine calls with an API key or IAM, no Cognito user pool.' },
      { id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]', reason: 'The account-level role API Gateway needs for execution logging; AWS publishes this managed policy for exactly that.' },
    );
  }

  /** functions/webhook-waiter.ts with its own role and log group, bundled like every other function. */
  private createWaiter(props: WebhookApiProps, auth: WebhookAuth, retention: RetentionDays): NodejsFunction {
    const logGroup = new LogGroup(this, 'WaiterLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    // An own role instead of AWSLambdaBasicExecutionRole: that managed policy may write to every log group.
    const role = new iam.Role(this, 'WaiterRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Webhook waiter: start and describe executions of the HiringCenter workflow, its own log group, X-Ray',
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, 'Waiter', {
      entry: fileURLToPath(new URL('../functions/webhook-waiter.ts', import.meta.url)),
      handler: 'handler',
      description: 'POST /activities/sync: starts the workflow execution and answers with its output within Prefer: wait',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 256,
      timeout: WAITER_TIMEOUT,
      tracing: Tracing.ACTIVE,
      environment: { STATE_MACHINE_ARN: props.stateMachine.stateMachineArn, WEBHOOK_CALLER_IDENTITY: auth },
      role,
      logGroup,
      bundling: LAMBDA_BUNDLING,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; nothing else is granted on *.',
    });
    const pinnedRuntime = 'Pinned to Node.js 22 like the workflow steps: the runtime the code is built for, tested and benchmarked on.';
    Validations.of(fn).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-L1', reason: pinnedRuntime },
      { id: 'Serverless::Serverless-LambdaLatestVersion', reason: pinnedRuntime },
      { id: 'Serverless::Serverless-LambdaDLQ', reason: 'Invoked synchronously by API Gateway, which returns its answer or error to the caller; a Lambda DLQ only applies to asynchronous invocations.' },
    );
    return fn;
  }
}
