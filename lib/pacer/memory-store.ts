import { applyRateLimited, INITIAL_STATE, reserveSlot, type PacerState, type RateLimitSignal, type ReserveOptions, type ReserveOutcome } from './gcra.ts';
import type { QuotaSchedule } from './schedule.ts';
import type { PacerStore } from './store.ts';

/**
 * The schedule in this process's memory: for the local runner, the CLI and tests, where every caller shares one
 * process. Each operation runs to completion before its promise settles (no await inside), so it is atomic per key.
 */
export class MemoryPacerStore implements PacerStore {
  readonly #states = new Map<string, PacerState>();

  async reserve(key: string, schedule: QuotaSchedule, now: number, options: ReserveOptions = {}): Promise<ReserveOutcome> {
    const outcome = reserveSlot(this.#state(key), now, schedule, options);
    this.#states.set(key, outcome.state);
    return outcome;
  }

  async rateLimited(key: string, schedule: QuotaSchedule, signal: RateLimitSignal, now: number): Promise<PacerState> {
    const next = applyRateLimited(this.#state(key), signal, now, schedule);
    this.#states.set(key, next);
    return next;
  }

  async read(key: string): Promise<PacerState> {
    return this.#state(key);
  }

  #state(key: string): PacerState {
    return this.#states.get(key) ?? INITIAL_STATE;
  }
}
