import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak/engine.ts';
import { duplicateDeliveryDrill, redriveDrill, RETENTION_MS } from '../../bench/soak/scenarios.ts';
import { synthesizeWorkflow } from '../../dev/definition.ts';
import { scaleDefinitionTime } from '../../dev/runner.ts';
import { quickstartInput, startHarness, type Harness } from '../support/harness.ts';

/*
 * The reliability promise at CI size: every accepted request completes, and no record is ever created twice, whatever
 * the network and the API do. `npm run soak` runs the same engine at 500 workflows plus 10,000 fuzz cases per target.
 * Waits are scaled by 0.05 (retry backoff, Retry-After, client timeouts, hangs), keeping the deployed policy's shape.
 */
const TIME_SCALE = 0.05;
const ONE_EACH = { prospects: 1, notes: 1, tasks: 1, meetings: 1 };

describe('the soak engine at CI size', () => {
  it('completes 60 workflows at a 20 % fault rate exactly once, and no log or output holds the key, an email or a phone', async () => {
    const report = await runSoak({ workflows: 60, concurrency: 20, timeScale: TIME_SCALE, seed: 7 });
    expect({ completed: report.completed, failed: report.failed, failedByError: report.failedByError }).toEqual({ completed: 60, failed: 0, failedByError: {} });
    expect({ duplicates: report.duplicates, lost: report.lost, outputMismatches: report.outputMismatches }).toEqual({ duplicates: 0, lost: 0, outputMismatches: 0 });
    expect(report.created).toEqual(report.expected);
    expect({ secretLeaks: report.secretLeaks, piiLeaks: report.piiLeaks }).toEqual({ secretLeaks: 0, piiLeaks: 0 });
    expect(report.examples).toEqual([]);
    // The proof only means something if the faults happened: every kind fired, and writes were replayed, not redone.
    for (const kind of ['rateLimit', 'serverError', 'resetAfterCommit', 'hang', 'latency'] as const) expect(report.faultsInjected[kind]).toBeGreaterThan(0);
    expect(report.idempotentReplays).toBeGreaterThan(0);
    expect(report.effectiveHangs).toBeGreaterThan(0);
    expect(report.clientTimeouts).toBeGreaterThanOrEqual(report.effectiveHangs);
    expect(report.deliveries).toBeGreaterThan(report.workflows);
    expect(report.scannedLogLines).toBeGreaterThan(report.deliveries * 4);
  });
});

describe('a burst far beyond the API quota', () => {
  it('completes every workflow at the quota\'s own pace: 4x the per-minute quota at once, no failure, no duplicate, almost no 429', async () => {
    // 40 workflows arriving at once against 10 requests per minute: about 145 writes, a quarter of an hour of quota.
    const report = await runSoak({ workflows: 40, concurrency: 40, faultRate: 0, redeliveryRate: 0, rateLimitPerMinute: 10, timeScale: 0.02, seed: 11 });
    expect({ completed: report.completed, failed: report.failed, duplicates: report.duplicates, lost: report.lost }).toEqual({ completed: 40, failed: 0, duplicates: 0, lost: 0 });
    expect(report.rateLimitedShare).toBeLessThanOrEqual(0.02);
    // The pacer keeps 90 % of the quota for itself, so 1.11x the floor is the best it can do; the one process running
    // every execution adds its own delays at this scale (a minute of quota is 1.2 s of wall time).
    expect(report.wallVsFloor).toBeGreaterThanOrEqual(1.1);
    expect(report.wallVsFloor).toBeLessThanOrEqual(1.35);
    expect(report.pacerWaitP95Ms).toBeGreaterThan(60_000);
  }, 90_000);
});

describe('duplicate delivery', () => {
  it('creates one prospect, note, task and meeting when one request arrives three times at once and once more later, with faults on', async () => {
    const reports = await duplicateDeliveryDrill({ seed: 3, timeScale: TIME_SCALE, faults: { rate: 0.2 } });
    expect(reports.map((report) => report.via)).toEqual(['idempotencyKey', 'eventId']);
    for (const report of reports) {
      expect(report).toMatchObject({ deliveries: 4, succeeded: 4, sameOutput: true, counts: ONE_EACH });
    }
  });
});

