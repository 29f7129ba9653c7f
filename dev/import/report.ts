import type { RowOutcome } from './execute.ts';
import type { DuplicateRow, ImportPlan, RowFailure } from './plan.ts';

/** The `--json` object: the contract's rows/succeeded/failed/failures, and what else a caller needs to act on. */
export interface ImportReport {
  rows: number;
  succeeded: number;
  failed: number;
  failures: RowFailure[];
  /** Rows identical to an earlier row (same key, same content): imported once, as that row. */
  duplicates: DuplicateRow[];
  skipped: number;
  /** Distinct workflows the file holds (valid rows without their duplicates). */
  workflows: number;
  blankRows: number;
  dryRun: boolean;
  /** The whole command: reading, validation, setup (sandbox, synthesis) and the runs. */
  durationMs: number;
  /** From the first workflow's start to the last one's end: what the import rate is measured over. */
  runMs: number;
}

export function buildReport(plan: ImportPlan, outcomes: readonly RowOutcome[], options: { dryRun: boolean; durationMs: number; runMs: number }): ImportReport {
  const failures = [
    ...plan.invalid,
    ...outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [{ row: outcome.row, error: outcome.failure.error, message: outcome.failure.message }] : [])),
  ].sort((a, b) => a.row - b.row);
  return {
    rows: plan.rows,
    succeeded: outcomes.filter((outcome) => outcome.status === 'succeeded').length,
    failed: failures.length,
    failures,
    duplicates: plan.duplicates,
    skipped: plan.duplicates.length,
    workflows: plan.work.length,
    blankRows: plan.blankRows,
    dryRun: options.dryRun,
    durationMs: options.durationMs,
    runMs: options.runMs,
  };
}

export const RESULT_COLUMNS = ['row', 'status', 'prospectId', 'noteId', 'taskId', 'meetingId', 'error', 'message'] as const;
type ResultLine = Partial<Record<(typeof RESULT_COLUMNS)[number], string | number>>;

/**
 * One line per data row, in file order: succeeded (with the ids), failed (error and message), duplicate (the ids of the
 * row it repeats), or, in a dry run, valid. What the Distributed Map's ResultWriter leaves in results/ in AWS.
 */
export function resultsCsv(plan: ImportPlan, outcomes: readonly RowOutcome[], dryRun: boolean): string {
  const byRow = new Map(outcomes.map((outcome) => [outcome.row, outcome]));
  const idsOf = (row: number): ResultLine => {
    const outcome = byRow.get(row);
    if (outcome?.status !== 'succeeded') return {};
    const { prospectId, noteId, taskId, meetingId } = outcome.output;
    return { prospectId, noteId, taskId, meetingId };
  };
  const lines: ResultLine[] = [
    ...plan.invalid.map((failure) => ({ row: failure.row, status: 'failed', error: failure.error, message: failure.message })),
    ...plan.work.map((item): ResultLine => {
      const outcome = byRow.get(item.row);
      if (dryRun || !outcome) return { row: item.row, status: 'valid' };
      return outcome.status === 'succeeded'
        ? { row: item.row, status: 'succeeded', ...idsOf(item.row) }
        : { row: item.row, status: 'failed', error: outcome.failure.error, message: outcome.failure.message };
    }),
    ...plan.duplicates.map((duplicate) => ({ row: duplicate.row, status: 'duplicate', ...idsOf(duplicate.sameAs), message: `identical to row ${duplicate.sameAs}; imported once, as that row` })),
  ].sort((a, b) => Number(a.row) - Number(b.row));
  return [RESULT_COLUMNS.join(','), ...lines.map((line) => RESULT_COLUMNS.map((column) => csvCell(line[column])).join(','))].join('\r\n') + '\r\n';
}

/** RFC 4180 quoting, so the results open cleanly in the spreadsheet the rows came from. */
export function csvCell(value: string | number | undefined): string {
  const text = value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A sheet with a broken column fails every row: the summary stays readable, and --results has the full list. */
const MAX_LISTED_FAILURES = 50;

/** The human summary on stdout. */
export function describeReport(report: ImportReport, file: string): string {
  const verb = report.dryRun ? 'Checked' : 'Imported';
  const outcome = report.dryRun
    ? `${report.workflows} valid workflow(s), ${report.failed} invalid row(s), nothing written (dry run)`
    : `${report.succeeded} succeeded, ${report.failed} failed`;
  const rate = report.runMs > 0 ? `; ${report.workflows} workflow(s) ran in ${(report.runMs / 1000).toFixed(1)} s, ${((report.workflows * 1000) / report.runMs).toFixed(1)}/s` : '';
  const lines = [`${verb} ${file}: ${report.rows} row(s) → ${outcome}, ${report.skipped} duplicate row(s) skipped, in ${(report.durationMs / 1000).toFixed(1)} s${rate}`];
  if (report.failures.length > 0) {
    lines.push(report.dryRun ? 'Invalid rows:' : 'Failed rows:');
    for (const failure of report.failures.slice(0, MAX_LISTED_FAILURES)) lines.push(`  row ${failure.row}: ${failure.error}: ${failure.message}`);
    const more = report.failures.length - MAX_LISTED_FAILURES;
    if (more > 0) lines.push(`  … and ${more} more (--results FILE or --json lists them all)`);
  }
  if (report.duplicates.length > 0) {
    lines.push('Duplicate rows (imported once, as the earlier row):');
    lines.push(`  ${report.duplicates.map((duplicate) => `row ${duplicate.row} = row ${duplicate.sameAs}`).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
