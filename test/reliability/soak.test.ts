import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak/engine.ts';
import { duplicateDeliveryDrill, redriveDrill, RETENTION_MS } from '../../bench/soak/scenarios.ts';
import { synthesizeWorkflow } from '../../dev/definition.ts';
import { scaleDefinitionTime, type RunEvent } from '../../dev/runner.ts';
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

describe('duplicate delivery', () => {
  it('creates one prospect, note, task and meeting when one request arrives three times at once and once more later, with faults on', async () => {
    const reports = await duplicateDeliveryDrill({ seed: 3, timeScale: TIME_SCALE, faults: { rate: 0.2 } });
    expect(reports.map((report) => report.via)).toEqual(['idempotencyKey', 'eventId']);
    for (const report of reports) {
      expect(report).toMatchObject({ deliveries: 4, succeeded: 4, sameOutput: true, counts: ONE_EACH });
    }
  });
});

describe('redrive after an outage that outlasts the retries', () => {
  it('fails at CreateMeeting with the earlier records kept, then creates only the meeting when redriven', async () => {
    const report = await redriveDrill({ seed: 5, timeScale: TIME_SCALE });
    expect(report.firstAttempt).toEqual({
      status: 'FAILED', error: 'HiringCenter.Unavailable', failedState: 'CreateMeeting', retriesAtFailedState: 6, failureEventStep: 'CreateMeeting',
      counts: { ...ONE_EACH, meetings: 0 },
    });
    expect(report.redrive).toEqual({ status: 'SUCCEEDED', counts: ONE_EACH, keptIds: true });
  });

  it('documents the limit: re-run after the API forgot its idempotency keys (24 h), the prospect is matched but the note and task repeat', async () => {
    const report = await redriveDrill({ seed: 5, timeScale: TIME_SCALE, redriveAfterMs: RETENTION_MS + 3_600_000 });
    expect(report.redrive).toEqual({ status: 'SUCCEEDED', counts: { prospects: 1, notes: 2, tasks: 2, meetings: 1 }, keptIds: false });
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

  it("waits Retry-After × scale in the rate-limit Wait, and keeps the order of events of a real-time run", async () => {
    const run = async (timeScale: number) => {
      harness.sandbox.reset();
      harness.sandbox.injectFaults([{ kind: 'serverError', status: 503 }], { method: 'POST', path: '/notes' });
      harness.sandbox.injectFaults([{ kind: 'rateLimit', retryAfterSeconds: 1 }], { method: 'POST', path: '/tasks' });
      const result = await harness.run(quickstartInput(), { retryDelayMs: undefined, timeScale });
      const at = (type: RunEvent['type']) => result.events.find((event) => event.type === type && 'state' in event && event.state === 'WaitRetryAfter')?.at ?? 0;
      return { status: result.status, waitedMs: at('state-exited') - at('state-entered'), order: result.events.map((event) => `${event.type}:${'state' in event ? event.state : ''}`) };
    };
    const real = await run(1);
    const scaled = await run(0.05);
    expect([real.status, scaled.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(real.waitedMs).toBeGreaterThanOrEqual(950);
    expect(scaled.waitedMs).toBeGreaterThanOrEqual(45);
    expect(scaled.waitedMs).toBeLessThan(500);
    expect(scaled.order).toEqual(real.order);
    expect(scaled.order.filter((entry) => entry.startsWith('state-retried'))).toEqual(['state-retried:CreateNote']);
  });
});
