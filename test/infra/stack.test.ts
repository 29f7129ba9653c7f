import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';
import { HiringCenterWorkflowStack } from '../../infra/stack.ts';
import { definitionFromTemplate } from '../../lib/local/definition.ts';

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
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
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

describe('cdk-nag', () => {
  it('is active: an unacknowledged finding fails the synth (so the clean synth above means something)', () => {
    const app = new App();
    const stack = new Stack(app, 'Bad');
    new sqs.Queue(stack, 'PlainQueue', { enforceSSL: false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });
});
