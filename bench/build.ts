import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, type CfnFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { LAMBDA_BUNDLING, LAMBDA_RUNTIME_ENVIRONMENT } from '../infra/bundling.ts';
import { ProspectActivityWorkflow } from '../infra/workflow.ts';

/*
 * The bundles the benchmark and the bundle-size guard measure come from a real CDK synth with bundling on: the
 * ProspectActivityWorkflow construct that infra/stack.ts deploys (its four NodejsFunctions, bundled by CDK), and (for
 * the benchmark) a throwaway stack whose three baseline functions use the same LAMBDA_BUNDLING constant. Nothing here runs
 * esbuild by itself, so there is no second, different build. The rest of the product stack (triggers, API, alarms) does
 * not affect the functions and is left out to keep the synth fast.
 */

export const HANDLER_NAMES = ['upsertProspect', 'createNote', 'createTask', 'createMeeting'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];
export const BASELINE_NAMES = ['floor', 'naive', 'minimal'] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export interface BuiltFunction {
  /** The asset's `index.js` (CommonJS) or `index.mjs` (ESM): the file Lambda loads. */
  bundlePath: string;
  bundleBytes: number;
  /** The function's literal environment variables from the template (e.g. NODE_OPTIONS); references are left out. */
  environment: Record<string, string>;
}

class BaselineStack extends Stack {
  readonly functions: Record<BaselineName, NodejsFunction>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const make = (name: BaselineName) =>
      new NodejsFunction(this, name, {
        entry: fileURLToPath(new URL(`./baselines/${name}.ts`, import.meta.url)),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: 256,
        environment: { ...LAMBDA_RUNTIME_ENVIRONMENT },
        bundling: LAMBDA_BUNDLING,
      });
    this.functions = { floor: make('floor'), naive: make('naive'), minimal: make('minimal') };
  }
}

export type CloudAssembly = ReturnType<App['synth']>;
type Template = { Resources: Record<string, { Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } } }> };

export function describeFunction(outdir: string, assembly: CloudAssembly, stack: Stack, fn: NodejsFunction): BuiltFunction {
  const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
  const template = assembly.getStackByName(stack.stackName).template as Template;
  const properties = template.Resources[logicalId]?.Properties;
  const s3Key = properties?.Code?.S3Key;
  if (typeof s3Key !== 'string' || !s3Key.endsWith('.zip')) throw new Error(`${logicalId}: no bundled asset in the template`);
  const assetDir = join(outdir, `asset.${s3Key.slice(0, -'.zip'.length)}`);
  const bundlePath = ['index.js', 'index.mjs'].map((name) => join(assetDir, name)).find((path) => existsSync(path));
  if (bundlePath === undefined) throw new Error(`${logicalId}: no index.js or index.mjs in ${assetDir}`);
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties?.Environment?.Variables ?? {})) {
    if (typeof value === 'string') environment[key] = value;
  }
  return { bundlePath, bundleBytes: statSync(bundlePath).size, environment };
}

export interface SynthesizedBundles {
  handlers: Record<HandlerName, BuiltFunction>;
  baselines?: Record<BaselineName, BuiltFunction>;
}

/** Synthesizes into `outdir` (which must be empty or absent); bundling runs the local esbuild, as `cdk synth` does. */
export function synthesizeBundles(outdir: string, options: { baselines?: boolean } = {}): SynthesizedBundles {
  const root = new App({ outdir });
  const workflowStack = new Stack(root, 'HiringCenterWorkflows');
  const workflow = new ProspectActivityWorkflow(workflowStack, 'Workflow');
  const baselines = options.baselines ? new BaselineStack(root, 'BenchBaselines') : undefined;
  const assembly = root.synth();
  const handlers = Object.fromEntries(
    HANDLER_NAMES.map((name) => [name, describeFunction(outdir, assembly, workflowStack, workflow.functions[name] as NodejsFunction)]),
  ) as Record<HandlerName, BuiltFunction>;
  if (!baselines) return { handlers };
  return {
    handlers,
    baselines: {
      floor: describeFunction(outdir, assembly, baselines, baselines.functions.floor),
      naive: describeFunction(outdir, assembly, baselines, baselines.functions.naive),
      minimal: describeFunction(outdir, assembly, baselines, baselines.functions.minimal),
    },
  };
}
