import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { HiringCenterWorkflowStack } from '../../infra/stack.ts';
import { renderInputTransformer } from '../support/eventbridge.ts';

/*
 * The webhook's infrastructure beyond its templates: the Express front door behind POST /activities, and the notify
 * hook (context notifyUrl) that forwards ProspectActivityCompleted / ProspectActivityFailed to a no-code catch hook.
 */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };
const HOOK = 'https://hooks.zapier.com/hooks/catch/123/abcdef/';
let template: Template;

beforeAll(() => {
  const { app, stack } = buildApp(new App({ context: { ...NO_BUNDLING, notifyUrl: HOOK, notifyAuthHeader: 'X-N8n-Token' } }));
  app.synth(); // runs cdk-nag: throws on any unacknowledged finding
  template = Template.fromStack(stack);
});

type Transformer = { InputPathsMap: Record<string, string>; InputTemplate: string };

const transformerFor = (detailType: string): Transformer => {
  const rule = Object.values(template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { 'detail-type': [detailType] } } }))[0];
  return (rule?.Properties?.Targets as { InputTransformer: Transformer }[])[0]?.InputTransformer as Transformer;
};

const envelope = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0', id: '7bf73129-1428-4cd3-a780-95db273d1602', 'detail-type': detailType, source: 'hiringcenter.workflows',
  account: '111122223333', time: '2026-12-02T10:00:00Z', region: 'us-east-1', resources: [], detail,
});

