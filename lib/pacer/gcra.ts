// The pacer's algorithm as pure functions over one quota's state: two GCRA windows (minute and hour) that hand out
// first-come-first-served slots, and the adaptive hold/cut after a 429. Both stores apply exactly these functions;
// docs/decisions/quota-pacer.md has the reasoning and the sliding-window bound.
import type { QuotaSchedule, WindowSchedule } from './schedule.ts';

/**
 * One quota's shared schedule. Times are whole epoch milliseconds on the pacer's clock.
 *
 * `minuteNext`/`hourNext` are each window's earliest next slot, i.e. its theoretical arrival time minus its burst
 * tolerance (TAT − τ); they are stored instead of the TATs so that a change of tolerance keeps the queue in place.
 */
export interface PacerState {
  readonly minuteNext: number;
  readonly hourNext: number;
  /** No slot before this (the last 429's Retry-After). Recovery starts here. */
  readonly holdUntil: number;
  /** Each window's rate factor at `holdUntil`, in (0, 1]; 1 = the configured rate. */
  readonly minuteFactor: number;
  readonly hourFactor: number;
  /** Bumped by every cut; a reservation from an older generation is void. */
  readonly generation: number;
}

export const INITIAL_STATE: PacerState = { minuteNext: 0, hourNext: 0, holdUntil: 0, minuteFactor: 1, hourFactor: 1, generation: 0 };

/** What a 429 told us (lib/hiringcenter/rate-limit.ts parses it from the response). */
export interface RateLimitSignal {
  /** Retry-After, seconds (>= 0). */
  retryAfterSeconds: number;
  /** RateLimit-Limit: the quota of the window the headers describe. */
  limit?: number;
  /** RateLimit-Remaining. Above 0 on a 429, the headers describe another window than the one exceeded. */
  remaining?: number;
  /** RateLimit-Reset, seconds from now: above 60 means the hour window. */
  resetSeconds?: number;
}

/** The lowest rate factor a cut may reach (a thousandth of the configured rate). */
const MIN_RATE_FACTOR = 0.001;
/** A 429 whose Retry-After ends within this of the current hold changes nothing (whole-second headers). */
export const HOLD_SLACK_MS = 1_000;
const MAX_RETRY_AFTER_SECONDS = 86_400;

interface RateFactors {
  readonly minute: number;
  readonly hour: number;
}

function recovered(factor: number, state: PacerState, now: number, schedule: QuotaSchedule): number {
  if (factor >= 1) return 1;
  if (now <= state.holdUntil) return factor;
  return Math.min(1, factor * 2 ** ((now - state.holdUntil) / schedule.recoveryDoublingMs));
}

/**
 * Each window's rate factor at `now`: its cut factor while the hold lasts, then doubling every `recoveryDoublingMs`
 * until 1. For example after a halving and D = 10 min: 0.5 at the end of the hold, 0.71 five minutes later, 1 after ten.
 */
export function rateFactors(state: PacerState, now: number, schedule: QuotaSchedule): RateFactors {
  return { minute: recovered(state.minuteFactor, state, now, schedule), hour: recovered(state.hourFactor, state, now, schedule) };
}

/** Emission intervals at `now`, whole ms: the configured ones divided by the rate factors, rounded up. */
function currentIntervals(state: PacerState, now: number, schedule: QuotaSchedule): { minute: number; hour: number } {
  const factors = rateFactors(state, now, schedule);
  return { minute: Math.ceil(schedule.minute.intervalMs / factors.minute), hour: Math.ceil(schedule.hour.intervalMs / factors.hour) };
}

type SlotSource = 'now' | 'minute' | 'hour';
export type WindowUpdate = 'add' | 'set';

/**
 * How a reservation changes the state, spelled out so that a store can apply it as one conditional update: which
 * value is the slot, and per window whether its TAT just grows by the interval (`add`: TAT >= slot) or restarts at the
 * slot (`set`: TAT <= slot). The premises are comparisons only, so they hold for a whole regime, not one exact state.
 */
export interface ReservationPlan {
  readonly slotAt: number;
  readonly source: SlotSource;
  readonly minute: WindowUpdate;
  readonly hour: WindowUpdate;
  readonly increments: { readonly minute: number; readonly hour: number };
  readonly next: PacerState;
}

function windowUpdate(nextSlot: number, window: WindowSchedule, slot: number): WindowUpdate {
  return nextSlot + window.toleranceMs >= slot ? 'add' : 'set';
}

