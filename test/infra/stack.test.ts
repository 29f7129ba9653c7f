import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { HiringCenterWorkflowStack } from '../../infra/stack.ts';
import { definitionFromTemplate } from '../../dev/definition.ts';

// Bundling is skipped (identical template but for asset hashes); `npm run synth` in CI bundles for real.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

let template: Template;

beforeAll(() => {
  const { app, stack } = buildApp(new App({ context: NO_BUNDLING }));
  app.synth(); // runs the cdk-nag plugin: throws on any unacknowledged finding
  template = Template.fromStack(stack);
});

describe('the workflow stack', () => {
  it('has four Node.js 22 arm64 functions with explicit memory, a timeout above the client timeouts, and tracing', () => {
    template.resourcePropertiesCountIs('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 256, Timeout: 60, TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ HIRINGCENTER_SECRET_ID: Match.anyValue(), HIRINGCENTER_BASE_URL: 'https://api.hiringcenterpro.com/v2' }) },
    }, 4);
  });

  it('lets exactly the four functions read the API-key secret, and nothing else', () => {
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    const readers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes('secretsmanager:GetSecretValue'));
    expect(readers).toHaveLength(4);
    for (const policy of readers) expect(JSON.stringify(policy)).toContain(`{"Ref":"${secretId}"}`);
  });

  it('uses no AWS managed policy for the functions (each role writes only to its own log group)', () => {
    const lambdaRoles = Object.entries(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    })).filter(([id]) => !id.startsWith('BucketNotificationsHandler')).map(([, role]) => role); // CDK's deploy-time helper
    expect(lambdaRoles).toHaveLength(5); // the four steps and the event publisher: the webhook has no Lambda
    for (const role of lambdaRoles) expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('is a Standard state machine with logging at level ALL and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('retries each task on the named transient errors and the Lambda service errors, and waits out rate limits', () => {
    const { definition } = definitionFromTemplate(template.toJSON() as never);
    const states = definition.States as Record<string, { Retry?: { ErrorEquals: string[]; JitterStrategy?: string }[]; Catch?: { ErrorEquals: string[]; Next: string }[] }>;
    for (const name of ['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting']) {
      const retried = states[name]?.Retry?.flatMap((retry) => retry.ErrorEquals) ?? [];
      expect(retried).toEqual(expect.arrayContaining(['HiringCenter.Unavailable', 'HiringCenter.InFlight', 'Lambda.ServiceException', 'Lambda.TooManyRequestsException']));
      expect(retried).not.toContain('HiringCenter.Conflict');
      expect(retried).not.toContain('Input.Invalid');
      expect(states[name]?.Retry?.find((retry) => retry.ErrorEquals.includes('HiringCenter.Unavailable'))?.JitterStrategy).toBe('FULL');
      expect(states[name]?.Catch).toEqual([{ ErrorEquals: ['HiringCenter.RateLimited'], Next: `${name}RateLimited`, ResultPath: '$.quotaWait' }]);
      expect(definition.States[`${name}WaitForSlot`]).toMatchObject({ Type: 'Wait', TimestampPath: '$.quotaWait.slot.until', Next: name });
    }
  });

  it('is a straight line of four Tasks with a timeout: no Fail state, no final attempt, no PutEvents, at most 16 states', () => {
    const { definition } = definitionFromTemplate(template.toJSON() as never);
    const states = definition.States as Record<string, { Type: string; Next?: string; End?: boolean; Resource?: string }>;
    expect(Object.keys(states).length).toBeLessThanOrEqual(16);
    expect(Object.values(states).filter((state) => state.Type === 'Fail' || state.Type === 'Choice')).toEqual([]);
    expect(Object.keys(states).filter((name) => /FinalAttempt|Publish/.test(name))).toEqual([]);
    expect(Object.values(states).filter((state) => state.Resource?.includes('events:putEvents'))).toEqual([]);
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(6 * 3600);
    const chain: string[] = [];
    for (let name: string | undefined = definition.StartAt; name; name = states[name]?.Next) chain.push(name);
    expect(chain).toEqual(['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting']);
    expect(states.CreateMeeting).toMatchObject({ End: true, OutputPath: '$.run' });
  });

  it('takes the execution timeout and the key retention from context, and gives the steps the same values', () => {
    const app = new App({ context: { ...NO_BUNDLING, executionTimeout: '90m', apiKeyRetentionHours: '12' } });
    const custom = Template.fromStack(new HiringCenterWorkflowStack(app, 'Custom'));
    const { definition } = definitionFromTemplate(custom.toJSON() as never);
    expect((definition as { TimeoutSeconds?: number }).TimeoutSeconds).toBe(5400);
    custom.resourcePropertiesCountIs('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ WORKFLOW_EXECUTION_TIMEOUT_SECONDS: '5400', API_KEY_RETENTION_HOURS: '12' }) },
    }, 4);
    expect(() => new HiringCenterWorkflowStack(new App({ context: { ...NO_BUNDLING, executionTimeout: 'soon' } }), 'Bad'))
      .toThrow(/context executionTimeout must be a duration such as 6h, 90m or 21600 \(seconds\), got "soon"/);
  });

  it('paces every step through one quota table: UpdateItem and GetItem on it, nothing else, and the quota from context', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(1);
    const [tableId] = Object.keys(tables);
    template.resourcePropertiesCountIs('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PACER_TABLE_NAME: { Ref: tableId }, API_QUOTA_PER_MINUTE: '500', API_QUOTA_PER_HOUR: '10000', API_QUOTA_SHARE: '0.9' }) },
    }, 4);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:'))));
    expect(statements).toHaveLength(4);
    for (const statement of statements) {
      expect([statement.Action].flat().sort()).toEqual(['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    }
    const app = new App({ context: { ...NO_BUNDLING, apiQuotaPerMinute: '120', apiQuotaPerHour: '2000', apiQuotaShare: '0.5' } });
    Template.fromStack(new HiringCenterWorkflowStack(app, 'Quota')).resourcePropertiesCountIs('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ API_QUOTA_PER_MINUTE: '120', API_QUOTA_PER_HOUR: '2000', API_QUOTA_SHARE: '0.5' }) },
    }, 4);
  });

  it('imports an existing secret by ARN from context instead of creating one', () => {
    const app = new App({ context: { ...NO_BUNDLING, secretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:hiringcenter-api-key-AbCdEf' } });
    const imported = Template.fromStack(new HiringCenterWorkflowStack(app, 'Imported'));
    imported.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(imported.findResources('AWS::IAM::Policy'))).toContain('hiringcenter-api-key-AbCdEf');
  });
});

