import type { FailureInfo } from '../runner.ts';
import type { WorkflowRun } from '../../lib/workflow/steps.ts';
import type { RowExecutor } from './executor.ts';
import type { PlannedRow } from './plan.ts';

export type RowOutcome =
  | { row: number; status: 'succeeded'; output: WorkflowRun }
  | { row: number; status: 'failed'; failure: FailureInfo };

/**
 * Runs the planned rows with at most `concurrency` workflows at once (the Distributed Map's MaxConcurrency in AWS). A
 * failed row never stops the others (ToleratedFailurePercentage 100); an executor that throws fails only its row.
 */
export async function executeRows(
  work: readonly PlannedRow[],
  executor: RowExecutor,
  options: { concurrency: number; onOutcome?: (outcome: RowOutcome) => void },
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  let next = 0;
  const worker = async () => {
    for (let item = work[next++]; item !== undefined; item = work[next++]) {
      const outcome = await runOne(item, executor);
      outcomes.push(outcome);
      options.onOutcome?.(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, work.length) }, worker));
  return outcomes.sort((a, b) => a.row - b.row);
}

async function runOne(item: PlannedRow, executor: RowExecutor): Promise<RowOutcome> {
  try {
    const result = await executor(item.input, item.executionName, item.item);
    if (result.status === 'SUCCEEDED' && result.output) return { row: item.row, status: 'succeeded', output: result.output };
    return { row: item.row, status: 'failed', failure: result.failure ?? { error: 'States.Runtime', message: 'the execution ended without output' } };
  } catch (error) {
    const failure = error instanceof Error ? { error: error.name, message: error.message } : { error: 'Error', message: String(error) };
    return { row: item.row, status: 'failed', failure };
  }
}
