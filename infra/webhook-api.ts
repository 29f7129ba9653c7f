import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { CallerIdentitySource } from '../lib/webhook/execution-name.ts';
import { workflowInputJsonSchema } from '../lib/workflow/json-schema.ts';
import { WebhookFrontDoor } from './webhook-front-door.ts';
import { frontDoorAnswerTemplate, frontDoorRequestTemplate, SYNC_START_REJECTED_TEMPLATE } from './webhook-front-door-templates.ts';
import {
  describeExecutionTemplate, GATEWAY_ANSWERS, SERVICE_UNAVAILABLE_TEMPLATE, STATUS_REJECTED_TEMPLATE, STATUS_TEMPLATE,
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

/** API Gateway's limit for an integration; the front door answers within it (lib/webhook/answers.ts MAX_WAIT_SECONDS). */
const INTEGRATION_TIMEOUT = Duration.seconds(29);

/**
 * The webhook for no-code tools, without a Lambda. POST /activities validates the body against a model generated from
 * the workflow's zod schema and calls StartSyncExecution on the Express front door (infra/webhook-front-door.ts),
 * which starts the Standard workflow under the delivery's name and, with `Prefer: wait=N`, waits for its result; the
 * integration response turns the front door's answer into 202, 200 or an error. GET /activities/{id} reads the
 * caller's own executions with DescribeExecution. Templates: infra/webhook-templates.ts and
 * infra/webhook-front-door-templates.ts.
 */
export class WebhookApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey?: apigateway.IApiKey;
  readonly frontDoor: WebhookFrontDoor;

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

    const executionArnPrefix = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.stateMachine.stateMachineName}:`;
    this.frontDoor = new WebhookFrontDoor(this, 'FrontDoor', { workflow: props.stateMachine, executionArnPrefix, logRetention: retention });
    const role = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway: run the webhook front door, and describe executions of the HiringCenter workflow',
    });
    this.frontDoor.stateMachine.grantStartSyncExecution(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [`${executionArnPrefix}*`] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(props.stateMachine.node.defaultChild as sfn.CfnStateMachine)}.Name>:*]`,
      reason: 'DescribeExecution on the executions of this one state machine: execution names are only known at run time.',
    });

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
    const answered = ['200', '202', '422', '502'].map((statusCode) => ({ statusCode, responseParameters: { 'method.response.header.Preference-Applied': false } }));
    activities.addMethod('POST', new apigateway.AwsIntegration({
      service: 'states',
      action: 'StartSyncExecution',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        timeout: INTEGRATION_TIMEOUT,
        requestTemplates: { 'application/json': frontDoorRequestTemplate(this.frontDoor.stateMachine.stateMachineArn, auth) },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': frontDoorAnswerTemplate(auth) } },
          { statusCode: '503', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': SYNC_START_REJECTED_TEMPLATE } },
          { statusCode: '503', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': SERVICE_UNAVAILABLE_TEMPLATE } },
        ],
      },
    }), {
      ...methodAuth,
      requestValidator: validator,
      requestModels: { 'application/json': model },
      methodResponses: [...answered, { statusCode: '400' }, withRetryAfter('429'), { statusCode: '500' }, withRetryAfter('503')],
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
}
