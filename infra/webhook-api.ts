import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { workflowInputJsonSchema } from '../lib/workflow/json-schema.ts';

export type WebhookAuth = 'apiKey' | 'iam';

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

/**
 * A VTL expression as a JSON string body. $util.escapeJavaScript escapes ' as \', which JSON does not allow, hence
 * the replaceAll (the workaround AWS documents).
 */
function jsonString(expression: string): string {
  return `$util.escapeJavaScript(${expression}).replaceAll("\\\\'", "'")`;
}

/**
 * Request template of POST /activities. The optional Idempotency-Key header becomes the execution name (characters
 * outside Step Functions' [0-9A-Za-z_-] replaced by "_", cut to 80), so a repeated delivery cannot start a second
 * execution; without the header, Step Functions names the execution and that name is the idempotency key.
 */
export function startExecutionTemplate(stateMachineArn: string): string {
  return [
    "#set($key = $input.params('Idempotency-Key'))",
    "#set($name = $key.replaceAll('[^0-9A-Za-z_-]', '_'))",
    '#if($name.length() > 80)#set($name = $name.substring(0, 80))#end',
    '{',
    `  "stateMachineArn": "${stateMachineArn}",`,
    '#if($key != "")  "name": "$name",#end',
    `  "input": "${jsonString("$input.json('$')")}"`,
    '}',
  ].join('\n');
}

/** Request template of GET /activities/{id}: the id is the execution name, so the ARN is built from it. */
export function describeExecutionTemplate(executionArnPrefix: string): string {
  return `{ "executionArn": "${executionArnPrefix}${jsonString("$input.params('id')")}" }`;
}

const STATUS_URL = 'https://$context.domainName/$context.stage/activities/$id';

/** 202 with the execution id (its name) and where to poll. Velocity 1.x takes no arithmetic in method arguments, hence the #sets. */
export const ACCEPTED_TEMPLATE = [
  "#set($arn = $input.path('$.executionArn'))",
  "#set($idStart = $arn.lastIndexOf(':') + 1)",
  '#set($id = $arn.substring($idStart))',
  `{ "id": "$id", "status": "RUNNING", "statusUrl": "${STATUS_URL}" }`,
].join('\n');

/**
 * StartExecution answers 400 ExecutionAlreadyExists when the Idempotency-Key's execution has finished: the delivery
 * was already accepted, so the caller gets 200 with that id and nothing new starts. Other 4xx are the caller's.
 */
export const START_REJECTED_TEMPLATE = [
  "#set($type = $input.path('$.__type'))",
  "#set($message = $input.path('$.message'))",
  "#if($type.contains('ExecutionAlreadyExists'))",
  '#set($context.responseOverride.status = 200)',
  "#set($first = $message.indexOf(\"'\"))#set($last = $message.lastIndexOf(\"'\"))",
  '#set($arnStart = $first + 1)',
  '#if($first >= 0 && $last > $first)#set($arn = $message.substring($arnStart, $last))#set($idStart = $arn.lastIndexOf(":") + 1)#set($id = $arn.substring($idStart))#else#set($id = "")#end',
  `{ "id": "$id", "duplicate": true, "message": "This Idempotency-Key was already accepted; nothing new was started.", "statusUrl": "${STATUS_URL}" }`,
  '#else',
  `{ "error": "BadRequest", "message": "${jsonString('$message')}" }`,
  '#end',
].join('\n');

/** The status message of a failed execution whose cause is not a handler's JSON error with an errorMessage. */
export const FAILURE_WITHOUT_STEP_MESSAGE = 'The execution failed without a step error message; its Step Functions execution history has the cause.';

