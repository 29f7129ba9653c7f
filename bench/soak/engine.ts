/**
 * The soak engine: many workflows, concurrently, through the synthesized state machine and the real handlers against
 * the sandbox with seeded faults; then an audit of every record and a leak count over everything captured. The
 * `npm run soak` command and the CI tests (test/reliability/) both run this module, at different sizes.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FaultKind } from '../../dev/sandbox/index.ts';
import { auditRecords, countLeaks, type AuditResult } from './audit.ts';
import { ALL_FAULT_KINDS, REAL_WORLD_FAULTS, startRig, type Delivery } from './rig.ts';
import { buildWorkload, type Counts } from './workload.ts';

export interface SoakOptions {
  workflows: number;
  concurrency: number;
  /** 0..1: share of API requests that get a fault. */
  faultRate: number;
  /** Relative weights of the fault kinds. */
  faultMix: Partial<Record<FaultKind, number>>;
  seed: number;
  /** Multiplies every wait (retries, Retry-After, timeouts, hangs, latency); 1 = real time. */
  timeScale: number;
  /** Share of workflows delivered two or three times, concurrently. */
  redeliveryRate: number;
  /** Retry-After of an injected 429, in seconds (sent as is; the runner scales the wait). */
  retryAfterSeconds: number;
  /** Injected hang and latency, in real-world ms (scaled by timeScale). */
  hangMs: number;
  latencyMs: number;
  /** The API's quota per minute (sandbox default 500), on its clock, which the time scale speeds up to match. */
  rateLimitPerMinute: number;
  /** The quota the pacer is configured with, when it differs from the API's. Default: the API's. */
  pacerRateLimitPerMinute?: number;
}

export const SOAK_DEFAULTS: SoakOptions = {
  workflows: 500,
  concurrency: 25,
  faultRate: 0.2,
  faultMix: ALL_FAULT_KINDS,
  seed: 1,
  timeScale: 0.1,
  redeliveryRate: 0.1,
  rateLimitPerMinute: 500,
  ...REAL_WORLD_FAULTS,
};

export interface SoakReport {
  workflows: number;
  deliveries: number;
  /** Workflows whose every delivery succeeded. */
  completed: number;
  /** Workflows with a failed delivery (retries exhausted, or a non-retryable error). */
  failed: number;
  /** Failed deliveries by error name. */
  failedByError: Record<string, number>;
  duplicates: number;
  lost: number;
  outputMismatches: number;
  created: Counts;
  expected: Counts;
  duplicatesByKind: Counts;
  lostByKind: Counts;
  unattributedRecords: number;
  secretLeaks: number;
  piiLeaks: number;
  scannedLogLines: number;
  scannedChars: number;
  /** State machine retries (Retry on Unavailable / InFlight) per task state, summed over deliveries. */
  retriesByStep: Record<string, number>;
  /** Caught 429s waited out in the Retry-After loop, per task state. */
  rateLimitWaitsByStep: Record<string, number>;
  faultsInjected: Record<FaultKind, number>;
  /** Requests the client gave up on (headers or body timeout). */
  clientTimeouts: number;
  /** Injected hangs that held a request (a hang drawn for a request answered 409 in-flight holds nothing): each must time out. */
  effectiveHangs: number;
  apiRequests: number;
  /** 429s from the API's own quota (not injected). */
  quotaRateLimited: number;
  /** 429s (the API's own and injected) as a share of all API requests. */
  rateLimitedShare: number;
  /** The wait each request's quota slot was from its reservation, on the API's clock (p50 / p95 / max). */
  pacerWaitP50Ms: number;
  pacerWaitP95Ms: number;
  pacerWaitMaxMs: number;
  /** The least wall time the API's quota allows for the writes the workflows needed (writes ÷ quota, scaled), and wall ÷ that. */
  quotaFloorMs: number;
  wallVsFloor: number;
  idempotentReplays: number;
  inFlightConflicts: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  wallMs: number;
  /**
   * The engine, every execution and the sandbox share one process: event-loop delay adds to every request's latency.
   * Well under the scaled client timeout (10 s × timeScale), it cannot fake a timeout.
   */
  eventLoopDelayP99Ms: number;
  examples: string[];
  options: SoakOptions;
}

export type SoakProgress = (done: number, total: number, failed: number) => void;

