// `npm run soak [-- options]`: the reliability proof. Many workflows through the synthesized state machine against the
// sandbox with seeded faults, an audit of every record, a leak count over every log line and output, the duplicate
// delivery and redrive drills, and fuzzing of every input path. Progress goes to stderr; stdout gets a summary, or with
// --json exactly one JSON object. Exit code 0 when every promise held, 1 when one broke, 2 for a usage error.
import { parseArgs } from 'node:util';
import { closeSharedAgents } from '../lib/hiringcenter/index.ts';
import { FAULT_KINDS, type FaultKind } from '../dev/sandbox/index.ts';
import { runSoak, SOAK_DEFAULTS, type SoakOptions } from './soak/engine.ts';
import { cliFileTarget } from './soak/fuzz-cli.ts';
import { handlerTarget, runFuzzTarget, schemaTarget, webhookModelTarget, type FuzzResult } from './soak/fuzz.ts';
import { duplicateDeliveryDrill, redriveDrill, RETENTION_MS } from './soak/scenarios.ts';
import type { Counts } from './soak/workload.ts';

const HELP = `Usage: npm run soak -- [options]

Runs many workflows through the CDK-synthesized state machine (local engine, real handlers and client) against the
API sandbox with seeded fault injection, then audits every record: completed, failed, duplicates, lost, leaks.

  --workflows N          workflows, each with its own prospect (default ${SOAK_DEFAULTS.workflows})
  --concurrency N        workflows in flight at once (default ${SOAK_DEFAULTS.concurrency})
  --fault-rate R         0..1, share of API requests that get a fault (default ${SOAK_DEFAULTS.faultRate})
  --fault-mix LIST       weights, e.g. rateLimit=1,serverError=2,hang=0 (kinds: ${FAULT_KINDS.join(', ')}; default all 1)
  --seed N               seed of the workload and of the faults (default ${SOAK_DEFAULTS.seed})
  --time-scale S         0 < S <= 1: multiplies every wait (retry backoff, Retry-After, client timeouts, injected hangs
                         and latency, the API's rate-limit clock). Order of events is kept, no wait is skipped.
                         1 = real time (default ${SOAK_DEFAULTS.timeScale})
  --redelivery-rate R    share of workflows delivered 2-3 times concurrently (default ${SOAK_DEFAULTS.redeliveryRate})
  --retry-after S        Retry-After of an injected 429, seconds (default ${SOAK_DEFAULTS.retryAfterSeconds})
  --hang-ms MS           injected hang, real-world ms, past the 10 s client timeout (default ${SOAK_DEFAULTS.hangMs})
  --latency-ms MS        injected latency, real-world ms (default ${SOAK_DEFAULTS.latencyMs})
  --rate-limit N         the API's own quota, requests per minute per key, and the quota pacer's (default ${SOAK_DEFAULTS.rateLimitPerMinute})
  --pacer-rate-limit M   configure only the pacer with M per minute (e.g. 10x the API's, to see it adapt to 429s)
  --fuzz-cases N         fuzz cases per target: schema, handlers, webhook model, CLI file (default 10000; 0 = skip)
  --cli-runs N           of the CLI file cases, how many run the whole hc-workflow run in-process (default 500)
  --no-drills            skip the duplicate-delivery and redrive drills
  --json                 print one JSON object on stdout
  -h, --help             this text
`;

function fail(message: string): never {
  process.stderr.write(`soak: ${message}\n`);
  process.exit(2);
}

function numberOption(raw: string | undefined, name: string, check: (value: number) => boolean, rule: string): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) fail(`--${name} must be ${rule}, got "${raw}"`);
  return value;
}

function parseMix(raw: string | undefined): Partial<Record<FaultKind, number>> | undefined {
  if (raw === undefined) return undefined;
  const mix: Partial<Record<FaultKind, number>> = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0]));
  for (const part of raw.split(',').filter(Boolean)) {
    const [kind, weight = '1'] = part.split('=');
    if (!(FAULT_KINDS as readonly string[]).includes(kind ?? '')) fail(`--fault-mix: unknown fault kind "${kind}" (kinds: ${FAULT_KINDS.join(', ')})`);
    mix[kind as FaultKind] = numberOption(weight, 'fault-mix', (v) => v >= 0, 'a non-negative weight');
  }
  return mix;
}