/** DescribeExecution → the output contract once finished, or the error name and message; never the trace or input. */
export const STATUS_TEMPLATE = [
  "#set($status = $input.path('$.status'))",
  "#set($id = $input.path('$.name'))",
  '{',
  '  "id": "$id",',
  '  "status": "$status",',
  '#if($status == "SUCCEEDED")  "output": $input.path(\'$.output\'),#end',
  '#if($status == "FAILED")',
  // A handler's error has a JSON cause ({errorType, errorMessage, trace}); only its message is shown. A cause that is
  // not a JSON object (a Lambda service error, a States.Runtime error quoting the state input) is neither parsed, which
  // would fail the whole response (VTL has no try/catch, so a cause that only looks like an object still would), nor
  // echoed, since it may quote input; the execution history has it.
  `#set($message = "${FAILURE_WITHOUT_STEP_MESSAGE}")`,
  "#set($rawCause = $input.path('$.cause'))",
  "#if($rawCause.startsWith('{') && $rawCause.endsWith('}'))#set($cause = $util.parseJson($rawCause))#if($cause.errorMessage)#set($message = $cause.errorMessage)#end#end",
  `  "error": "${jsonString("$input.path('$.error')")}",`,
  `  "message": "${jsonString('$message')}",`,
  '#end',
  `  "statusUrl": "${STATUS_URL}"`,
  '}',
].join('\n');

const ERROR_TEMPLATE = '{ "error": "Unavailable", "message": "The workflow service could not take the request; retry with the same Idempotency-Key." }';

/**
 * The webhook for no-code tools: a REST API with no Lambda in the path. POST /activities validates the body against
 * a model generated from the workflow's zod schema and starts an execution; GET /activities/{id} reports its status.
 */
export class WebhookApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey?: apigateway.IApiKey;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const auth = props.auth ?? 'apiKey';
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? RetentionDays.ONE_MONTH });
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
    this.api.addGatewayResponse('InvalidBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      templates: { 'application/json': '{ "error": "Input.Invalid", "message": "$context.error.validationErrorString" }' },
    });

    const role = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway: start and describe executions of the HiringCenter workflow state machine only',
    });
    props.stateMachine.grantStartExecution(role);
    const executionArns = `arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.stateMachine.stateMachineName}:*`;
    role.addToPolicy(new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionArns] }));

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
    const activities = this.api.root.addResource('activities');
    activities.addMethod('POST', new apigateway.AwsIntegration({
      service: 'states',
      action: 'StartExecution',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': startExecutionTemplate(props.stateMachine.stateMachineArn) },
        integrationResponses: [
          { statusCode: '202', responseTemplates: { 'application/json': ACCEPTED_TEMPLATE } },
          { statusCode: '400', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': START_REJECTED_TEMPLATE } },
          { statusCode: '502', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': ERROR_TEMPLATE } },
        ],
      },
    }), {
      ...methodAuth,
      requestValidator: validator,
      requestModels: { 'application/json': model },
      requestParameters: { 'method.request.header.Idempotency-Key': false },
      methodResponses: [{ statusCode: '202' }, { statusCode: '200' }, { statusCode: '400' }, { statusCode: '502' }],
    });

    activities.addResource('{id}').addMethod('GET', new apigateway.AwsIntegration({
      service: 'states',
      action: 'DescribeExecution',
      options: {
        credentialsRole: role,
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: {
          'application/json': describeExecutionTemplate(`arn:${Aws.PARTITION}:states:${Aws.REGION}:${Aws.ACCOUNT_ID}:execution:${props.stateMachine.stateMachineName}:`),
        },
        integrationResponses: [
          { statusCode: '200', responseTemplates: { 'application/json': STATUS_TEMPLATE } },
          { statusCode: '404', selectionPattern: '4\\d{2}', responseTemplates: { 'application/json': '{ "error": "NotFound", "message": "No activity with this id." }' } },
          { statusCode: '502', selectionPattern: '5\\d{2}', responseTemplates: { 'application/json': ERROR_TEMPLATE } },
        ],
      },
    }), {
      ...methodAuth,
      requestValidator: validator,
      requestParameters: { 'method.request.path.id': true },
      methodResponses: [{ statusCode: '200' }, { statusCode: '404' }, { statusCode: '502' }],
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
    Validations.of(role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${Stack.of(this).getLogicalId(props.stateMachine.node.defaultChild as sfn.CfnStateMachine)}.Name>:*]`,
      reason: 'DescribeExecution on the executions of this one state machine: execution names are only known at run time.',
    });
  }
}
