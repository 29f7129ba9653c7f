/**
 * One soak rig: the sandbox with seeded faults, the real client and handlers, and the synthesized state machine on the
 * local engine, every duration scaled by one factor so that the run keeps the deployed policy's shape but finishes in
 * minutes. Everything the workflows print or return is captured, for the leak count.
 */
import { DEFAULT_TIMEOUTS, HiringCenterClient } from '../../lib/hiringcenter/index.ts';
import { localStepDependencies } from '../../dev/local-dependencies.ts';
import { createQuotaPacer, MemoryPacerStore, type QuotaPacer } from '../../lib/pacer/index.ts';
import { redriveWorkflowLocally, runWorkflowLocally, type LocalRunOptions, type LocalRunResult } from '../../dev/runner.ts';
import { startSandbox, type FaultKind, type RandomFaults, type Sandbox } from '../../dev/sandbox/index.ts';
import { createJsonLogger } from '../../dev/json-logger.ts';
import { StaticKeyProvider } from '../../lib/secrets/index.ts';

export interface RigOptions {
  seed: number;
  /** Multiplies every wait: retry intervals, Retry-After, client timeouts, injected hangs and latency, the API's clock. */
  timeScale: number;
  /** Random faults, with hangMs and latencyMs in unscaled (real-world) milliseconds. */
  faults?: RandomFaults;
  /** The API's own quota per API key (default 500/min, 10,000/h), on the API's scaled clock. */
  rateLimitPerMinute?: number;
  /** The quota the pacer is configured with, when it differs from the API's (to show adaptation). Default: the API's. */
  pacerRateLimitPerMinute?: number;
}

/** The sandbox's hour quota for a given minute quota: never the binding window in a soak, as in the live API's defaults. */
const perHourFor = (perMinute: number) => Math.max(10_000, perMinute * 60);

export interface Delivery extends LocalRunResult {
  /** Rate-limit waits (caught 429s) per task state. */
  rateLimitWaits: Record<string, number>;
}

export interface Rig {
  sandbox: Sandbox;
  /** The wait (on the API's clock) of every slot the pacer handed out, in ms. */
  pacerWaitsMs: number[];
  /** Every log line, output, failure and published event of every execution, and the sandbox access log. */
  captured: string[];
  run(payload: unknown, executionName: string): Promise<Delivery>;
  /** Redrives a failed or timed-out delivery, as Step Functions would: at the failed state, with its input. */
  redrive(previous: Delivery): Promise<Delivery>;
  /** Moves the clock of the API and the steps forward (idempotency retention, rate windows), e.g. past 24 h. */
  advanceClock(ms: number): void;
  setFaults(faults: RandomFaults | undefined): void;
  close(): Promise<void>;
}

/** Faults in real-world durations: a hang outlasts the client's 10 s response timeout, added latency stays under it. */
export const REAL_WORLD_FAULTS = { retryAfterSeconds: 1, hangMs: 15_000, latencyMs: 2_000 } as const;
/**
 * undici checks headers and body timeouts on a ~0.5 s tick, so a timeout fires up to about 1 s late whatever the time
 * scale. A hang waits for the client to give up (at most this long past the scaled timeout), then runs its scaled rest.
 */
export const UNDICI_TIMER_SLACK_MS = 1_250;
export const ALL_FAULT_KINDS: Record<FaultKind, number> = { rateLimit: 1, serverError: 1, resetAfterCommit: 1, hang: 1, latency: 1 };

