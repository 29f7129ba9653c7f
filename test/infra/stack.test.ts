import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
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
    const lambdaRoles = Object.values(template.findResources('AWS::IAM::Role', {
      Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] } },
    }));
    expect(lambdaRoles).toHaveLength(5); // the four steps and the webhook waiter
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
      expect(states[name]?.Catch).toContainEqual({ ErrorEquals: ['HiringCenter.RateLimited'], Next: `${name}RateLimited`, ResultPath: '$.lastError' });
    }
    expect(definition.States.WaitRetryAfter).toMatchObject({ Type: 'Wait', SecondsPath: '$.throttle.wait.detail.retryAfterSeconds' });
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
      Integration: Match.objectLike({ Type: 'AWS', Uri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':states:action/StartExecution')])] } }),
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

  it('grants StartExecution on the one state machine and DescribeExecution only on its executions', () => {
    const start = policiesWith('states:StartExecution');
    expect(start).toHaveLength(3); // the API Gateway integration role, the webhook waiter and the EventBridge target role
    for (const policy of start) {
      const statement = (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement.find((s) => [s.Action].flat().includes('states:StartExecution'));
      expect(statement?.Resource).toEqual({ Ref: expect.stringMatching(/^WorkflowStateMachine[0-9A-F]+$/) });
    }
    const describe = policiesWith('states:DescribeExecution');
    expect(describe).toHaveLength(2); // the integration role and the webhook waiter
    for (const policy of describe) expect(JSON.stringify(policy)).toMatch(/:execution:",\{"Fn::GetAtt":\["WorkflowStateMachine[0-9A-F]+","Name"\]\},":\*"/);
  });

  it('alarms on failed and timed-out executions, function errors and throttles, and DLQ depth, through an encrypted SNS topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((alarm) => `${alarm.Properties?.Namespace}/${alarm.Properties?.MetricName}`);
    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsFailed')).toHaveLength(1);
    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsTimedOut')).toHaveLength(1);
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(5); // the four steps and the webhook waiter
    expect(metrics.filter((m) => m === 'AWS/Lambda/Throttles')).toHaveLength(5);
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateNumberOfMessagesVisible')).toHaveLength(1);
    for (const alarm of alarms) expect(alarm.Properties?.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
  });

  it('logs every state at level ALL with retention, and publishes ProspectActivityFailed on the bus on failure', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    const { definition } = definitionFromTemplate(template.toJSON() as never);
    expect(definition.States.PublishFailureEvent).toMatchObject({
      Type: 'Task', Resource: 'arn:aws:states:::events:putEvents',
      Parameters: { Entries: [expect.objectContaining({ DetailType: 'ProspectActivityFailed', Source: 'hiringcenter.workflows' })] },
    });
    expect(policiesWith('events:PutEvents')).toHaveLength(1);
  });

  it('always fails at a task, never at a Fail state, so that a Step Functions redrive resumes the failed step', () => {
    const { definition } = definitionFromTemplate(template.toJSON() as never);
    const states = definition.States as Record<string, { Type: string; Next?: string; Catch?: unknown[]; Resource?: string }>;
    expect(Object.values(states).filter((state) => state.Type === 'Fail')).toEqual([]);
    for (const step of ['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting']) {
      const finalAttempt = states[`${step}FinalAttempt`];
      expect(finalAttempt).toMatchObject({ Type: 'Task', Resource: states[step]?.Resource, Next: states[step]?.Next });
      expect(finalAttempt?.Catch).toBeUndefined();
    }
  });
});

describe('cdk-nag', () => {
  it('is active: an unacknowledged finding fails the synth (so the clean synth above means something)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new sqs.Queue(stack, 'PlainQueue', { enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