describe('triggers and operations', () => {
  const policiesWith = (action: string) => Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy).includes(`"${action}"`));

  it('has an event bus and a rule on it that targets the state machine with retries and an encrypted, SSL-only DLQ', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: ['hiringcenter.workflows'], 'detail-type': ['ProspectActivityRequested'] },
      Targets: [Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('StateMachine') },
        DeadLetterConfig: { Arn: Match.anyValue() },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('has a REST webhook with a body validator, a model, API-key auth, a usage plan with throttling, and access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ type: 'object', additionalProperties: false, required: ['prospect'] }) });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST', ApiKeyRequired: true,
      Integration: Match.objectLike({ Type: 'AWS', Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':states:action/StartSyncExecution')])] } }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET', ApiKeyRequired: true,
      Integration: Match.objectLike({ Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':states:action/DescribeExecution')])] } }),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 10, BurstLimit: 20 } });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') }, TracingEnabled: true });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_BODY', ResponseTemplates: { 'application/json': Match.stringLikeRegexp('validationErrorString') } });
  });

  it('offers IAM auth for internal callers instead of an API key', () => {
    const app = new App({ context: { ...NO_BUNDLING, webhookAuth: 'iam' } });
    const iamTemplate = Template.fromStack(new HiringCenterWorkflowStack(app, 'Internal'));
    iamTemplate.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'AWS_IAM' });
    iamTemplate.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
  });

  it('grants StartExecution only on its own state machines, and DescribeExecution only on their executions', () => {
    const statementsWith = (action: string) => policiesWith(action).flatMap((policy) =>
      (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.filter((s) => [s.Action].flat().includes(action)));
    const started = statementsWith('states:StartExecution').map((statement) => JSON.stringify(statement.Resource));
    // The webhook's front door and the EventBridge target start the workflow; the upload rule starts the import
    // starter, which starts imports, as the Distributed Map starts its row executions.
    expect(started.filter((resource) => /^\{"Ref":"WorkflowStateMachine[0-9A-F]+"\}$/.test(resource))).toHaveLength(2);
    expect(statementsWith('states:StartSyncExecution').map((statement) => JSON.stringify(statement.Resource))).toEqual([expect.stringMatching(/^\{"Ref":"WebhookFrontDoorStateMachine[0-9A-F]+"\}$/)]);
    expect(started.every((resource) => /^\{"Ref":"(WorkflowStateMachine|ImportStateMachine|ImportStarter)[0-9A-F]+"\}$/.test(resource))).toBe(true);
    // The front door and GET /activities/{id} look up workflow executions; the import's map describes its row executions.
    expect(statementsWith('states:DescribeExecution')).toHaveLength(3);
    for (const statement of statementsWith('states:DescribeExecution')) {
      expect(JSON.stringify(statement.Resource)).toMatch(/:execution:",\{"Fn::(GetAtt|Select)":\[.*(WorkflowStateMachine|ImportStateMachine)[0-9A-F]+/);
    }
  });

  it('alarms on failed and timed-out executions, function errors and throttles, and DLQ depth, through an encrypted SNS topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((alarm) => `${alarm.Properties?.Namespace}/${alarm.Properties?.MetricName}`);
    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsFailed')).toHaveLength(1);
    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsTimedOut')).toHaveLength(1);
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(5); // the four steps and the publisher
    expect(metrics.filter((m) => m === 'AWS/Lambda/Throttles')).toHaveLength(5);
    const frontDoor = alarms.find((alarm) => JSON.stringify(alarm.Properties?.Metrics ?? []).includes('WebhookFrontDoorStateMachine'));
    expect(JSON.stringify(frontDoor?.Properties?.Metrics)).toMatch(/ExecutionsFailed.*ExecutionsTimedOut/);
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
  });

  it('has one operations dashboard: executions, step errors by name, API latency, 429s and quota waits, dead letters, imports', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]?.Properties?.DashboardBody);
    for (const metric of ['ExecutionsStarted', 'ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'StepSucceeded', 'StepFailed', 'errorName', 'ApiLatency', 'ApiRateLimited', 'QuotaWait', 'ApproximateNumberOfMessagesVisible', 'Imports']) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('HiringCenterWorkflows');
  });

  it('logs every state at level ALL with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  it("announces finished executions from Step Functions' own status changes, and never passes the execution input on", () => {
    const rules = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['aws.states'] } } }));
    const statuses = rules.flatMap((rule) => (rule.Properties.EventPattern as { detail: { status: string[] } }).detail.status).sort();
    expect(statuses).toEqual(['ABORTED', 'FAILED', 'SUCCEEDED', 'TIMED_OUT']);
    for (const rule of rules) {
      expect(rule.Properties.EventBusName).toBeUndefined(); // the default bus, where Step Functions sends them
      expect(rule.Properties.EventPattern).toMatchObject({ 'detail-type': ['Step Functions Execution Status Change'], detail: { stateMachineArn: [{ Ref: expect.stringMatching(/^WorkflowStateMachine/) }] } });
      const [target] = rule.Properties.Targets as { InputTransformer: { InputPathsMap: Record<string, string> }; DeadLetterConfig: unknown; RetryPolicy: unknown }[];
      const paths = Object.values(target?.InputTransformer.InputPathsMap ?? {});
      expect(paths).toEqual(expect.arrayContaining(['$.detail.executionArn', '$.detail.name', '$.detail.status']));
      expect(paths.filter((path) => path.startsWith('$.detail.input'))).toEqual([]);
      expect(target?.DeadLetterConfig).toBeDefined();
      expect(target?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    }
    // Only the publisher and the import (ProspectImportCompleted) may put events, and only on the workflow bus.
    const putters = policiesWith('events:PutEvents');
    expect(putters).toHaveLength(2);
    for (const putter of putters) expect(JSON.stringify(putter)).toMatch(/"Resource":\{"Fn::GetAtt":\["EventBus[0-9A-F]+","Arn"\]\}/);
  });
});

describe('cdk-nag', () => {
  it("is active in the project's app: an unacknowledged finding there fails the synth (so the clean synth above means something)", () => {
    const { app, stack } = buildApp(new App({ context: NO_BUNDLING }));
    new sqs.Queue(stack, 'PlainQueue', { enforceSSL: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