describe('redrive after a write whose every answer was lost', () => {
  it.each([
    ['within the API\'s key retention', 0],
    ['25 h later, after the API forgot the idempotency keys', RETENTION_MS + 3_600_000],
  ])('%s: fails at CreateMeeting, resumes there, and leaves one prospect, note, task and meeting', async (_when, redriveAfterMs) => {
    const report = await redriveDrill({ seed: 5, timeScale: TIME_SCALE, redriveAfterMs });
    expect(report.firstAttempt).toMatchObject({
      status: 'FAILED', error: 'HiringCenter.Unavailable', failedState: 'CreateMeeting', retriesAtFailedState: 6,
      failureEvent: { detailType: 'ProspectActivityFailed', status: 'FAILED', message: expect.stringMatching(/^CreateMeeting: /) },
      // The meeting was written: only its answers were lost.
      counts: ONE_EACH,
    });
    expect(report.redrive).toEqual({ status: 'SUCCEEDED', resumedAt: 'CreateMeeting', transitions: 1, counts: ONE_EACH, keptIds: true, completedEvent: true });
  });
});

describe('the runner\'s timeScale', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness.close());

  type Retrier = { ErrorEquals: string[]; IntervalSeconds?: number; MaxDelaySeconds?: number; MaxAttempts?: number; BackoffRate?: number; JitterStrategy?: string };
  const retriers = (definition: unknown) => Object.values((definition as { States: Record<string, { Retry?: Retrier[] }> }).States).flatMap((state) => state.Retry ?? []);

  it('multiplies every retrier interval and delay cap, and keeps attempts, backoff rates and jitter', () => {
    const { definition } = synthesizeWorkflow();
    const before = JSON.stringify(definition);
    const scaled = retriers(scaleDefinitionTime(definition, 0.1));
    const original = retriers(definition);
    expect(JSON.stringify(definition)).toBe(before);
    expect(scaled.length).toBeGreaterThan(0);
    scaled.forEach((retrier, index) => {
      const source = original[index] as Retrier;
      expect(retrier.IntervalSeconds).toBeCloseTo((source.IntervalSeconds ?? 1) * 0.1, 10);
      if (source.MaxDelaySeconds !== undefined) expect(retrier.MaxDelaySeconds).toBeCloseTo(source.MaxDelaySeconds * 0.1, 10);
      expect([retrier.MaxAttempts, retrier.BackoffRate, retrier.JitterStrategy]).toEqual([source.MaxAttempts, source.BackoffRate, source.JitterStrategy]);
    });
  });

  it('waits for a quota slot on the scaled clock, and keeps the order of events of a real-time run', async () => {
    const run = async (target: Harness, timeScale: number) => {
      target.sandbox.injectFaults([{ kind: 'serverError', status: 503 }], { method: 'POST', path: '/notes' });
      target.sandbox.injectFaults([{ kind: 'rateLimit', retryAfterSeconds: 2 }], { method: 'POST', path: '/tasks' });
      const started = Date.now();
      const result = await target.run(quickstartInput(), { retryDelayMs: undefined, timeScale });
      return { status: result.status, ms: Date.now() - started, order: result.events.map((event) => `${event.type}:${'state' in event ? event.state : ''}`) };
    };
    const scaledHarness = await startHarness({ timeScale: 0.05 });
    try {
      const real = await run(harness, 1);
      const scaled = await run(scaledHarness, 0.05);
      expect([real.status, scaled.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
      // Retry-After 2 s, plus the 503's retry (1-2 s of full jitter): real time waits it all, the scaled run a twentieth.
      expect(real.ms).toBeGreaterThanOrEqual(1_900);
      expect(scaled.ms).toBeLessThan(1_000);
      expect(scaled.order).toEqual(real.order);
      expect(scaled.order.filter((entry) => entry.startsWith('state-retried'))).toEqual(['state-retried:CreateNote']);
      expect(scaled.order).toContain('state-entered:CreateTaskWaitForSlot');
    } finally {
      await scaledHarness.close();
    }
  });
});
