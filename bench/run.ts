// `npm run bench [-- --json] [-- --cold-runs N] [-- --warm-iterations N]`: cold start, warm invocation, secret fetches
// and end-to-end latency of the four step Lambdas, built exactly as CDK bundles them, against the floor, minimal and
// naive baselines measured in the same run. Progress goes to stderr; stdout gets the table, or with --json one JSON
// object. bench/README.md explains every figure.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HiringCenterClient, closeSharedAgents } from '../lib/hiringcenter/index.ts';
import { localStepDependencies } from '../dev/local-dependencies.ts';
import { runWorkflowLocally } from '../dev/runner.ts';
import { startSandbox } from '../dev/sandbox/index.ts';
import { silentLogger } from '../lib/log.ts';
import { StaticKeyProvider } from '../lib/secrets/index.ts';
import { BASELINE_NAMES, HANDLER_NAMES, synthesizeBundles, type BaselineName, type BuiltFunction, type HandlerName } from './build.ts';
import {
  BENCH_QUOTA_ENV, load, measureCold, median, progress, quantile, round, startFixtures, type ColdTarget, type EventKind, type Fixtures, type Route,
} from './harness.ts';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    'cold-runs': { type: 'string', default: '31' },
    'warm-iterations': { type: 'string', default: '2000' },
    'warm-rounds': { type: 'string', default: '5' },
    'e2e-runs': { type: 'string', default: '9' },
  },
});
const COLD_RUNS = positive(args['cold-runs'], 'cold-runs');
const WARM_ITERATIONS = positive(args['warm-iterations'], 'warm-iterations');
const WARM_ROUNDS = positive(args['warm-rounds'], 'warm-rounds');
const E2E_RUNS = positive(args['e2e-runs'], 'e2e-runs');
const WARMUP = 200;
const E2E_LATENCY_MS = 50;
/** The quickstart workflow makes four API calls: upsert, note, task, meeting. */
const E2E_ROUND_TRIPS = 4;

