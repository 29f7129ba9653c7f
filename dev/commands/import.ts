import { constants } from 'node:fs';
import { access, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { workflowConfigFromEnv } from '../../functions/commons/workflow-config.ts';
import type { Sandbox } from '../sandbox/index.ts';
import { isHttpUrl, parseOptions } from '../cli.ts';
import type { RowExecutor } from '../import/executor.ts';
import { executeRows, type RowOutcome } from '../import/execute.ts';
import { planImport } from '../import/plan.ts';
import type { ProgressStream } from '../import/progress.ts';
import { buildReport, describeReport, RESULT_COLUMNS, resultsCsv } from '../import/report.ts';
import { readImportFile } from '../import/source.ts';

const DEFAULT_CONCURRENCY = 8;
const MAX_CONCURRENCY = 1000;

const HELP = `Usage: hc-workflow import FILE [--base-url URL] [--json] [--results FILE] [--dry-run] [--concurrency N]

Imports a spreadsheet (.csv) or JSON Lines (.jsonl) file: one workflow per row, through the state machine that CDK
synthesizes, on the local Step Functions engine, with the four Lambda handlers in-process.

  FILE               .csv: a header row of dotted input paths (prospect.firstName, prospect.email, note.body,
                     task.dueAt, meeting.timeZone, ...; optional idempotencyKey), one row per workflow.
                     .jsonl: one workflow input object per line (see hc-workflow schema).
  --base-url URL     HiringCenter API base URL; default $HIRINGCENTER_BASE_URL; when neither is set an embedded
                     sandbox is started on a free loopback port (nothing leaves this machine)
  --concurrency N    workflows running at once (the Distributed Map's MaxConcurrency in AWS); default ${DEFAULT_CONCURRENCY}
  --dry-run          validate and key every row and report; writes nothing and starts no sandbox
  --results FILE     write a CSV with one line per row: ${RESULT_COLUMNS.join(', ')}
                     (status: succeeded, failed, duplicate, or valid in a dry run)
  --json             print only {"rows","succeeded","failed","failures":[{"row","error","message"}], "duplicates",
                     "skipped", "workflows", "blankRows", "dryRun", "durationMs", "runMs"} on stdout; stderr only for errors

Cells (CSV), typed by the workflow schema: an empty cell is an absent field, and a section whose cells are all empty
(say every note.* cell) is absent; lists (prospect.labels) are separated by ";"; booleans are true or false; dates are
ISO 8601 (2025-10-10T14:00:00Z) or epoch milliseconds (1760104800000). RFC 4180 quoting: a cell in double quotes may
hold commas, line breaks and doubled quotes (""). UTF-8 with or without a byte-order mark; CRLF or LF line ends.

Row numbers are what a spreadsheet shows: the header is row 1 and the first data row is row 2. A cell with line breaks
inside quotes is still one row, and a blank line is a (skipped) row, so the numbers match the sheet, not the text
editor. For .jsonl the row number is the line number.

Every row is validated before anything is written. An invalid row is reported by its row number, with each field
(as its column header) and the fix, and nothing of it is written; the other rows go on. Each row's key is its
idempotencyKey cell, else a hash of its content, and every write the row makes is keyed by it: re-running the file,
or a corrected copy of it, writes only what is new, and identical rows in one file are one workflow (the later ones
are reported as duplicates).

Emulated locally: in AWS an import is a Distributed Map whose ItemReader reads the file from S3 and whose
ResultWriter writes the results. aws-local-stepfunctions has neither, so this command reads the file itself, runs
each row's workflow through the synthesized state machine with at most --concurrency at once, and writes --results.

With a base URL, the key comes from HIRINGCENTER_API_KEY (or HIRINGCENTER_SECRET_ID for Secrets Manager).
Progress: a live bar on stderr in a terminal (rows done, failed, rate, ETA), otherwise a line every 2 s.
Exit code: 0 when every row succeeded (or, with --dry-run, is valid), 1 when any row failed, 2 for usage errors
(options, an unreadable, empty or unsupported file, a malformed CSV, or a header problem).
`;

export interface ImportIo {
  stdout: (text: string) => void;
  stderr: ProgressStream;
  env: NodeJS.ProcessEnv;
  /** Runs each row; default: the local runner against --base-url, $HIRINGCENTER_BASE_URL or an embedded sandbox. */
  executor?: RowExecutor;
}

const processIo = (): ImportIo => ({ stdout: (text) => void process.stdout.write(text), stderr: process.stderr, env: process.env });

export async function run(argv: string[], io: ImportIo = processIo()): Promise<number> {
  const usageError = (message: string) => (io.stderr.write(`hc-workflow import: ${message}\n`), 2);
  const parsed = parseOptions('import', argv, {
    'base-url': { type: 'string' },
    json: { type: 'boolean', default: false },
    results: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (typeof parsed === 'string') return (io.stderr.write(`${parsed}\n`), 2);
  const { values, positionals } = parsed;
  if (values.help) return (io.stdout(HELP), 0);
  if (positionals.length !== 1) return usageError(`expected one FILE (.csv or .jsonl), got ${positionals.length}. See hc-workflow import --help.`);
  const concurrency = values.concurrency === undefined ? DEFAULT_CONCURRENCY : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    return usageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}.`);
  }
  const dryRun = values['dry-run'] ?? false;
  const json = values.json ?? false;
  const baseUrl = values['base-url'] ?? (io.env.HIRINGCENTER_BASE_URL?.trim() || undefined);
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) return usageError(`--base-url "${baseUrl}" is not an http(s) URL, e.g. http://127.0.0.1:4010/v2.`);
  const file = positionals[0] ?? '';
  const resultsFile = values.results;
  // Checked before any row runs: a results file that cannot be written should not be found out after the writes. Only
  // checked, not written: a usage error later on (a mistyped FILE) must leave an existing results file as it was.
  if (resultsFile !== undefined) {
    if (resolve(resultsFile) === resolve(file)) return usageError('--results must name another file than the one imported (it would be overwritten).');
    const unwritable = await cannotWrite(resultsFile);
    if (unwritable !== undefined) return usageError(`cannot write --results ${resultsFile}: ${unwritable}`);
  }

  const started = Date.now();
  const source = await readImportFile(file);
  if (!source.ok) return usageError(source.message);
  const config = workflowConfigFromEnv(io.env);
  const plan = planImport(source.rows, source.blankRows, config);
  const note = json ? () => undefined : (line: string) => void io.stderr.write(`${line}\n`);

  let outcomes: RowOutcome[] = [];
  let runMs = 0;
  if (!dryRun && plan.work.length > 0) {
    note(`Validated ${plan.rows} row(s) of ${file}: ${plan.work.length} workflow(s) to run, ${plan.invalid.length} invalid, ${plan.duplicates.length} duplicate(s).`);
    const target = await executorFor(io, baseUrl, config, note);
    if (!target.ok) return usageError(target.message);
    try {
      const { createProgress, progressMode } = await import('../import/progress.ts');
      const progress = createProgress(progressMode(io.stderr, json), io.stderr);
      const runStarted = Date.now();
      progress.start(plan.work.length);
      outcomes = await executeRows(plan.work, target.executor, { concurrency, onOutcome: (outcome) => progress.rowDone(outcome.status === 'failed') });
      progress.stop();
      runMs = Date.now() - runStarted;
      if (target.sandbox && !json) {
        const counts = target.sandbox.counts();
        note(`  the sandbox now holds ${counts.prospects} prospect(s), ${counts.notes} note(s), ${counts.tasks} task(s), ${counts.meetings} meeting(s)`);
      }
    } finally {
      await target.close();
    }
  }

  const report = buildReport(plan, outcomes, { dryRun, durationMs: Date.now() - started, runMs });
  if (resultsFile !== undefined) await writeFile(resultsFile, resultsCsv(plan, outcomes, dryRun));
  io.stdout(json ? `${JSON.stringify(report)}\n` : describeReport(report, file) + (resultsFile ? `Results: ${resultsFile}\n` : ''));
  return report.failed > 0 ? 1 : 0;
}

type ExecutorTarget =
  | { ok: true; executor: RowExecutor; sandbox?: Sandbox; close: () => Promise<void> }
  | { ok: false; message: string };

/** Loaded only when rows will run: the engine and the CDK synthesis are the slow part, and a dry run needs neither. */
async function executorFor(io: ImportIo, baseUrl: string | undefined, config: { defaultUserId?: string }, note: (line: string) => void): Promise<ExecutorTarget> {
  if (io.executor) return { ok: true, executor: io.executor, close: async () => undefined };
  const [{ HiringCenterClient, closeSharedAgents }, { silentLogger }, { openApiTarget }, { localRowExecutor }, { synthesizeWorkflow }, { localStepDependencies }] = await Promise.all([
    import('../../lib/hiringcenter/index.ts'), import('../../lib/log.ts'), import('../api-target.ts'), import('../import/executor.ts'), import('../definition.ts'), import('../local-dependencies.ts'),
  ]);
  // Synthesized now rather than inside the first row, so the progress rate and ETA measure rows, not the CDK synthesis.
  synthesizeWorkflow('import');
  let target: Awaited<ReturnType<typeof openApiTarget>> | undefined;
  let api;
  try {
    target = await openApiTarget(baseUrl, io.env);
    api = new HiringCenterClient({ baseUrl: target.url, keys: target.keys });
  } catch (error) {
    await target?.close();
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
  if (target.sandbox) note(`Started the embedded HiringCenter sandbox at ${target.url} (no base URL given).`);
  const close = target.close;
  return {
    ok: true,
    executor: localRowExecutor(localStepDependencies({ api, config, logger: silentLogger }, io.env)),
    ...(target.sandbox ? { sandbox: target.sandbox } : {}),
    close: async () => {
      await close();
      await closeSharedAgents();
    },
  };
}

/** Why `file` could not be written (an existing file, or a new one in its folder), without touching it. */
async function cannotWrite(file: string): Promise<string | undefined> {
  const code = async (path: string) => access(path, constants.W_OK).then(() => undefined, (error: NodeJS.ErrnoException) => error.code ?? String(error));
  const onFile = await code(file);
  return onFile === 'ENOENT' ? code(dirname(resolve(file))) : onFile;
}
