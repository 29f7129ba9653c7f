// `npm run bench:import [-- --json] [-- --dry-rows N] [-- --rows N] [-- --concurrency 8,32]`: how fast `hc-workflow
// import` is on this machine. (1) A dry run of 10,000 generated rows, as a user runs it: a fresh `hc-workflow` process,
// wall time from spawn to exit (target: at most 3 s). (2) The local import rate: 500 generated rows through the
// import command, the synthesized state machine on the local engine and a sandbox on loopback, in one process as with
// the embedded sandbox, after a 50-row warm-up that pays the one-off setup (reported apart). The sandbox's quota is
// lifted so the figure is the engine's own rate; at the live quota the API, not the engine, sets the pace.
// Progress goes to stderr; stdout gets a table, or with --json one JSON object.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { run as importCommand } from '../dev/commands/import.ts';
import { csvCell } from '../dev/import/report.ts';
import { mulberry32, startSandbox } from '../dev/sandbox/index.ts';
import { BENCH_QUOTA_ENV } from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'dry-rows': { type: 'string', default: '10000' },
    'dry-runs': { type: 'string', default: '5' },
    rows: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8,32' },
  },
});
const DRY_ROWS = positive(args['dry-rows'], 'dry-rows');
const DRY_RUNS = positive(args['dry-runs'], 'dry-runs');
const ROWS = positive(args.rows, 'rows');
const CONCURRENCY = (args.concurrency ?? '').split(',').map((value) => positive(value, 'concurrency'));
const DRY_RUN_BUDGET_MS = 3000;
const WARM_UP_ROWS = 50;
const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';
const root = fileURLToPath(new URL('..', import.meta.url));
const progress = (line: string) => process.stderr.write(`${line}\n`);
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');

