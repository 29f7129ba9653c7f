import type { PacerState, RateLimitSignal, ReserveOptions, ReserveOutcome } from './gcra.ts';
import type { QuotaSchedule } from './schedule.ts';

/**
 * Where a quota's schedule lives. Every operation is atomic per `key` and behaves exactly as the pure function it names
 * in lib/pacer/gcra.ts, so the in-memory store (one process) and the DynamoDB store (a fleet) are interchangeable.
 * `now` is a whole number of epoch ms on the pacer's clock.
 */
export interface PacerStore {
  /** `reserveSlot(state, now, schedule, options)`. */
  reserve(key: string, schedule: QuotaSchedule, now: number, options?: ReserveOptions): Promise<ReserveOutcome>;
  /** `applyRateLimited(state, signal, now, schedule)`; returns the state after it. */
  rateLimited(key: string, schedule: QuotaSchedule, signal: RateLimitSignal, now: number): Promise<PacerState>;
  /** The current state (the initial state when the key has none). */
  read(key: string): Promise<PacerState>;
}