export async function startRig(options: RigOptions): Promise<Rig> {
  const { timeScale } = options;
  if (!(timeScale > 0 && timeScale <= 1)) throw new RangeError('timeScale must be in (0, 1]');
  // The API's clock runs 1/timeScale as fast, so its per-minute rate window and its Retry-After values stay consistent
  // with waits that the runner scales down.
  const started = Date.now();
  let offset = 0;
  const now = () => started + (Date.now() - started) / timeScale + offset;
  const timeouts = {
    connectMs: Math.max(1, Math.round(DEFAULT_TIMEOUTS.connectMs * timeScale)),
    headersMs: Math.max(1, Math.round(DEFAULT_TIMEOUTS.headersMs * timeScale)),
    bodyMs: Math.max(1, Math.round(DEFAULT_TIMEOUTS.bodyMs * timeScale)),
  };
  const scaleFaults = (faults: RandomFaults | undefined): RandomFaults | undefined => {
    if (!faults) return undefined;
    const hangMs = faults.hangMs ?? REAL_WORLD_FAULTS.hangMs;
    const latencyMs = (faults.latencyMs ?? REAL_WORLD_FAULTS.latencyMs) * timeScale;
    if (hangMs <= DEFAULT_TIMEOUTS.headersMs) return { ...faults, hangMs: hangMs * timeScale, latencyMs };
    // A hang past the client's timeout: the API finishes (hang - timeout) × scale after the client gave up, measured
    // from the moment it really gave up, so undici's unscaled timer slack neither hides the hang nor stretches it.
    return {
      ...faults,
      hangMs: Math.max(hangMs * timeScale, timeouts.headersMs + UNDICI_TIMER_SLACK_MS),
      hangAfterDisconnectMs: (hangMs - DEFAULT_TIMEOUTS.headersMs) * timeScale,
      latencyMs,
    };
  };
  const captured: string[] = [];
  const sandbox = await startSandbox({
    seed: options.seed,
    now,
    ...(options.faults ? { faults: scaleFaults(options.faults) } : {}),
    ...(options.rateLimitPerMinute ? { rateLimits: { perMinute: options.rateLimitPerMinute, perHour: perHourFor(options.rateLimitPerMinute) } } : {}),
    onResponse: (entry) => captured.push(JSON.stringify(entry)),
  });
  const logger = createJsonLogger({ level: 'debug', write: (line) => captured.push(line), secrets: () => [sandbox.apiKey] });
  const client = new HiringCenterClient({
    baseUrl: sandbox.url,
    keys: new StaticKeyProvider(sandbox.apiKey),
    timeouts,
  });
  // The steps live on the API's clock: their quota slots, key-retention window and execution deadline are in its
  // time, and a wait of w ms on it lasts w × timeScale real ms.
  // One pacer for the whole fleet of in-process steps, on the API's clock, as the DynamoDB one is shared in AWS.
  const pacerPerMinute = options.pacerRateLimitPerMinute ?? options.rateLimitPerMinute ?? 500;
  const pacerWaitsMs: number[] = [];
  const pacer = recordingWaits(createQuotaPacer({ store: new MemoryPacerStore(), quotaKey: 'soak', perMinute: pacerPerMinute, perHour: perHourFor(pacerPerMinute), now }), pacerWaitsMs);
  const deps = localStepDependencies({
    api: client,
    config: {},
    logger,
    pacer,
    clock: { now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * timeScale)) },
  });
  const deliver = async (start: (options: Omit<LocalRunOptions, 'input' | 'executionName'>) => Promise<LocalRunResult>): Promise<Delivery> => {
    const rateLimitWaits: Record<string, number> = {};
    const result = await start({
      timeScale,
      deps,
      onEvent: (event) => {
        if (event.type === 'state-entered' && event.state.endsWith('RateLimited')) {
          const step = event.state.slice(0, -'RateLimited'.length);
          rateLimitWaits[step] = (rateLimitWaits[step] ?? 0) + 1;
        }
      },
    });
    captured.push(JSON.stringify({ status: result.status, output: result.output, failure: result.failure, activityEvents: result.activityEvents }));
    return { ...result, rateLimitWaits };
  };
  return {
    sandbox,
    pacerWaitsMs,
    captured,
    run: (payload, executionName) => deliver((options) => runWorkflowLocally({ ...options, input: payload, executionName })),
    redrive: (previous) => deliver((options) => redriveWorkflowLocally(previous, options)),
    advanceClock(ms) {
      offset += ms;
    },
    setFaults(faults) {
      sandbox.setRandomFaults(scaleFaults(faults));
    },
    close: () => sandbox.close(),
  };
}

/** The pacer, recording how long each newly reserved slot was from its request (confirmations are the same slot). */
function recordingWaits(pacer: QuotaPacer, waits: number[]): QuotaPacer {
  return {
    ...pacer,
    async reserve(options) {
      const decision = await pacer.reserve(options);
      if (decision.reserved) waits.push(decision.waitMs);
      return decision;
    },
  };
}