function positive(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const HEADERS = ['prospect.firstName', 'prospect.lastName', 'prospect.email', 'prospect.phone', 'prospect.labels', 'prospect.company', 'note.body', 'note.pin', 'task.task', 'task.assignedTo', 'task.dueAt', 'meeting.meetingDate', 'meeting.timeZone', 'meeting.meetingType', 'meeting.ownerId', 'meeting.location'];
const FIRST = ['Priya', 'Marcus', 'Sofía', 'Theo', 'Amara', 'Dana', 'Jordan', 'Avery', 'Riley', 'Chen'];
const LAST = ['Natarajan', "O'Neill", 'Ramírez', 'Nguyen', 'Okafor', 'Kowalski', 'Miller', 'Coleman'];

/** A career-fair-like sheet: every row distinct; about half with a note, a third with a task, a quarter with a meeting. */
function generateSheet(rows: number, seed: number): string {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const lines = [HEADERS.join(',')];
  for (let index = 0; index < rows; index++) {
    const hasNote = random() < 0.5;
    const hasTask = random() < 0.33;
    const hasMeeting = random() < 0.25;
    const cells = [
      pick(FIRST), pick(LAST), `candidate.${seed}.${index}@example.com`, `+1555${String(1_000_000 + index).slice(-7)}`, `Career Fair ${2024 + (index % 3)};Spring`, pick(['', 'Lakeside Insurance, LLC', 'Nguyen Realty']),
      hasNote ? `Met at booth ${index % 40}, said "call me after finals".\nPrefers texts.` : '', hasNote ? pick(['true', 'false']) : '',
      hasTask ? 'Send the job description' : '', hasTask ? USER : '', hasTask ? String(1_760_000_000_000 + index * 60_000) : '',
      hasMeeting ? new Date(1_761_000_000_000 + index * 3_600_000).toISOString() : '', hasMeeting ? pick(['America/New_York', 'America/Chicago', 'Europe/London']) : '',
      hasMeeting ? pick(['virtual', 'phone']) : '', hasMeeting ? USER : '', hasMeeting ? 'Zoom' : '',
    ];
    lines.push(cells.map(csvCell).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function dryRunWallMs(file: string): Promise<number> {
  const started = performance.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['bin/hc-workflow.js', 'import', file, '--dry-run', '--json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const elapsed = performance.now() - started;
  const report = JSON.parse(stdout) as { workflows: number; failed: number };
  if (report.workflows !== DRY_ROWS || report.failed !== 0) throw new Error(`the generated sheet should be ${DRY_ROWS} valid rows, got ${stdout.slice(0, 300)}`);
  return elapsed;
}

interface RateResult {
  concurrency: number;
  rows: number;
  succeeded: number;
  failed: number;
  apiRequests: number;
  runMs: number;
  workflowsPerSecond: number;
  totalMs: number;
}

async function importRate(file: string, rows: number, concurrency: number): Promise<RateResult> {
  // Quota lifted, the sandbox's and the quota pacer's alike: the figure is the engine's rate, not the API's (the live API
  // allows 500 requests a minute, and the pacer would hold the import to 90 % of that).
  const sandbox = await startSandbox({ rateLimits: { perMinute: 10_000_000, perHour: 10_000_000 } });
  let stdout = '';
  try {
    const started = performance.now();
    const code = await importCommand([file, '--base-url', sandbox.url, '--json', '--concurrency', String(concurrency)], {
      stdout: (text) => void (stdout += text), stderr: process.stderr, env: { HIRINGCENTER_API_KEY: sandbox.apiKey, ...BENCH_QUOTA_ENV },
    });
    const totalMs = performance.now() - started;
    const report = JSON.parse(stdout) as { succeeded: number; failed: number; runMs: number };
    if (code !== 0) throw new Error(`the import failed: ${stdout.slice(0, 500)}`);
    return {
      concurrency, rows, succeeded: report.succeeded, failed: report.failed, apiRequests: sandbox.stats().requests,
      runMs: report.runMs, workflowsPerSecond: Math.round((report.succeeded * 10_000) / report.runMs) / 10, totalMs: Math.round(totalMs),
    };
  } finally {
    await sandbox.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'hc-bench-import-'));
try {
  progress(`node ${process.version}, load average ${load()}`);
  const dryFile = join(dir, 'dry.csv');
  writeFileSync(dryFile, generateSheet(DRY_ROWS, 1));
  progress(`dry run: ${DRY_ROWS} rows, ${DRY_RUNS} fresh hc-workflow processes`);
  const dryMs: number[] = [];
  for (let run = 0; run < DRY_RUNS; run++) {
    dryMs.push(await dryRunWallMs(dryFile));
    progress(`  run ${run + 1}: ${(dryMs.at(-1) ?? NaN).toFixed(0)} ms (load ${load()})`);
  }
  const rateFile = join(dir, 'rate.csv');
  writeFileSync(rateFile, generateSheet(ROWS, 2));
  // The first import in a process also pays the CDK synthesis and the JIT warm-up: measured apart, so the rates below
  // compare concurrency levels rather than their order.
  const warmUpFile = join(dir, 'warm-up.csv');
  writeFileSync(warmUpFile, generateSheet(WARM_UP_ROWS, 3));
  progress(`warm-up: ${WARM_UP_ROWS} rows (load ${load()})`);
  const warmUp = await importRate(warmUpFile, WARM_UP_ROWS, 8);
  const setupMs = warmUp.totalMs - warmUp.runMs;
  progress(`  setup (CDK synthesis, sandbox, first loads) ${setupMs} ms`);
  const rates: RateResult[] = [];
  for (const concurrency of CONCURRENCY) {
    progress(`import: ${ROWS} rows at --concurrency ${concurrency} (load ${load()})`);
    rates.push(await importRate(rateFile, ROWS, concurrency));
    const last = rates.at(-1);
    progress(`  ${last?.workflowsPerSecond} workflows/s (${last?.runMs} ms for ${last?.succeeded} workflows, ${last?.apiRequests} API requests)`);
  }
  const result = {
    dryRun: { rows: DRY_ROWS, medianMs: Math.round(median(dryMs)), minMs: Math.round(Math.min(...dryMs)), maxMs: Math.round(Math.max(...dryMs)), budgetMs: DRY_RUN_BUDGET_MS, withinBudget: median(dryMs) <= DRY_RUN_BUDGET_MS },
    firstImportSetupMs: setupMs,
    importRate: rates,
    loadAverage: load(),
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const lines = [
      `| figure | value |`,
      `|---|---|`,
      `| dry run, ${DRY_ROWS} rows (fresh process, wall) | median ${result.dryRun.medianMs} ms, min ${result.dryRun.minMs}, max ${result.dryRun.maxMs} (budget ${DRY_RUN_BUDGET_MS} ms: ${result.dryRun.withinBudget ? 'met' : 'MISSED'}) |`,
      `| setup of the first import in a process (CDK synthesis, sandbox, loads) | ${setupMs} ms |`,
      ...rates.map((rate) => `| import, ${rate.rows} rows, --concurrency ${rate.concurrency} | ${rate.workflowsPerSecond} workflows/s (${rate.runMs} ms for ${rate.succeeded} workflows; ${rate.apiRequests} API requests) |`),
      `| load average at the end | ${result.loadAverage} |`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  if (!result.dryRun.withinBudget) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