describe('the notify hook', () => {
  it('is an API destination over HTTPS with the configured auth header, whose value comes from a secret', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-N8n-Token', ApiKeyValue: { 'Fn::Join': ['', Match.arrayWith(['{{resolve:secretsmanager:'])] } } },
    });
    template.hasResourceProperties('AWS::Events::ApiDestination', { InvocationEndpoint: HOOK, HttpMethod: 'POST', InvocationRateLimitPerSecond: 10 });
    expect(template.toJSON().Outputs).toHaveProperty('NotifyAuthSecretArn');
  });

  it('forwards both event types from the workflow bus with EventBridge retries and an encrypted, SSL-only dead-letter queue', () => {
    for (const detailType of ['ProspectActivityCompleted', 'ProspectActivityFailed']) {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: Match.stringLikeRegexp('^EventBus') },
        EventPattern: { source: ['hiringcenter.workflows'], 'detail-type': [detailType] },
        Targets: [Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotifyHookDestination'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('NotifyHookDeadLetterQueue'), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
        })],
      });
    }
    const queue = Object.entries(template.findResources('AWS::SQS::Queue')).find(([id]) => id.startsWith('NotifyHookDeadLetterQueue'));
    expect(queue?.[1].Properties).toMatchObject({ SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue?.[0] }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue?.[0], 'QueueName'] } }] });
  });

  it('sends a catch hook flat JSON it can map: the ids, the status, the error and message', () => {
    const output = { prospectId: 'p1', noteId: 'n1', idempotencyKey: 'a1b2c3d4e5_zap-1', warnings: [] };
    const completed = renderInputTransformer(transformerFor('ProspectActivityCompleted'), envelope('ProspectActivityCompleted', { executionArn: 'arn:x', executionName: 'a1b2c3d4e5_zap-1', output }));
    expect(completed).toEqual({ event: 'ProspectActivityCompleted', id: 'a1b2c3d4e5_zap-1', status: 'SUCCEEDED', executionArn: 'arn:x', output, eventId: '7bf73129-1428-4cd3-a780-95db273d1602', time: '2026-12-02T10:00:00Z' });
    const failedDetail = { executionArn: 'arn:x', executionName: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', message: 'HiringCenter rejected POST /prospects (422): "x"' };
    expect(renderInputTransformer(transformerFor('ProspectActivityFailed'), envelope('ProspectActivityFailed', failedDetail))).toEqual({
      event: 'ProspectActivityFailed', id: 'k', executionArn: 'arn:x', status: 'FAILED', error: 'HiringCenter.Rejected', message: failedDetail.message,
      eventId: '7bf73129-1428-4cd3-a780-95db273d1602', time: '2026-12-02T10:00:00Z',
    });
  });

  it('reads only fields every event of its type carries, and never the execution input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.constantFrom('FAILED', 'TIMED_OUT', 'ABORTED'), (message, status) => {
      const detail = { executionArn: 'arn:x', executionName: 'k', status, error: 'States.Timeout', message };
      expect(renderInputTransformer(transformerFor('ProspectActivityFailed'), envelope('ProspectActivityFailed', detail))).toMatchObject({ message, status });
    }), { numRuns: 200 });
    for (const type of ['ProspectActivityCompleted', 'ProspectActivityFailed']) {
      expect(Object.values(transformerFor(type).InputPathsMap).every((path) => !/input/i.test(path))).toBe(true);
    }
  });

  it('exists only with context notifyUrl, and refuses a URL that is not https or a header name that is not one', () => {
    const without = Template.fromStack(new HiringCenterWorkflowStack(new App({ context: NO_BUNDLING }), 'Plain'));
    without.resourceCountIs('AWS::Events::ApiDestination', 0);
    without.resourceCountIs('AWS::Events::Connection', 0);
    const build = (context: Record<string, string>) => () => new HiringCenterWorkflowStack(new App({ context: { ...NO_BUNDLING, ...context } }), 'Bad');
    expect(build({ notifyUrl: 'http://hooks.example.com/x' })).toThrow(/notifyUrl must be an https:\/\/ URL/);
    expect(build({ notifyUrl: HOOK, notifyAuthHeader: 'X Token:' })).toThrow(/notifyAuthHeader must be a header name/);
    expect(build({ notifyAuthHeader: 'X-Token' })).toThrow(/need notifyUrl/);
    const imported = Template.fromStack(new HiringCenterWorkflowStack(new App({ context: { ...NO_BUNDLING, notifyUrl: HOOK, notifyAuthSecretArn: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hook-AbCdEf' } }), 'Imported'));
    expect(JSON.stringify(imported.findResources('AWS::Events::Connection'))).toContain('secret:hook-AbCdEf');
  });
});

describe('the front door behind POST /activities', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  const statementsOf = (rolePrefix: string): Statement[] => {
    const role = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith(rolePrefix)) ?? '?';
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties?.Roles).includes(role))
      .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const stepFunctionsActions = (statements: Statement[]) => statements
    .flatMap((statement) => [statement.Action].flat().filter((action) => action.startsWith('states:')).map((action) => `${action} ${JSON.stringify(statement.Resource)}`));

  it('is an Express state machine, logging every state without execution data, traced, stopping at API Gateway\'s 29 s', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      TracingConfiguration: { Enabled: true },
      DefinitionString: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"TimeoutSeconds":29')])] }),
    });
  });

  it('is called by POST /activities with StartSyncExecution, with the key, the body model and the 29 s limit; no Lambda, no second path', () => {
    const activities = Object.entries(template.findResources('AWS::ApiGateway::Resource')).find(([, resource]) => resource.Properties?.PathPart === 'activities');
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST', ApiKeyRequired: true, ResourceId: { Ref: activities?.[0] },
      RequestValidatorId: Match.anyValue(), RequestModels: { 'application/json': Match.anyValue() },
      Integration: Match.objectLike({ Type: 'AWS', TimeoutInMillis: 29000, Uri: { 'Fn::Join': ['', Match.arrayWith([':states:action/StartSyncExecution'])] } }),
    });
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((resource) => resource.Properties?.PathPart);
    expect(paths.sort()).toEqual(['activities', '{id}']);
    const invokedByApiGateway = Object.values(template.findResources('AWS::Lambda::Permission')).filter((permission) => permission.Properties?.Principal === 'apigateway.amazonaws.com');
    expect(invokedByApiGateway).toEqual([]);
  });

  it('may start the workflow and describe its executions, and nothing else of Step Functions; API Gateway may only run it and read executions', () => {
    const executions = expect.stringMatching(/^\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":states:",.*":execution:",\{"Fn::GetAtt":\["WorkflowStateMachine[0-9A-F]+","Name"\]\},":\*"\]\]\}$/);
    const frontDoor = stepFunctionsActions(statementsOf('WebhookFrontDoorStateMachineRole'));
    expect(frontDoor).toHaveLength(2);
    expect(frontDoor[0]).toMatch(/^states:StartExecution \{"Ref":"WorkflowStateMachine[0-9A-F]+"\}$/);
    expect(frontDoor[1]?.replace(/^states:DescribeExecution /, '')).toEqual(executions);
    const gateway = stepFunctionsActions(statementsOf('WebhookIntegrationRole'));
    expect(gateway).toHaveLength(2);
    expect(gateway[0]).toMatch(/^states:StartSyncExecution \{"Ref":"WebhookFrontDoorStateMachine[0-9A-F]+"\}$/);
    expect(gateway[1]?.replace(/^states:DescribeExecution /, '')).toEqual(executions);
  });
});