export async function runSoak(overrides: Partial<SoakOptions> = {}, onProgress?: SoakProgress): Promise<SoakReport> {
  const options: SoakOptions = { ...SOAK_DEFAULTS, ...overrides };
  const started = performance.now();
  const workload = buildWorkload(options);
  const rig = await startRig({
    seed: options.seed,
    timeScale: options.timeScale,
    rateLimitPerMinute: options.rateLimitPerMinute,
    ...(options.pacerRateLimitPerMinute ? { pacerRateLimitPerMinute: options.pacerRateLimitPerMinute } : {}),
    faults: { rate: options.faultRate, mix: options.faultMix, retryAfterSeconds: options.retryAfterSeconds, hangMs: options.hangMs, latencyMs: options.latencyMs },
  });
  const results: Delivery[][] = workload.map(() => []);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  try {
    let next = 0;
    let done = 0;
    let failedSoFar = 0;
    const worker = async () => {
      for (let index = next++; index < workload.length; index = next++) {
        const workflow = workload[index];
        if (!workflow) continue;
        // Redeliveries arrive together, as an at-least-once trigger retrying a slow first delivery would send them.
        const deliveries = await Promise.all(workflow.executionNames.map((name) => rig.run(workflow.payload, name)));
        results[index] = deliveries;
        done += 1;
        if (deliveries.some((delivery) => delivery.status === 'FAILED')) failedSoFar += 1;
        onProgress?.(done, workload.length, failedSoFar);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, workload.length)) }, worker));

    const audit: AuditResult = auditRecords(workload, results, rig.sandbox.records());
    const emails = workload.flatMap((workflow) => (workflow.email ? [workflow.email] : []));
    const phones = workload.flatMap((workflow) => (workflow.phone ? [workflow.phone] : []));
    const leaks = countLeaks(rig.captured, [rig.sandbox.apiKey], emails, phones);
    const deliveries = results.flat();
    const durations = deliveries.map((delivery) => delivery.durationMs).sort((a, b) => a - b);
    const stats = rig.sandbox.stats();
    const failedByError: Record<string, number> = {};
    for (const delivery of deliveries) {
      if (delivery.status === 'FAILED') failedByError[delivery.failure?.error ?? 'unknown'] = (failedByError[delivery.failure?.error ?? 'unknown'] ?? 0) + 1;
    }
    const completed = results.filter((set) => set.length > 0 && set.every((delivery) => delivery.status === 'SUCCEEDED')).length;
    const workflowsWallMs = Math.round(performance.now() - started);
    const writes = Object.values(audit.expected).reduce((sum, count) => sum + count, 0);
    const quotaFloorMs = Math.round((writes / options.rateLimitPerMinute) * 60_000 * options.timeScale);
    const waits = [...rig.pacerWaitsMs].sort((a, b) => a - b);
    const rateLimited = stats.rateLimited + stats.faults.rateLimit;
    return {
      workflows: workload.length,
      deliveries: deliveries.length,
      completed,
      failed: workload.length - completed,
      failedByError,
      duplicates: audit.duplicates,
      lost: audit.lost,
      outputMismatches: audit.outputMismatches,
      created: audit.created,
      expected: audit.expected,
      duplicatesByKind: audit.duplicatesByKind,
      lostByKind: audit.lostByKind,
      unattributedRecords: audit.unattributed,
      secretLeaks: leaks.secretLeaks,
      piiLeaks: leaks.piiLeaks,
      scannedLogLines: rig.captured.length,
      scannedChars: leaks.scannedChars,
      retriesByStep: sumBy(deliveries.map((delivery) => delivery.retries)),
      rateLimitWaitsByStep: sumBy(deliveries.map((delivery) => delivery.rateLimitWaits)),
      faultsInjected: stats.faults,
      effectiveHangs: rig.captured.filter((line) => line.includes('"fault":"hang"') && !line.includes('"status":409')).length,
      clientTimeouts: rig.captured.filter((line) => line.includes('"errorName":"HiringCenter.Unavailable"') && /timeout after \d+ ms/.test(line)).length,
      apiRequests: stats.requests,
      quotaRateLimited: stats.rateLimited,
      rateLimitedShare: stats.requests === 0 ? 0 : Math.round((rateLimited / stats.requests) * 10_000) / 10_000,
      pacerWaitP50Ms: percentile(waits, 0.5),
      pacerWaitP95Ms: percentile(waits, 0.95),
      pacerWaitMaxMs: waits.at(-1) ?? 0,
      quotaFloorMs,
      wallVsFloor: quotaFloorMs === 0 ? 0 : Math.round((workflowsWallMs / quotaFloorMs) * 100) / 100,
      idempotentReplays: stats.replays,
      inFlightConflicts: stats.inFlightConflicts,
      p50Ms: percentile(durations, 0.5),
      p95Ms: percentile(durations, 0.95),
      maxMs: durations.at(-1) ?? 0,
      wallMs: workflowsWallMs,
      eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e6),
      examples: [...audit.examples, ...leaks.examples],
      options,
    };
  } finally {
    loopDelay.disable();
    await rig.close();
  }
}

function sumBy(records: readonly Record<string, number>[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const record of records) for (const [key, value] of Object.entries(record)) sum[key] = (sum[key] ?? 0) + value;
  return Object.fromEntries(Object.entries(sum).sort(([a], [b]) => a.localeCompare(b)));
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
}
