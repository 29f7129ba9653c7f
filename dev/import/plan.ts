import { hash } from 'node:crypto';
import { ErrorName, InputInvalidError } from '../../lib/errors.ts';
import type { KeyedWorkflowInput } from '../../lib/workflow/import-row.ts';
import type { WorkflowConfig } from '../../lib/workflow/input.ts';
import type { SourceRow } from './source.ts';

export interface PlannedRow {
  row: number;
  input: KeyedWorkflowInput;
  executionName: string;
  /** The row as the import's Distributed Map hands it to the first step (see SourceRow). */
  item: SourceRow['item'];
}

export interface RowFailure {
  row: number;
  error: string;
  message: string;
}

export interface DuplicateRow {
  row: number;
  /** The earlier row with the same key and content: the one workflow both rows are. */
  sameAs: number;
}

export interface ImportPlan {
  /** Data rows in the file (blank rows aside). */
  rows: number;
  blankRows: number;
  /** One workflow per distinct row key, in file order. */
  work: PlannedRow[];
  invalid: RowFailure[];
  duplicates: DuplicateRow[];
}

/**
 * A Step Functions execution name (1-80 of [0-9A-Za-z_-]) for a row key. The key can be any text of up to 200
 * characters, so it enters hashed: names never collide when keys differ, and the same row always gets the same name.
 */
export function executionNameForKey(key: string): string {
  return `import-${hash('sha256', key, 'hex')}`;
}

/**
 * Every row is validated and keyed before anything runs, so an invalid row is reported with nothing of it written, and
 * identical rows become one workflow. Two rows that share an idempotencyKey but differ in content
 * cannot both be that key's workflow (the API would answer the second with a Conflict after the first wrote): the later
 * one is refused here, before any write.
 */
export function planImport(rows: readonly SourceRow[], blankRows: number, config: WorkflowConfig): ImportPlan {
  const plan: ImportPlan = { rows: rows.length, blankRows, work: [], invalid: [], duplicates: [] };
  const firstByKey = new Map<string, { row: number; contentHash: string }>();
  for (const source of rows) {
    let imported;
    try {
      imported = source.toInput(config);
    } catch (error) {
      if (!(error instanceof InputInvalidError)) throw error;
      plan.invalid.push({ row: source.row, error: error.name, message: error.message });
      continue;
    }
    const key = imported.input.idempotencyKey;
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, { row: source.row, contentHash: imported.contentHash });
      plan.work.push({ row: source.row, input: imported.input, executionName: executionNameForKey(key), item: source.item });
    } else if (first.contentHash === imported.contentHash) {
      plan.duplicates.push({ row: source.row, sameAs: first.row });
    } else {
      const issue = { path: 'idempotencyKey', message: `is also the key of row ${first.row}, whose content differs; give each row its own key, or none (rows are then keyed by their content)` };
      plan.invalid.push({ row: source.row, error: ErrorName.InputInvalid, message: new InputInvalidError([issue], 'row').message });
    }
  }
  return plan;
}