function advance(nextSlot: number, window: WindowSchedule, slot: number, increment: number): number {
  // TAT' = max(TAT, slot) + increment, stored as TAT' − τ.
  return Math.max(nextSlot + window.toleranceMs, slot) + increment - window.toleranceMs;
}

function validCost(cost: number, schedule: QuotaSchedule): number {
  if (!Number.isInteger(cost) || cost < 1 || cost > schedule.maxCost) {
    throw new RangeError(`Quota pacer: cost must be a whole number of requests from 1 to maxCost (${schedule.maxCost})`);
  }
  return cost;
}

/**
 * The next free slot and the state after taking it for `cost` requests (sent from the slot on): each window's TAT
 * moves on by cost intervals. `now` must be a whole number of ms.
 */
export function planReservation(state: PacerState, now: number, schedule: QuotaSchedule, cost = 1): ReservationPlan {
  const source: SlotSource =
    now >= state.minuteNext && now >= state.hourNext ? 'now' : state.minuteNext >= state.hourNext ? 'minute' : 'hour';
  const slotAt = source === 'now' ? now : source === 'minute' ? state.minuteNext : state.hourNext;
  const intervals = currentIntervals(state, now, schedule);
  const units = validCost(cost, schedule);
  const increments = { minute: units * intervals.minute, hour: units * intervals.hour };
  return {
    slotAt,
    source,
    minute: windowUpdate(state.minuteNext, schedule.minute, slotAt),
    hour: windowUpdate(state.hourNext, schedule.hour, slotAt),
    increments,
    next: {
      ...state,
      minuteNext: advance(state.minuteNext, schedule.minute, slotAt, increments.minute),
      hourNext: advance(state.hourNext, schedule.hour, slotAt, increments.hour),
    },
  };
}

/**
 * Whether `plan`'s premises hold for `state` (the comparisons a store's conditional update checks; ties satisfy both
 * sides, where either update gives the same result). When they hold, applying the plan's updates to `state` gives
 * exactly `planReservation(state, …)`.
 */
export function planHolds(plan: ReservationPlan, state: PacerState, now: number, schedule: QuotaSchedule): boolean {
  const { minuteNext: mn, hourNext: hn } = state;
  const sourceHolds =
    plan.source === 'now' ? mn <= now && hn <= now : plan.source === 'minute' ? mn >= now && mn >= hn : hn >= now && hn >= mn;
  const slot = plan.source === 'now' ? now : plan.source === 'minute' ? mn : hn;
  const modeHolds = (update: WindowUpdate, next: number, window: WindowSchedule): boolean =>
    update === 'add' ? next + window.toleranceMs >= slot : next + window.toleranceMs <= slot;
  return sourceHolds && modeHolds(plan.minute, mn, schedule.minute) && modeHolds(plan.hour, hn, schedule.hour);
}

export type ReserveOutcome =
  | { readonly reserved: true; readonly slotAt: number; readonly generation: number; readonly state: PacerState }
  | { readonly reserved: false; readonly earliestSlotAt: number; readonly state: PacerState };

export interface ReserveOptions {
  /** Take no slot later than this (epoch ms). */
  readonly notLaterThan?: number;
  /** Requests the slot covers, 1 to `schedule.maxCost`. Default 1. */
  readonly cost?: number;
}

/** Reserves the next slot unless it is later than `notLaterThan` (then nothing changes). */
export function reserveSlot(state: PacerState, now: number, schedule: QuotaSchedule, options: ReserveOptions = {}): ReserveOutcome {
  const { notLaterThan } = options;
  const plan = planReservation(state, now, schedule, options.cost);
  if (notLaterThan !== undefined && plan.slotAt > notLaterThan) return { reserved: false, earliestSlotAt: plan.slotAt, state };
  return { reserved: true, slotAt: plan.slotAt, generation: state.generation, state: plan.next };
}

/** A window's next slot after a 429: clamped into [lo, hi] (an undefined bound does not apply). */
export interface NextSlotClamp {
  readonly lo?: number;
  readonly hi?: number;
}

export interface RateLimitPlan {
  readonly holdUntil: number;
  readonly factors: RateFactors;
  readonly generation: number;
  readonly minute: NextSlotClamp;
  readonly hour: NextSlotClamp;
}

function clampNextSlot(value: number, clamp: NextSlotClamp): number {
  const capped = clamp.hi === undefined ? value : Math.min(value, clamp.hi);
  return clamp.lo === undefined ? capped : Math.max(clamp.lo, capped);
}