function positive(raw: string | undefined, name: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

type Target = HandlerName | BaselineName;
const TARGETS: readonly Target[] = [...HANDLER_NAMES, ...BASELINE_NAMES];

interface Figures {
  bundleBytes: number;
  coldInitMs: number;
  coldStartMs: number;
  warmInvokeUs: number;
  secretFetchesPer1000Warm: number;
}

interface Ratios {
  coldStartVsFloor: number;
  coldStartVsNaive: number;
  coldStartVsMinimal: number;
  warmVsBare: number;
  warmVsMinimal: number;
}

interface BenchResult {
  handlers: Record<HandlerName, Figures>;
  floor: Figures;
  naive: Figures;
  minimal: Figures;
  bareRequestUs: number;
  e2e: { latencyMs: number; floorMs: number; transitions: number };
  ratios: Record<HandlerName, Ratios>;
}

async function main(): Promise<void> {
  progress(`node ${process.version}, load average ${load()}`);
  const outdir = mkdtempSync(join(tmpdir(), 'hc-bench-'));
  const started = performance.now();
  try {
    progress('synthesizing the CDK app with bundling on (the four handlers + three baselines)...');
    const built = synthesizeBundles(outdir, { baselines: true });
    const baselines = built.baselines;
    if (!baselines) throw new Error('baselines were not built');
    const bundles: Record<Target, BuiltFunction> = { ...built.handlers, ...baselines };
    progress(`synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (const target of TARGETS) progress(`  ${target.padEnd(14)} ${bundles[target].bundleBytes} bytes  env ${JSON.stringify(bundles[target].environment)}`);

    const fixtures = await startFixtures(outdir);
    let measured: BenchResult;
    try {
      measured = await measure(fixtures, bundles);
    } finally {
      await fixtures.close();
    }
    progress(`done in ${((performance.now() - started) / 1000).toFixed(0)} s, load average ${load()}`);
    // With --json, stdout carries only the JSON object; the table still goes to stderr for the person watching.
    if (args.json) {
      process.stderr.write(`${renderTable(measured)}\n`);
      process.stdout.write(`${JSON.stringify(measured, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderTable(measured)}\n`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const ROUTES: readonly Route[] = ['prospects', 'notes', 'tasks', 'meetings'];
const ROUTE_OF: Record<HandlerName, Route> = { upsertProspect: 'prospects', createNote: 'notes', createTask: 'tasks', createMeeting: 'meetings' };
/** Diagnostic for the table footer (not in the JSON): the bare request's median on each step's own route. */
let bareByRoute: Record<Route, number> = { prospects: NaN, notes: NaN, tasks: NaN, meetings: NaN };

const KIND: Record<Target, EventKind> = {
  upsertProspect: 'upsert', createNote: 'note', createTask: 'task', createMeeting: 'meeting', floor: 'note', naive: 'note', minimal: 'note',
};

async function measure(fixtures: Fixtures, bundles: Record<Target, BuiltFunction>): Promise<BenchResult> {
  // Only the floor reads the API key from its environment; the others fetch it from the Secrets Manager stand-in.
  const coldTargets: ColdTarget[] = TARGETS.map((name) => ({
    name, bundlePath: bundles[name].bundlePath, kind: KIND[name], environment: bundles[name].environment, apiKeyInEnv: name === 'floor',
  }));
  progress(`cold: ${COLD_RUNS} fresh processes per target (load ${load()})`);
  const cold = await measureCold(fixtures, coldTargets, COLD_RUNS);
  for (const target of TARGETS) {
    const { initMs, startMs, cpuMs } = cold[target] ?? { initMs: [], startMs: [], cpuMs: [] };
    progress(`  ${target.padEnd(14)} init ${median(initMs).toFixed(1)} ms, start ${median(startMs).toFixed(1)} ms (p25 ${quantile(startMs, 0.25).toFixed(1)}, p75 ${quantile(startMs, 0.75).toFixed(1)}), CPU ${median(cpuMs).toFixed(1)} ms`);
  }

  // Warm: each round measures the bare requests and every target in its own fresh process, WARMUP calls discarded.
  // Every invocation gets its own execution key, so each one is a real write (no idempotent replays). The bare request
  // of the JSON is createNote's (POST /notes); the other routes' bare requests are diagnostics for the table footer.
  type Slot = Target | `bare:${Route}`;
  const slots: Slot[] = [...ROUTES.map((route) => `bare:${route}` as const), ...TARGETS];
  const warm = Object.fromEntries(slots.map((slot) => [slot, { medianUs: [] as number[], fetches: 0, iterations: 0 }])) as Record<Slot, { medianUs: number[]; fetches: number; iterations: number }>;
  for (let roundIndex = 0; roundIndex < WARM_ROUNDS; roundIndex += 1) {
    progress(`warm round ${roundIndex + 1}/${WARM_ROUNDS}: ${WARM_ITERATIONS} invocations per target (load ${load()})`);
    for (let i = 0; i < slots.length; i += 1) {
      const slot = slots[(roundIndex + i) % slots.length] as Slot;
      const job = { keyPrefix: `${slot}-warm-${randomUUID()}`, warmup: WARMUP, iterations: WARM_ITERATIONS };
      const sample = slot.startsWith('bare:')
        ? await fixtures.run({ ...job, mode: 'bare', route: slot.slice('bare:'.length) as Route }, {})
        : await fixtures.run({ ...job, mode: 'warm', bundlePath: bundles[slot as Target].bundlePath, kind: KIND[slot as Target] }, bundles[slot as Target].environment, { apiKeyInEnv: slot === 'floor' });
      warm[slot].medianUs.push(sample.medianUs ?? NaN);
      warm[slot].fetches += sample.fetches ?? 0;
      warm[slot].iterations += sample.iterations ?? 0;
      progress(`  ${slot.padEnd(14)} ${(sample.medianUs ?? NaN).toFixed(0)} µs median, ${(sample.meanUs ?? NaN).toFixed(0)} µs mean, ${(sample.cpuUs ?? NaN).toFixed(0)} µs client CPU, ${sample.fetches ?? 0} secret fetches`);
    }
  }
  bareByRoute = Object.fromEntries(ROUTES.map((route) => [route, round(median(warm[`bare:${route}`].medianUs), 0)])) as Record<Route, number>;

  const figures = (target: Target): Figures => ({
    bundleBytes: bundles[target].bundleBytes,
    coldInitMs: round(median(cold[target]?.initMs ?? []), 1),
    coldStartMs: round(median(cold[target]?.startMs ?? []), 1),
    warmInvokeUs: round(median(warm[target].medianUs), 0),
    secretFetchesPer1000Warm: round((warm[target].fetches / warm[target].iterations) * 1000, 1),
  });
  const handlers = Object.fromEntries(HANDLER_NAMES.map((name) => [name, figures(name)])) as Record<HandlerName, Figures>;
  const floor = figures('floor');
  const naive = figures('naive');
  const minimal = figures('minimal');
  const bareRequestUs = bareByRoute.notes;
  const e2e = await endToEnd(fixtures.quickstart);
  // Paired ratios: each cold round runs every target once, back to back, and each warm round does the same, so the ratio
  // is taken within a round and the median over rounds reported. Load from other work on a shared machine comes in
  // bursts that hit one round's targets alike; a ratio of the overall medians would take each side from other rounds.
  const coldStart = (target: Target): number[] => cold[target]?.startMs ?? [];
  const warmRounds = (slot: Slot): number[] => warm[slot].medianUs;
  const ratios = Object.fromEntries(HANDLER_NAMES.map((name): [HandlerName, Ratios] => [name, {
    coldStartVsFloor: round(pairedRatio(coldStart(name), coldStart('floor')), 2),
    coldStartVsNaive: round(pairedRatio(coldStart(name), coldStart('naive')), 2),
    coldStartVsMinimal: round(pairedRatio(coldStart(name), coldStart('minimal')), 2),
    warmVsBare: round(pairedRatio(warmRounds(name), warmRounds('bare:notes')), 2),
    warmVsMinimal: round(pairedRatio(warmRounds(name), warmRounds('minimal')), 2),
  }])) as BenchResult['ratios'];
  return { handlers, floor, naive, minimal, bareRequestUs, e2e, ratios };
}

/** The median over rounds of a[i] / b[i], where round i measured both. */
function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((value, index) => value / (b[index] ?? NaN)).filter((ratio) => Number.isFinite(ratio)));
}

/** The quickstart input through the synthesized ASL (runWorkflowLocally), against a sandbox adding 50 ms per request. */
async function endToEnd(input: unknown): Promise<BenchResult['e2e']> {
  const sandbox = await startSandbox({ latencyMs: E2E_LATENCY_MS, rateLimits: { perMinute: 1e9, perHour: 1e9 } });
  try {
    // The pacer's quota is lifted as the sandbox's is, so that ten back-to-back workflows measure latency, not pacing.
    const deps = localStepDependencies({ api: new HiringCenterClient({ baseUrl: sandbox.url, keys: new StaticKeyProvider(sandbox.apiKey) }), config: {}, logger: silentLogger }, { ...process.env, ...BENCH_QUOTA_ENV });
    const latencies: number[] = [];
    let transitions = 0;
    // Run 0 is a warm-up: it also pays the one-off CDK synth of the definition, which is not workflow latency.
    for (let runIndex = 0; runIndex <= E2E_RUNS; runIndex += 1) {
      let entered = 0;
      const started = performance.now();
      const result = await runWorkflowLocally({ input, deps, onEvent: (event) => { if (event.type === 'state-entered') entered += 1; } });
      const elapsed = performance.now() - started;
      if (result.status !== 'SUCCEEDED') throw new Error(`e2e run failed: ${JSON.stringify(result.failure)}`);
      if (runIndex === 0) continue;
      latencies.push(elapsed);
      transitions = entered;
    }
    const latencyMs = round(median(latencies), 1);
    progress(`e2e: ${latencyMs} ms median over ${E2E_RUNS} runs (min ${Math.min(...latencies).toFixed(1)}, max ${Math.max(...latencies).toFixed(1)}), ${transitions} states entered`);
    return { latencyMs, floorMs: E2E_ROUND_TRIPS * E2E_LATENCY_MS, transitions };
  } finally {
    await closeSharedAgents();
    await sandbox.close();
  }
}

function renderTable(result: BenchResult): string {
  const header = '| | bundle bytes | cold init ms | cold start ms | warm invoke µs | secret fetches / 1000 warm | cold start / minimal | cold start / naive | cold start / floor | warm / bare | warm / minimal |';
  const lines = [header, '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  const times = (value: number | undefined) => (value === undefined ? '' : `${value}×`);
  const row = (name: string, figures: Figures, ratios?: Ratios) =>
    lines.push(`| ${name} | ${figures.bundleBytes.toLocaleString('en-US')} | ${figures.coldInitMs} | ${figures.coldStartMs} | ${figures.warmInvokeUs} | ${figures.secretFetchesPer1000Warm} | ${times(ratios?.coldStartVsMinimal)} | ${times(ratios?.coldStartVsNaive)} | ${times(ratios?.coldStartVsFloor)} | ${times(ratios?.warmVsBare)} | ${times(ratios?.warmVsMinimal)} |`);
  for (const name of HANDLER_NAMES) row(name, result.handlers[name], result.ratios[name]);
  row('minimal (baseline)', result.minimal);
  row('naive (baseline)', result.naive);
  row('floor (baseline)', result.floor);
  const e2e = result.e2e;
  return [
    ...lines,
    '',
    `bare undici.request (POST /v2/notes, keep-alive): ${result.bareRequestUs} µs`,
    `diagnostic, bare request on each step's own route: ${ROUTES.map((route) => `${route} ${bareByRoute[route]} µs`).join(', ')}; ` +
      `warm / own-route bare: ${HANDLER_NAMES.map((name) => `${name} ${round(result.handlers[name].warmInvokeUs / bareByRoute[ROUTE_OF[name]], 2)}×`).join(', ')}`,
    `minimal baseline: cold start ${round(result.minimal.coldStartMs / result.floor.coldStartMs, 2)}× floor, ${round(result.minimal.coldStartMs / result.naive.coldStartMs, 2)}× naive; ` +
      `warm ${round(result.minimal.warmInvokeUs / result.bareRequestUs, 2)}× bare`,
    `end to end (quickstart, ${E2E_LATENCY_MS} ms API latency): ${e2e.latencyMs} ms vs floor ${e2e.floorMs} ms = ${round(e2e.latencyMs / e2e.floorMs, 2)}×; ${e2e.transitions} state transitions per workflow`,
    `node ${process.version}; ${COLD_RUNS} cold processes per target; warm: ${WARM_ROUNDS} × ${WARM_ITERATIONS} invocations; load average ${load()}`,
  ].join('\n');
}

await main();
