// One measurement in a fresh Node process, spawned by bench/run.ts. It imports nothing before the clock starts but
// what Node itself has loaded, so the bundle pays for every module it needs (as in a fresh Lambda container). The
// result goes to fd 3 as one JSON line; the handler's own stdout (its logs) goes wherever the parent points it.
import { writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type * as Undici from 'undici';

type Handler = (event: unknown, context: Record<string, unknown>) => Promise<unknown>;

/** What bench/harness.ts sends in BENCH_JOB. */
interface Job {
  mode: 'cold' | 'warm' | 'bare';
  /** cold/warm: the bundle to import. */
  bundlePath?: string;
  /** The event template, `{state, execution}`; each invocation gets its own key (see keyed()). */
  event?: unknown;
  keyPrefix?: string;
  warmup?: number;
  iterations?: number;
  /** warm: the Secrets Manager stand-in's counter URL. */
  countUrl?: string;
  /** bare: a step's request (route and body) minus the per-call key; and where the project's undici is. */
  bare?: { url: string; apiKey: string; body: string; undiciUrl: string };
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job;
const report = (result: unknown): void => {
  writeSync(3, `${JSON.stringify(result)}\n`);
};

/**
 * A fresh object per call, as the Lambda runtime parses each payload anew, under its own execution: the first step's
 * key is the execution name (the quickstart input has no idempotencyKey), the later steps carry it in `state.run`.
 */
function keyed(index: number): unknown {
  const event = structuredClone(job.event) as { state: { run?: { idempotencyKey: string } }; execution: { name: string } };
  const key = `${job.keyPrefix ?? 'bench'}-${index}`;
  event.execution.name = key;
  if (event.state.run) event.state.run.idempotencyKey = key;
  return event;
}

const context = (index: number) => ({ awsRequestId: `bench-${index}`, functionName: 'bench' });
const turn = () => new Promise((resolve) => setImmediate(resolve));
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
};

/** Wall-clock median and mean per call, and (a diagnostic) this process's CPU time per call, loop bookkeeping included. */
function summary(times: number[], cpu: NodeJS.CpuUsage, iterations: number) {
  return {
    medianUs: median(times) * 1000,
    meanUs: (times.reduce((a, b) => a + b, 0) / times.length) * 1000,
    cpuUs: (cpu.user + cpu.system) / iterations,
    iterations,
  };
}

async function readCount(url: string): Promise<number> {
  const response = await fetch(url);
  return ((await response.json()) as { fetches: number }).fetches;
}

/**
 * As the Lambda Node.js runtime loads a handler: an .mjs file with import(), a .js file (no "type": "module") with
 * require().
 */
async function load(bundlePath: string): Promise<Handler> {
  // node:module is fetched only when needed, so an ESM bundle finds it no more loaded than in a fresh process.
  const loaded = (bundlePath.endsWith('.mjs')
    ? await import(pathToFileURL(bundlePath).href)
    : process.getBuiltinModule('node:module').createRequire(import.meta.url)(bundlePath)) as { handler: Handler };
  return loaded.handler;
}

async function cold(): Promise<void> {
  const event = keyed(0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const handler = await load(job.bundlePath ?? '');
  const t1 = performance.now();
  await handler(event, context(0));
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  // CPU time (all threads) is a diagnostic that machine load disturbs less than wall time.
  report({ initMs: t1 - t0, startMs: t2 - t0, cpuMs: (cpu.user + cpu.system) / 1000 });
}

async function warm(): Promise<void> {
  const handler = await load(job.bundlePath ?? '');
  const warmup = job.warmup ?? 200;
  const iterations = job.iterations ?? 2000;
  let index = 0;
  for (let i = 0; i < warmup; i += 1) {
    await handler(keyed(index), context(index));
    index += 1;
    await turn();
  }
  const before = await readCount(job.countUrl ?? '');
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) {
    const event = keyed(index);
    const ctx = context(index);
    index += 1;
    await turn();
    const started = performance.now();
    await handler(event, ctx);
    times.push(performance.now() - started);
  }
  const cpu = process.cpuUsage(cpu0);
  const after = await readCount(job.countUrl ?? '');
  report({ ...summary(times, cpu, iterations), fetches: after - before });
}

async function bare(): Promise<void> {
  const spec = job.bare;
  if (!spec) throw new Error('bare: no request spec');
  // The project's own undici (not a bundle): this is the bare client call.
  const { request } = (await import(spec.undiciUrl)) as typeof Undici;
  const send = async (index: number) => {
    const response = await request(spec.url, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${spec.apiKey}`,
        'Content-Type': 'application/json',
        'X-Idempotency-Key': `${job.keyPrefix ?? 'bare'}-${index}`,
      },
      body: spec.body,
    });
    const text = await response.body.text();
    if (response.statusCode !== 201 && response.statusCode !== 200) throw new Error(`bare request: HTTP ${response.statusCode} ${text}`);
  };
  const warmup = job.warmup ?? 200;
  const iterations = job.iterations ?? 2000;
  let index = 0;
  for (let i = 0; i < warmup; i += 1) {
    await send(index);
    index += 1;
    await turn();
  }
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i += 1) {
    await turn();
    const started = performance.now();
    await send(index);
    index += 1;
    times.push(performance.now() - started);
  }
  report(summary(times, process.cpuUsage(cpu0), iterations));
}

const modes = { cold, warm, bare };
await modes[job.mode]();
