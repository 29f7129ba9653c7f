import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ProspectActivityWorkflow } from '../../infra/workflow.ts';

// Bundling is skipped (identical template but for asset hashes); `npm run synth` in CI bundles for real.
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

let template: Template;

beforeAll(() => {
  const stack = new Stack(new App({ context: NO_BUNDLING }), 'Workflow');
  new ProspectActivityWorkflow(stack, 'Workflow');
  template = Template.fromStack(stack);
});

describe('the step functions and Powertools', () => {
  it('give every step the Powertools service name and metrics namespace that its logs and EMF metrics use', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'hiringcenter-workflows', POWERTOOLS_METRICS_NAMESPACE: 'HiringCenterWorkflows' }) } },
    });
    expect(Object.keys(functions)).toHaveLength(4);
  });
});
