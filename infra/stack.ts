import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ProspectActivityWorkflow } from './workflow.ts';

/** Context keys read by the stack (`npx cdk deploy -c key=value`); README "Deploying" lists them. */
export interface WorkflowStackContext {
  secretArn?: string;
  secretName?: string;
  baseUrl?: string;
  defaultUserId?: string;
}

export class HiringCenterWorkflowStack extends Stack {
  readonly workflow: ProspectActivityWorkflow;

  constructor(scope: Construct, id: string, props: StackProps & { context?: WorkflowStackContext } = {}) {
    super(scope, id, props);
    const context = props.context ?? readContext(this);
    this.workflow = new ProspectActivityWorkflow(this, 'Workflow', context);
  }
}

function readContext(scope: Construct): WorkflowStackContext {
  const read = (key: keyof WorkflowStackContext): string | undefined => {
    const value: unknown = scope.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const context: WorkflowStackContext = {};
  for (const key of ['secretArn', 'secretName', 'baseUrl', 'defaultUserId'] as const) {
    const value = read(key);
    if (value !== undefined) context[key] = value;
  }
  return context;
}