function validSignal(signal: RateLimitSignal): number {
  const seconds = signal.retryAfterSeconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError('Quota pacer: retryAfterSeconds must be a finite number of seconds >= 0 (the 429\'s Retry-After)');
  }
  return Math.min(seconds, MAX_RETRY_AFTER_SECONDS);
}

/**
 * The factors to cut to. Only the window the 429 was about is cut: the hour's when its reset (or Retry-After) is more
 * than a minute away, else the minute's. A `RateLimit-Limit` below what that window's factor assumes is evidence: cut
 * to limit / configured (the share then applies to the real quota). A limit that confirms the configured quota means
 * someone else spends the key, and holding until the window resets already uses exactly what is left, so the rate
 * stays. No usable header: halve.
 */
function cutTargets(signal: RateLimitSignal, factors: RateFactors, schedule: QuotaSchedule): RateFactors {
  const window = (signal.resetSeconds ?? signal.retryAfterSeconds) > 60 ? 'hour' : 'minute';
  const { limit, remaining } = signal;
  const evidence = typeof limit === 'number' && Number.isFinite(limit) && limit > 0 && !(typeof remaining === 'number' && remaining > 0);
  const target = evidence ? Math.min(factors[window], limit / (window === 'hour' ? schedule.perHour : schedule.perMinute)) : factors[window] / 2;
  return { ...factors, [window]: Math.max(MIN_RATE_FACTOR, target) };
}

/**
 * What a 429 changes, or undefined when it changes nothing (its Retry-After ends within the current hold). A 429 that
 * arrives after the current hold has ended starts a new episode and may cut the rate; the others (answers to requests
 * sent before the hold) only extend the hold, so one burst of 429s cuts once.
 *
 * - Extend: the next slot moves to the hold's end at the earliest; reservations before it are void.
 * - Cut: the generation changes, so every reservation that has to be confirmed is void, and the queue restarts at the
 *   hold's end at the new rate. Reservations that are never confirmed (slot within `inProcessWaitMs` of the time they
 *   were taken) may still be sent, so each window keeps at least (now + inProcessWaitMs + maxCost × interval): the
 *   sliding-window bound then holds across the cut as well.
 */
export function planRateLimited(state: PacerState, signal: RateLimitSignal, now: number, schedule: QuotaSchedule): RateLimitPlan | undefined {
  const holdUntil = now + Math.ceil(validSignal(signal) * 1000);
  if (holdUntil <= state.holdUntil + HOLD_SLACK_MS) return undefined;
  const factors = rateFactors(state, now, schedule);
  // Only the minute window carries the hold (the slot is the later of the two windows' next slots): the hour window's
  // burst credit survives a 429 about the minute.
  const minute = { lo: holdUntil };
  const newEpisode = now >= state.holdUntil;
  const targets = newEpisode ? cutTargets(signal, factors, schedule) : factors;
  if (targets.minute < factors.minute || targets.hour < factors.hour) {
    const atMost = (window: WindowSchedule): number => Math.max(holdUntil, now + schedule.inProcessWaitMs + schedule.maxCost * window.intervalMs);
    return { holdUntil, factors: targets, generation: state.generation + 1, minute: { ...minute, hi: atMost(schedule.minute) }, hour: { hi: atMost(schedule.hour) } };
  }
  // The factors are frozen at their current values during the new hold, so an extension never lowers the rate itself.
  return { holdUntil, factors, generation: state.generation, minute, hour: {} };
}

export function applyRateLimitPlan(state: PacerState, plan: RateLimitPlan): PacerState {
  return {
    minuteNext: clampNextSlot(state.minuteNext, plan.minute),
    hourNext: clampNextSlot(state.hourNext, plan.hour),
    holdUntil: plan.holdUntil,
    minuteFactor: plan.factors.minute,
    hourFactor: plan.factors.hour,
    generation: plan.generation,
  };
}

export function applyRateLimited(state: PacerState, signal: RateLimitSignal, now: number, schedule: QuotaSchedule): PacerState {
  const plan = planRateLimited(state, signal, now, schedule);
  return plan === undefined ? state : applyRateLimitPlan(state, plan);
}

/** A reservation still stands unless a cut voided its generation or a hold now covers its slot. */
export function isReservationCurrent(state: PacerState, reservation: { slotAt: number; generation: number }): boolean {
  return reservation.generation === state.generation && reservation.slotAt >= state.holdUntil;
}
