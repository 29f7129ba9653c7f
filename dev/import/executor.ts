import type { KeyedWorkflowInput } from '../../lib/workflow/import-row.ts';
import type { StepDependencies } from '../../lib/workflow/dependencies.ts';
import { runWorkflowLocally, type LocalRunResult } from '../runner.ts';

/**
 * Runs one row's workflow. The import depends only on this signature, so the local implementation (the synthesized
 * workflow on the local engine, below) can be swapped for the import item processor without touching the CLI.
 */
export type RowExecutor = (input: KeyedWorkflowInput, executionName: string) => Promise<LocalRunResult>;

/** Each row through the state machine CDK synthesizes, on the local engine, with the real handlers in-process. */
export function localRowExecutor(deps: StepDependencies): RowExecutor {
  return (input, executionName) => runWorkflowLocally({ input, deps, executionName });
}
