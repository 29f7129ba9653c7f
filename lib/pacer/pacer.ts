import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { isReservationCurrent, type RateLimitSignal } from './gcra.ts';
import { quotaSchedule, type QuotaSchedule, type QuotaSettings } from './schedule.ts';
import type { PacerStore } from './store.ts';

export interface QuotaPacerOptions extends QuotaSettings {
  store: PacerStore;
  /** Names the quota (one API key) in the store; see `quotaKeyForSecret`. Never the API key itself. */
  quotaKey: string;
  /** Epoch-ms clock. Default `Date.now`; the soak passes its scaled clock. */
  now?: () => number;
}

/** A slot that is this caller's. */
export interface Reservation {
  readonly reserved: true;
  /** Epoch ms at which the request may be sent. */
  readonly slotAt: number;
  readonly generation: number;
  /** slotAt − now when it was handed out (0 when the slot is now or past). */
  readonly waitMs: number;
  /**
   * The wait is longer than `schedule.inProcessWaitMs`: wait elsewhere (a Wait state), then pass this reservation to
   * `confirm()` and act on its answer instead of sending straight away. A cut may have voided the slot meanwhile.
   */
  readonly mustConfirm: boolean;
}

/** No slot was taken: the next free one is later than `notLaterThan`. */
export interface QuotaRefusal {
  readonly reserved: false;
  readonly earliestSlotAt: number;
  readonly waitMs: number;
}

export type SlotDecision = Reservation | QuotaRefusal;

/** The part of a reservation that travels through the state machine and comes back to `confirm()`. */
export const ReservationRefSchema = z.object({ slotAt: z.number().check(z.int()), generation: z.number().check(z.int()) });
export type ReservationRef = z.infer<typeof ReservationRefSchema>;

export interface SlotOptions {
  /** Epoch ms: take no slot later than this (e.g. the latest time the execution may still send). */
  notLaterThan?: number;
  /** How many API requests the slot covers, sent one after another from the slot on (1 to `maxCost`). Default 1. */
  cost?: number;
}

export interface QuotaPacer {
  readonly schedule: QuotaSchedule;
  /** Takes the next free slot, first come first served (the schedule moves on for the next caller). */
  reserve(options?: SlotOptions): Promise<SlotDecision>;
  /** After waiting for a slot that `mustConfirm`: the same slot if it still stands, else a new one. */
  confirm(reservation: ReservationRef, options?: SlotOptions): Promise<SlotDecision>;
  /** A 429 came back anyway: hold the shared schedule until Retry-After and cut the rate if the 429 warrants it. */
  reportRateLimited(signal: RateLimitSignal): Promise<void>;
}

/** A quota key derived from the API key's secret id (ARN or name), so the key is named without being revealed. */
export function quotaKeyForSecret(secretId: string): string {
  return `hiringcenter#${createHash('sha256').update(secretId).digest('hex').slice(0, 32)}`;
}

export function createQuotaPacer(options: QuotaPacerOptions): QuotaPacer {
  const { store, quotaKey } = options;
  if (typeof quotaKey !== 'string' || quotaKey.trim() === '') {
    throw new RangeError('Quota pacer: quotaKey must name the quota, e.g. quotaKeyForSecret(HIRINGCENTER_SECRET_ID)');
  }
  const schedule = quotaSchedule(options);
  const clock = options.now ?? Date.now;
  // Whole milliseconds keep every stored value an integer, so both stores compute bit-identical schedules.
  const now = (): number => Math.ceil(clock());

  const decide = (outcome: Awaited<ReturnType<PacerStore['reserve']>>, at: number): SlotDecision => {
    if (!outcome.reserved) return { reserved: false, earliestSlotAt: outcome.earliestSlotAt, waitMs: outcome.earliestSlotAt - at };
    const waitMs = Math.max(0, outcome.slotAt - at);
    return { reserved: true, slotAt: outcome.slotAt, generation: outcome.generation, waitMs, mustConfirm: waitMs > schedule.inProcessWaitMs };
  };

  const reserve = async (slotOptions: SlotOptions = {}): Promise<SlotDecision> => {
    const at = now();
    return decide(await store.reserve(quotaKey, schedule, at, slotOptions), at);
  };

  return {
    schedule,
    reserve,
    async confirm(reservation, slotOptions = {}) {
      const ref = ReservationRefSchema.parse(reservation);
      const state = await store.read(quotaKey);
      if (!isReservationCurrent(state, ref)) return reserve(slotOptions);
      const at = now();
      const waitMs = Math.max(0, ref.slotAt - at);
      return { reserved: true, slotAt: ref.slotAt, generation: ref.generation, waitMs, mustConfirm: waitMs > schedule.inProcessWaitMs };
    },
    async reportRateLimited(signal) {
      await store.rateLimited(quotaKey, schedule, signal, now());
    },
  };
}