let parsed;
try {
  parsed = parseArgs({
    options: {
      workflows: { type: 'string' }, concurrency: { type: 'string' }, 'fault-rate': { type: 'string' }, 'fault-mix': { type: 'string' },
      seed: { type: 'string' }, 'time-scale': { type: 'string' }, 'redelivery-rate': { type: 'string' }, 'retry-after': { type: 'string' },
      'hang-ms': { type: 'string' }, 'latency-ms': { type: 'string' }, 'rate-limit': { type: 'string' }, 'pacer-rate-limit': { type: 'string' }, 'fuzz-cases': { type: 'string' }, 'cli-runs': { type: 'string' },
      'no-drills': { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
} catch (error) {
  fail(`${error instanceof Error ? error.message : String(error)}. See --help.`);
}
const args = parsed.values;
if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const int = (v: number) => Number.isInteger(v);
const overrides: Partial<SoakOptions> = Object.fromEntries(Object.entries({
  workflows: numberOption(args.workflows, 'workflows', (v) => int(v) && v >= 1, 'a positive integer'),
  concurrency: numberOption(args.concurrency, 'concurrency', (v) => int(v) && v >= 1, 'a positive integer'),
  faultRate: numberOption(args['fault-rate'], 'fault-rate', (v) => v >= 0 && v <= 1, 'between 0 and 1'),
  faultMix: parseMix(args['fault-mix']),
  seed: numberOption(args.seed, 'seed', int, 'an integer'),
  timeScale: numberOption(args['time-scale'], 'time-scale', (v) => v > 0 && v <= 1, 'in (0, 1]'),
  redeliveryRate: numberOption(args['redelivery-rate'], 'redelivery-rate', (v) => v >= 0 && v <= 1, 'between 0 and 1'),
  retryAfterSeconds: numberOption(args['retry-after'], 'retry-after', (v) => int(v) && v >= 1 && v <= 3600, 'an integer from 1 to 3600'),
  hangMs: numberOption(args['hang-ms'], 'hang-ms', (v) => v >= 0, 'a non-negative number'),
  latencyMs: numberOption(args['latency-ms'], 'latency-ms', (v) => v >= 0, 'a non-negative number'),
  rateLimitPerMinute: numberOption(args['rate-limit'], 'rate-limit', (v) => int(v) && v >= 1, 'a positive integer'),
  pacerRateLimitPerMinute: numberOption(args['pacer-rate-limit'], 'pacer-rate-limit', (v) => int(v) && v >= 1, 'a positive integer'),
}).filter(([, value]) => value !== undefined));
const fuzzCases = numberOption(args['fuzz-cases'], 'fuzz-cases', (v) => int(v) && v >= 0, 'a non-negative integer') ?? 10_000;
const cliRuns = numberOption(args['cli-runs'], 'cli-runs', (v) => int(v) && v >= 0, 'a non-negative integer') ?? 500;
const options: SoakOptions = { ...SOAK_DEFAULTS, ...overrides };

const progress = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const started = performance.now();

progress(`${options.workflows} workflows, concurrency ${options.concurrency}, fault rate ${options.faultRate}, seed ${options.seed}, time scale ${options.timeScale}`);
let lastReport = 0;
const soak = await runSoak(options, (done, total, failed) => {
  if (done === total || performance.now() - lastReport > 2_000) {
    lastReport = performance.now();
    progress(`${done}/${total} workflows done, ${failed} failed`);
  }
});

const ones: Counts = { prospects: 1, notes: 1, tasks: 1, meetings: 1 };
const sameCounts = (a: Counts, b: Counts) => JSON.stringify(a) === JSON.stringify(b);
let drills: Record<string, unknown> | undefined;
let drillsOk = true;
if (!args['no-drills']) {
  progress('drill: one request delivered 3 times concurrently, then once more');
  const duplicateDelivery = await duplicateDeliveryDrill({ seed: options.seed, timeScale: options.timeScale, faults: { rate: options.faultRate, mix: options.faultMix, hangMs: options.hangMs, latencyMs: options.latencyMs } });
  progress('drill: POST /meetings commits but every answer is lost until the retries run out, then a redrive');
  const redrive = await redriveDrill({ seed: options.seed, timeScale: options.timeScale });
  progress('drill: the same redrive 25 h later, after the API forgot the idempotency keys');
  const redriveAfterRetention = await redriveDrill({ seed: options.seed, timeScale: options.timeScale, redriveAfterMs: RETENTION_MS + 3_600_000 });
  drills = { duplicateDelivery, redrive, redriveAfterRetention };
  drillsOk = duplicateDelivery.every((drill) => drill.succeeded === drill.deliveries && drill.sameOutput && sameCounts(drill.counts, ones))
    && [redrive, redriveAfterRetention].every((drill) => drill.firstAttempt.status === 'FAILED' && drill.firstAttempt.failedState === 'CreateMeeting'
      && sameCounts(drill.firstAttempt.counts, ones) && drill.redrive.status === 'SUCCEEDED' && drill.redrive.resumedAt === 'CreateMeeting'
      && sameCounts(drill.redrive.counts, ones) && drill.redrive.keptIds);
}

const fuzz: Record<string, FuzzResult> = {};
if (fuzzCases > 0) {
  for (const make of [schemaTarget, handlerTarget, webhookModelTarget, () => cliFileTarget(Math.min(cliRuns, fuzzCases))]) {
    const target = await make();
    progress(`fuzz: ${target.name}, ${fuzzCases} cases`);
    try {
      fuzz[target.name] = await runFuzzTarget(target, fuzzCases, options.seed);
    } finally {
      await target.close?.();
    }
  }
}
const fuzzViolations = Object.values(fuzz).reduce((sum, result) => sum + result.violations, 0);

const ok = soak.completed === soak.workflows && soak.duplicates === 0 && soak.lost === 0 && soak.outputMismatches === 0
  && soak.secretLeaks === 0 && soak.piiLeaks === 0 && drillsOk && fuzzViolations === 0;
const report = { ...soak, ...(drills ? { drills } : {}), ...(fuzzCases > 0 ? { fuzz, fuzzViolations } : {}), ok, totalWallMs: Math.round(performance.now() - started) };
await closeSharedAgents();

if (args.json) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  const kinds = ['prospects', 'notes', 'tasks', 'meetings'] as const;
  const lines = [
    `Soak: ${soak.workflows} workflows (${soak.deliveries} deliveries), fault rate ${options.faultRate}, time scale ${options.timeScale}, seed ${options.seed}`,
    `  completed ${soak.completed}/${soak.workflows}   failed ${soak.failed} ${JSON.stringify(soak.failedByError)}`,
    `  duplicates ${soak.duplicates}   lost ${soak.lost}   output mismatches ${soak.outputMismatches}   secret leaks ${soak.secretLeaks}   PII leaks ${soak.piiLeaks} (${soak.scannedLogLines} lines scanned)`,
    `  created vs expected: ${kinds.map((kind) => `${kind} ${soak.created[kind]}/${soak.expected[kind]}`).join(', ')}`,
    `  faults injected: ${Object.entries(soak.faultsInjected).map(([kind, n]) => `${kind} ${n}`).join(', ')} of ${soak.apiRequests} API requests; ${soak.clientTimeouts} client timeouts (${soak.effectiveHangs} hangs held a request); ${soak.quotaRateLimited} refused by the API's quota; ${soak.idempotentReplays} idempotent replays`,
    `  retries by step: ${JSON.stringify(soak.retriesByStep)}   rate-limit waits: ${JSON.stringify(soak.rateLimitWaitsByStep)}`,
    `  quota: ${soak.quotaRateLimited} of ${soak.apiRequests} requests refused by the API (${(soak.rateLimitedShare * 100).toFixed(2)} % 429s with injected ones); pacer waits p50 ${soak.pacerWaitP50Ms} ms, p95 ${soak.pacerWaitP95Ms} ms, max ${soak.pacerWaitMaxMs} ms (API clock); wall ${soak.wallMs} ms = ${soak.wallVsFloor}x the quota floor ${soak.quotaFloorMs} ms`,
    `  latency p50 ${soak.p50Ms} ms, p95 ${soak.p95Ms} ms, max ${soak.maxMs} ms (scaled by ${options.timeScale}); wall ${soak.wallMs} ms; event-loop delay p99 ${soak.eventLoopDelayP99Ms} ms`,
    ...(soak.eventLoopDelayP99Ms > 2_500 * options.timeScale ? [`  ! event-loop delay is over a quarter of the scaled 10 s client timeout: lower --concurrency or raise --time-scale, or timeouts may be artefacts`] : []),
    ...(drills ? [`Drills: ${drillsOk ? 'passed' : 'FAILED'} ${JSON.stringify(drills)}`] : []),
    ...Object.values(fuzz).map((result) => `Fuzz ${result.target}: ${result.cases} cases, ${result.accepted} accepted, ${result.rejected} rejected, ${result.violations} violations${result.examples.length ? `: ${result.examples.join(' / ')}` : ''}`),
    ...soak.examples.map((example) => `  ! ${example}`),
    `${ok ? 'OK' : 'BROKEN'}: every accepted request completed exactly once: ${ok ? 'yes' : 'no'} (total ${report.totalWallMs} ms)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
process.exitCode = ok ? 0 : 1;
