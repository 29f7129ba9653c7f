import type { ImportItem, KeyedWorkflowInput } from '../../lib/workflow/import-row.ts';
import type { StepDependencies } from '../../functions/handlers.ts';
import { synthesizeItemProcessor } from '../definition.ts';
import { runWorkflowLocally, type LocalRunResult } from '../runner.ts';

/**
 * Runs one row's workflow. The import depends only on this signature, so a test can pass its own. `item` is the row as
 * the import's Distributed Map would hand it to the first step.
 */
export type RowExecutor = (input: KeyedWorkflowInput, executionName: string, item: ImportItem & { rowIndex: number }) => Promise<LocalRunResult>;

/**
 * Each row through the import state machine's item processor as CDK synthesizes it (the same four step fragments as
 * the workflow), on the local engine with the real handlers in-process: a CSV row as the CSV reader's record, so the
 * first step types its cells as it does in AWS, and a JSON line as its object. The engine has no Distributed Map, so
 * the CLI reads the file and runs the rows itself (dev/import/execute.ts), with the map's concurrency.
 */
export function localRowExecutor(deps: StepDependencies): RowExecutor {
  const processors = { csv: synthesizeItemProcessor('Csv'), jsonLines: synthesizeItemProcessor('JsonLines') };
  return (_input, executionName, item) => {
    return runWorkflowLocally({
      input: item,
      definition: 'csvRow' in item ? processors.csv : processors.jsonLines,
      deps,
      executionName,
    });
  };
}
