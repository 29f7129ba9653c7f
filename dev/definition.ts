import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { HiringCenterWorkflowStack } from '../infra/stack.ts';

/**
 * The state machine definition exactly as CDK synthesizes it for deployment, with CloudFormation intrinsics replaced
 * by fixed local ARNs so that a local ASL engine can run it. There is no second copy of the chain anywhere: change
 * infra/state-machine-definition.ts and the local runner, the tests and `hc-workflow graph` follow.
 */
export interface SynthesizedWorkflow {
  definition: StateMachineDefinition;
  /** Task state name → logical id of the Lambda function it invokes. */
  taskFunctions: Record<string, string>;
  /** Every Task state name and its resource ARN (Lambda or service integration). */
  taskResources: Record<string, string>;
}

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT = '123456789012';

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** The state machines a template holds, by the logical-id prefix CDK gives them from their construct paths. */
export const MACHINES = {
  workflow: 'WorkflowStateMachine', import: 'ImportStateMachine', importStarter: 'ImportStarter', webhookFrontDoor: 'WebhookFrontDoorStateMachine',
} as const;

let cachedTemplate: Template | undefined;
const cached = new Map<keyof typeof MACHINES, SynthesizedWorkflow>();

/** The deployable template, synthesized once per process with the app's own cdk.json context (its feature flags). */
function synthesizeTemplate(): Template {
  if (cachedTemplate) return cachedTemplate;
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: Record<string, unknown> };
  // Skipping asset bundling leaves the template unchanged but for asset hashes; the ASL does not depend on them.
  // Skipping CDK's built-in CloudFormation validation (a WebAssembly engine, about 3 s of the 3.4 s synth) leaves it
  // unchanged too: it only reports. `cdk synth` and test/infra still validate the deployable template.
  const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  const stack = new HiringCenterWorkflowStack(app, 'HiringCenterWorkflows', { context: {} });
  cachedTemplate = app.synth().getStackByName(stack.stackName).template as Template;
  return cachedTemplate;
}

export function synthesizeWorkflow(machine: keyof typeof MACHINES = 'workflow'): SynthesizedWorkflow {
  let found = cached.get(machine);
  if (!found) cached.set(machine, (found = definitionFromTemplate(synthesizeTemplate(), MACHINES[machine])));
  return found;
}

/**
 * The item processor of the import state machine's Distributed Map for one reader: the states each imported row runs
 * through as its own child execution. The local engine has no Distributed Map (no ItemReader, no ResultWriter), so
 * `hc-workflow import` reads the file itself and runs this processor per row, with the map's concurrency.
 */
export function synthesizeItemProcessor(reader: 'Csv' | 'JsonLines'): StateMachineDefinition {
  // Read from the cached import state machine each time: taking a field off it costs nothing worth caching.
  const map = synthesizeWorkflow('import').definition.States[`Import${reader}`] as { ItemProcessor?: StateMachineDefinition & { ProcessorConfig?: unknown } } | undefined;
  if (!map?.ItemProcessor) throw new Error(`the import state machine has no Import${reader} map with an item processor`);
  const { ProcessorConfig: _config, ...processor } = map.ItemProcessor;
  return processor as StateMachineDefinition;
}

export function definitionFromTemplate(template: Template, logicalIdPrefix: string = MACHINES.workflow): SynthesizedWorkflow {
  const machines = Object.entries(template.Resources)
    .filter(([id, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine' && id.startsWith(logicalIdPrefix));
  if (machines.length !== 1) throw new Error(`expected one state machine ${logicalIdPrefix}… in the template, found ${machines.length}`);
  const [, machine] = machines[0] as [string, { Properties?: Record<string, unknown> }];
  const definitionString = resolveIntrinsics(machine.Properties?.DefinitionString, template);
  if (typeof definitionString !== 'string') throw new Error('the state machine has no DefinitionString');
  const definition = JSON.parse(definitionString) as StateMachineDefinition;

  const functionIdByArn = new Map<string, string>();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::Lambda::Function') functionIdByArn.set(lambdaArn(id), id);
  }
  const taskFunctions: Record<string, string> = {};
  const taskResources: Record<string, string> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, { Type: string; Resource?: string }>)) {
    if (state.Type !== 'Task' || !state.Resource) continue;
    taskResources[name] = state.Resource;
    const functionId = functionIdByArn.get(state.Resource);
    if (functionId) taskFunctions[name] = functionId;
  }
  return { definition, taskFunctions, taskResources };
}

/** The local ARN of a state machine, named after its logical id. */
export function stateMachineArn(logicalId: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${logicalId}`;
}

function lambdaArn(logicalId: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
}

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'HiringCenterWorkflows',
};

function resolveIntrinsics(value: unknown, template: Template): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, template));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return (resolveIntrinsics(parts, template) as unknown[]).join(separator);
  }
  if ('Fn::GetAtt' in object) {
    const [logicalId, attribute] = object['Fn::GetAtt'] as [string, string];
    const type = template.Resources[logicalId]?.Type;
    if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return lambdaArn(logicalId);
    // A state machine is named after its logical id here, so its execution ARNs read as they would in AWS.
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Name') return logicalId;
    if (type === 'AWS::StepFunctions::StateMachine' && attribute === 'Arn') return stateMachineArn(logicalId);
    return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${logicalId}/${attribute}`;
  }
  if ('Ref' in object) {
    const ref = object.Ref as string;
    if (template.Resources[ref]?.Type === 'AWS::StepFunctions::StateMachine') return stateMachineArn(ref);
    return PSEUDO_PARAMETERS[ref] ?? `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${ref}`;
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolveIntrinsics(inner, template)]));
}
