import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { HiringCenterWorkflowStack } from './stack.ts';

export function buildApp(app: App = new App()): { app: App; stack: HiringCenterWorkflowStack } {
  const stack = new HiringCenterWorkflowStack(app, 'HiringCenterWorkflows', {
    description: 'HiringCenter CRM automation: upsert prospect, note, task and meeting from events and webhooks.',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildApp().app.synth();
}
