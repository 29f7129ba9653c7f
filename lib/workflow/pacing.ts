import { QuotaExhaustedError, RateLimitedError, type RateLimitWait } from '../errors.ts';
import type { ExecutionContext } from './state.ts';

/**
 * The shared API quota, as a step sees it. Every request reserves its slot first, so the whole fleet's rate stays
 * within the key's quota and earlier arrivals go first; a 429 that still comes through pushes everyone back.
 */
export interface QuotaGate {
  /** Reserves `cost` consecutive request slots; resolves to the epoch ms of the first. */
  reserve(cost: number): Promise<number>;
  /** The API answered 429 despite the pacing (another client shares the key, or the plan is lower than configured). */
  reportRateLimited(wait: RateLimitWait): Promise<void>;
}

/** No shared pacing: every request may go now, and a 429 is simply waited out. */
export const UNPACED: QuotaGate = { reserve: async () => 0, reportRateLimited: async () => undefined };

export interface StepPolicy {
  /** The state machine's timeout: no wait may end later than this after the execution started. */
  executionTimeoutMs: number;
  /** How long after its execution started a step trusts the API to still hold that execution's idempotency keys. */
  keyRetentionMs: number;
  /** A slot nearer than this is waited for inside the Lambda; a later one is handed to the state machine's Wait. */
  maxInlineWaitMs: number;
}

export const DEFAULT_STEP_POLICY: StepPolicy = {
  executionTimeoutMs: 6 * 3_600_000,
  keyRetentionMs: 23 * 3_600_000,
  maxInlineWaitMs: 1_000,
};

/**
 * Time a step still needs after its slot: the client's worst case for one request (3 s connect, 10 s headers, 10 s
 * body). A slot closer to the deadline than this would only turn into a timeout at the next state.
 */
const SEND_MARGIN_MS = 25_000;
/** A held slot older than this (a redrive, hours later) is not a reservation any more: queue again. */
const STALE_SLOT_MS = 60_000;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The pacing discipline of one step invocation: reserve, wait (inline or in the state machine), send. */
export class PacedSend {
  readonly #quota: QuotaGate;
  readonly #policy: StepPolicy;
  readonly #clock: Clock;
  readonly #deadline: number;
  readonly #started: number;
  readonly #where: string;
  #heldSlotAt: number | undefined;

  constructor(options: { quota: QuotaGate; policy: StepPolicy; clock: Clock; execution: ExecutionContext; heldSlotAt?: number; where: string }) {
    this.#quota = options.quota;
    this.#policy = options.policy;
    this.#clock = options.clock;
    this.#where = options.where;
    this.#started = Date.parse(options.execution.startTime);
    if (Number.isNaN(this.#started)) throw new TypeError(`${options.where}: execution.startTime must be an ISO 8601 timestamp`);
    // A redrive restarts the execution's timeout, but the Task cannot see when the redrive began (RedriveTime exists
    // only on redriven executions, and a JSONPath to a missing field fails the state). Past the first timeout this can
    // only be a redrive: bound the waits by a full timeout from now; a wait that overruns it times the execution out,
    // and that execution can be redriven in turn.
    const firstDeadline = this.#started + this.#policy.executionTimeoutMs;
    const now = this.#clock.now();
    this.#deadline = now < firstDeadline ? firstDeadline : now + this.#policy.executionTimeoutMs;
    const held = options.heldSlotAt;
    if (held !== undefined && this.#clock.now() - held <= STALE_SLOT_MS) this.#heldSlotAt = held;
  }

  /**
   * True once the execution is older than the API's idempotency retention: a key sent then may have been forgotten, so
   * the step looks for the record it may already have written before writing again.
   */
  get pastKeyRetention(): boolean {
    return this.#clock.now() - this.#started > this.#policy.keyRetentionMs;
  }

  /** Runs `send` (which makes `cost` API requests) in this step's quota slot. */
  async send<T>(cost: number, send: () => Promise<T>): Promise<T> {
    const slotAt = this.#heldSlotAt ?? (await this.#quota.reserve(cost));
    this.#heldSlotAt = undefined;
    await this.#waitFor(slotAt, `waiting for its quota slot`);
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      await this.#quota.reportRateLimited(error);
      const next = Math.max(await this.#quota.reserve(cost), error.slotAt);
      this.#checkDeadline(next);
      throw new RateLimitedError({ retryAfterSeconds: secondsUntil(next, this.#clock.now()), slotAt: next }, error.detail);
    }
  }

  async #waitFor(slotAt: number, why: string): Promise<void> {
    const wait = slotAt - this.#clock.now();
    if (wait <= 0) return;
    this.#checkDeadline(slotAt);
    if (wait <= this.#policy.maxInlineWaitMs) return this.#clock.sleep(wait);
    throw new RateLimitedError(
      { retryAfterSeconds: secondsUntil(slotAt, this.#clock.now()), slotAt },
      `${this.#where}: ${why} in ${formatDuration(wait)}; the state machine waits, then the step sends in that slot`,
    );
  }

  #checkDeadline(slotAt: number): void {
    if (slotAt + SEND_MARGIN_MS <= this.#deadline) return;
    const now = this.#clock.now();
    throw new QuotaExhaustedError(
      `${this.#where}: the API quota's next free slot is in ${formatDuration(slotAt - now)} (${new Date(slotAt).toISOString()}), ` +
        `later than this execution may wait: it times out at ${new Date(this.#deadline).toISOString()}. Nothing was sent for ` +
        'this step; redrive the execution when the burst has passed, or give the quota pacer a larger share of the key ' +
        '(context apiQuotaPerMinute, apiQuotaPerHour, apiQuotaShare) or the execution more time (context executionTimeout).',
    );
  }
}

function secondsUntil(at: number, now: number): number {
  return Math.max(1, Math.ceil((at - now) / 1000));
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}
