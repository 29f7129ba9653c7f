import { QuotaExhaustedError, RateLimitedError } from '../errors.ts';
import type { QuotaPacer, ReservationRef, SlotDecision } from '../pacer/index.ts';
import type { ExecutionContext } from './state.ts';

/**
 * The shared API quota (lib/pacer): every request reserves its slot first, so the whole fleet's rate stays within the
 * key's quota and earlier arrivals go first; a 429 that still comes through holds everyone back.
 */
export type { QuotaPacer } from '../pacer/index.ts';

export interface StepPolicy {
  /** The state machine's timeout: no wait may end later than this after the execution started. */
  executionTimeoutMs: number;
  /** How long after its execution started a step trusts the API to still hold that execution's idempotency keys. */
  keyRetentionMs: number;
}

export const DEFAULT_STEP_POLICY: StepPolicy = {
  executionTimeoutMs: 6 * 3_600_000,
  keyRetentionMs: 23 * 3_600_000,
};

/**
 * Time a step still needs after its slot: the client's worst case for one request (3 s connect, 10 s headers, 10 s
 * body). A slot closer to the deadline than this would only turn into a timeout at the next state.
 */
const SEND_MARGIN_MS = 25_000;
/**
 * A held slot missed by more than this is not a reservation any more: the step queues again. The Wait ends within a
 * second of the slot (whole seconds, rounded up) and the Lambda starts within a few hundred ms, so a later wake-up
 * means the step was held up (Lambda throttling, a redrive hours later), and the queue has moved on: sending such
 * late slots would spend the quota of the slots now being handed out, all at once.
 */
const STALE_SLOT_MS = 5_000;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The pacing discipline of one step invocation: reserve (or confirm the slot it holds), wait, send. */
export class PacedSend {
  readonly #pacer: QuotaPacer;
  readonly #policy: StepPolicy;
  readonly #clock: Clock;
  readonly #deadline: number;
  readonly #started: number;
  readonly #where: string;
  #held: ReservationRef | undefined;

  constructor(options: { pacer: QuotaPacer; policy: StepPolicy; clock: Clock; execution: ExecutionContext; held?: ReservationRef; where: string }) {
    this.#pacer = options.pacer;
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
    const held = options.held;
    if (held !== undefined && now - held.slotAt <= STALE_SLOT_MS) this.#held = held;
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
    const slot = { cost, notLaterThan: this.#deadline - SEND_MARGIN_MS };
    // A slot held through the state machine's Wait is confirmed, never sent blindly: a rate cut may have voided it.
    const decision = this.#held ? await this.#pacer.confirm(this.#held, slot) : await this.#pacer.reserve(slot);
    this.#held = undefined;
    await this.#waitFor(decision, 'waiting for its quota slot');
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      await this.#pacer.reportRateLimited({ retryAfterSeconds: error.retryAfterSeconds, ...error.observed });
      const next = await this.#pacer.reserve(slot);
      if (!next.reserved) throw this.#exhausted(next.earliestSlotAt);
      // The pacer's hold already covers Retry-After; the later of the two guards a pacer that keeps no hold.
      const slotAt = Math.max(next.slotAt, error.slotAt);
      if (slotAt + SEND_MARGIN_MS > this.#deadline) throw this.#exhausted(slotAt);
      throw new RateLimitedError({ retryAfterSeconds: secondsUntil(slotAt, this.#clock.now()), slotAt, generation: next.generation }, error.detail);
    }
  }

  async #waitFor(decision: SlotDecision, why: string): Promise<void> {
    if (!decision.reserved) throw this.#exhausted(decision.earliestSlotAt);
    // The pacer decides what is near enough to wait for inside the Lambda (its schedule's inProcessWaitMs); a slot it
    // wants confirmed is handed to the state machine's Wait.
    if (!decision.mustConfirm) {
      if (decision.waitMs > 0) await this.#clock.sleep(decision.waitMs);
      return;
    }
    throw new RateLimitedError(
      { retryAfterSeconds: secondsUntil(decision.slotAt, this.#clock.now()), slotAt: decision.slotAt, generation: decision.generation },
      `${this.#where}: ${why} in ${formatDuration(decision.waitMs)}; the state machine waits, then the step sends in that slot`,
    );
  }

  #exhausted(slotAt: number): QuotaExhaustedError {
    const now = this.#clock.now();
    return new QuotaExhaustedError(
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

function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${(minutes / 60).toFixed(1)} h`;
}
