import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyRateLimited,
  HOLD_SLACK_MS,
  INITIAL_STATE,
  isReservationCurrent,
  planHolds,
  planReservation,
  rateFactors,
  reserveSlot,
  type PacerState,
  type RateLimitSignal,
} from '../../lib/pacer/gcra.ts';
import { HOUR_MS, MINUTE_MS, quotaSchedule, type QuotaSchedule } from '../../lib/pacer/schedule.ts';
import { maxInSlidingWindow } from '../support/pacer-windows.ts';

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

/** Small quotas, so that a few hundred arrivals reach both windows' limits. */
const smallSchedule = fc
  .record({
    perMinute: fc.integer({ min: 1, max: 60 }),
    perHourFactor: fc.integer({ min: 1, max: 8 }),
    share: fc.oneof(fc.constant(0.9), fc.constant(1), fc.double({ min: 0.3, max: 1, noNaN: true })),
    minuteBurstFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    hourBurstFraction: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
    // Up to half a minute of in-process waiting, so that several unconfirmed slots can straddle a cut.
    inProcessWaitMs: fc.integer({ min: 0, max: 30_000 }),
    maxCost: fc.integer({ min: 1, max: 3 }),
  })
  .filter(({ perMinute, share, maxCost }) => Math.floor(perMinute * share) >= maxCost)
  .map(({ perMinute, perHourFactor, share, minuteBurstFraction, hourBurstFraction, inProcessWaitMs, maxCost }) => {
    const perHour = perMinute * perHourFactor;
    // The bursts each window allows next to maxCost − 1 requests of headroom.
    const minuteUsable = Math.floor(perMinute * share) - maxCost + 1;
    const hourUsable = Math.floor(perHour * share) - maxCost + 1;
    return quotaSchedule({
      perMinute, perHour, share, inProcessWaitMs, maxCost,
      minuteBurst: 1 + Math.floor(minuteBurstFraction * (minuteUsable - 1)),
      ...(hourBurstFraction === null ? {} : { hourBurst: 1 + Math.floor(hourBurstFraction * (hourUsable - 1)) }),
    });
  });

/** Requests per reservation, cycled over the arrivals and capped at the schedule's maxCost. */
const costs = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 7 });
const costAt = (schedule: QuotaSchedule, pattern: readonly number[] | undefined, i: number): number =>
  Math.min(schedule.maxCost, pattern?.[i % pattern.length] ?? 1);
/** Each reservation's slot once per request it covers: what the API will see. */
const requestTimes = (slots: readonly number[], schedule: QuotaSchedule, pattern?: readonly number[]): number[] =>
  slots.flatMap((slot, i) => Array.from({ length: costAt(schedule, pattern, i) }, () => slot));

/** Gaps between arrivals: simultaneous bursts, sub-interval trickles, and pauses long enough to drain the windows. */
const arrivalGaps = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 2_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 20 * MINUTE_MS }) },
  ),
  { minLength: 1, maxLength: 400 },
);

function arrivalsFrom(gaps: readonly number[]): number[] {
  let at = T0;
  return gaps.map((gap) => (at += gap));
}

function reserveAll(schedule: QuotaSchedule, arrivals: readonly number[], pattern?: readonly number[]): number[] {
  let state: PacerState = INITIAL_STATE;
  return arrivals.map((now, i) => {
    const outcome = reserveSlot(state, now, schedule, { cost: costAt(schedule, pattern, i) });
    if (!outcome.reserved) throw new Error('refused without a deadline');
    state = outcome.state;
    return outcome.slotAt;
  });
}

describe('two-window slot reservation', () => {
  it('never reserves more than share × quota in any sliding minute or hour, first come first served', () => {
    let runs = 0;
    let minuteFull = 0;
    let hourFull = 0;
    fc.assert(
      fc.property(smallSchedule, arrivalGaps, costs, (schedule, gaps, pattern) => {
        runs += 1;
        const arrivals = arrivalsFrom(gaps);
        const slots = reserveAll(schedule, arrivals, pattern);
        slots.forEach((slot, i) => {
          expect(slot).toBeGreaterThanOrEqual(arrivals[i] ?? Infinity);
          if (i > 0) expect(slot).toBeGreaterThanOrEqual(slots[i - 1] ?? Infinity);
          expect(Number.isInteger(slot)).toBe(true);
        });
        const requests = requestTimes(slots, schedule, pattern);
        const perMinute = maxInSlidingWindow(requests, MINUTE_MS);
        const perHour = maxInSlidingWindow(requests, HOUR_MS);
        expect(perMinute).toBeLessThanOrEqual(schedule.minute.limit);
        expect(perHour).toBeLessThanOrEqual(schedule.hour.limit);
        if (perMinute === schedule.minute.limit) minuteFull += 1;
        if (perHour === schedule.hour.limit) hourFull += 1;
      }),
      { numRuns: 400 },
    );
    expect(runs).toBe(400);
    // The bound is reached, not only respected by schedules that never come near it (typically 20-40 runs each).
    expect(minuteFull).toBeGreaterThanOrEqual(8);
    expect(hourFull).toBeGreaterThanOrEqual(8);
  });

  it('spaces a burst evenly: gaps never shrink, and settle on the slower window\'s interval', () => {
    let runs = 0;
    let reachedHourPace = 0;
    fc.assert(
      fc.property(smallSchedule, fc.integer({ min: 2, max: 400 }), (schedule, size) => {
        runs += 1;
        const slots = reserveAll(schedule, Array.from({ length: size }, () => T0));
        const gaps = slots.slice(1).map((slot, i) => slot - (slots[i] ?? slot));
        const slowest = Math.max(schedule.minute.intervalMs, schedule.hour.intervalMs);
        for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1] ?? 0);
        for (const gap of gaps) expect(gap).toBeLessThanOrEqual(slowest);
        // The first minuteBurst requests share the instant; nothing else does.
        expect(slots.filter((slot) => slot === T0)).toHaveLength(Math.min(size, schedule.minute.burst, schedule.hour.burst));
        if (gaps.at(-1) === slowest && schedule.hour.intervalMs > schedule.minute.intervalMs) reachedHourPace += 1;
      }),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
    expect(reachedHourPace).toBeGreaterThan(150);
  });

  it('runs a burst of the default quota at the minute pace first (about 3,000 requests), then at the hour pace', () => {
    const schedule = quotaSchedule();
    expect(schedule.minute).toMatchObject({ limit: 450, burst: 9, intervalMs: 137 });
    expect(schedule.hour).toMatchObject({ limit: 9_000, burst: 2_250, intervalMs: 534 });
    const slots = reserveAll(schedule, Array.from({ length: 4_000 }, () => T0));
    const gap = (i: number): number => (slots[i] ?? 0) - (slots[i - 1] ?? 0);
    expect(slots.slice(0, 9).every((slot) => slot === T0)).toBe(true);
    expect(slots[9]).toBe(T0 + 137);
    expect(gap(2_900)).toBe(137);
    expect(gap(3_100)).toBe(534);
    expect(maxInSlidingWindow(slots, HOUR_MS)).toBeLessThanOrEqual(9_000);
  });

  it('refuses, without taking it, a slot later than the deadline', () => {
    const schedule = quotaSchedule({ perMinute: 60, share: 1, maxCost: 1 });
    const first = reserveSlot(INITIAL_STATE, T0, schedule);
    const refused = reserveSlot(first.state, T0, schedule, { notLaterThan: T0 + 999 });
    expect(refused).toMatchObject({ reserved: false, earliestSlotAt: T0 + 1000 });
    expect(refused.state).toBe(first.state);
    expect(reserveSlot(refused.state, T0, schedule, { notLaterThan: T0 + 1000 })).toMatchObject({ reserved: true, slotAt: T0 + 1000 });
  });
});

/** Reserve, wait and confirm as a step does: a slot more than inProcessWaitMs away is confirmed when it comes. */
function simulate(schedule: QuotaSchedule, arrivals: readonly number[], reports: readonly { at: number; signal: RateLimitSignal }[], pattern?: readonly number[]) {
  type Event = { at: number; order: number } & (
    | { kind: 'arrive'; cost: number }
    | { kind: 'confirm'; slotAt: number; generation: number; cost: number }
    | { kind: 'report'; signal: RateLimitSignal }
  );
  const queue: Event[] = [
    ...arrivals.map((at, order) => ({ at, order, kind: 'arrive' as const, cost: costAt(schedule, pattern, order) })),
    ...reports.map(({ at, signal }, i) => ({ at, order: arrivals.length + i, kind: 'report' as const, signal })),
  ];
  let order = queue.length;
  let state: PacerState = INITIAL_STATE;
  const sent: number[] = [];
  const reservations: { slotAt: number }[] = [];
  /** `after`: how many reservations had been made when the 429 was reported. */
  const holds: { after: number; until: number }[] = [];
  // Every request of a reservation is sent at its slot (the tightest the caller could be).
  const send = (slotAt: number, cost: number): void => {
    for (let i = 0; i < cost; i += 1) sent.push(slotAt);
  };
  const take = (now: number, cost: number): void => {
    const outcome = reserveSlot(state, now, schedule, { cost });
    if (!outcome.reserved) throw new Error('refused without a deadline');
    state = outcome.state;
    reservations.push({ slotAt: outcome.slotAt });
    if (outcome.slotAt - now <= schedule.inProcessWaitMs) send(outcome.slotAt, cost);
    else queue.push({ at: outcome.slotAt, order: order++, kind: 'confirm', slotAt: outcome.slotAt, generation: outcome.generation, cost });
  };
  while (queue.length > 0) {
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    const event = queue.shift() as Event;
    if (event.kind === 'arrive') take(event.at, event.cost);
    else if (event.kind === 'report') {
      state = applyRateLimited(state, event.signal, event.at, schedule);
      holds.push({ after: reservations.length, until: event.at + event.signal.retryAfterSeconds * 1000 });
    } else if (isReservationCurrent(state, event)) send(event.slotAt, event.cost);
    else take(event.at, event.cost);
  }
  return { sent: sent.sort((a, b) => a - b), reservations, holds, finalState: state };
}

const signal: fc.Arbitrary<RateLimitSignal> = fc.record(
  {
    retryAfterSeconds: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120 })),
    limit: fc.integer({ min: 1, max: 80 }),
    remaining: fc.integer({ min: 0, max: 2 }),
    resetSeconds: fc.integer({ min: 0, max: 4_000 }),
  },
  { requiredKeys: ['retryAfterSeconds'] },
);

describe('the regime premises a store checks instead of exact values', () => {
  it('give the exact reservation for any state in which they hold, however stale the state the plan came from', () => {
    const schedule = quotaSchedule({ perMinute: 120, perHour: 2_000, minuteBurst: 4, hourBurst: 50 });
    const around = fc.integer({ min: -300_000, max: 300_000 }).map((offset) => T0 + offset);
    const nexts = fc.record({ minuteNext: around, hourNext: around });
    let held = 0;
    fc.assert(
      fc.property(nexts, nexts, (seen, actual) => {
        const plan = planReservation({ ...INITIAL_STATE, ...seen }, T0, schedule);
        const state = { ...INITIAL_STATE, ...actual };
        if (!planHolds(plan, state, T0, schedule)) return;
        held += 1;
        // What the conditional update does: the slot is the source's value; each window adds or restarts at the slot.
        const slot = plan.source === 'now' ? T0 : plan.source === 'minute' ? state.minuteNext : state.hourNext;
        const apply = (update: 'add' | 'set', next: number, increment: number, tolerance: number): number =>
          update === 'add' ? next + increment : slot + increment - tolerance;
        const exact = planReservation(state, T0, schedule);
        expect(slot).toBe(exact.slotAt);
        expect(apply(plan.minute, state.minuteNext, plan.increments.minute, schedule.minute.toleranceMs)).toBe(exact.next.minuteNext);
        expect(apply(plan.hour, state.hourNext, plan.increments.hour, schedule.hour.toleranceMs)).toBe(exact.next.hourNext);
      }),
      { numRuns: 3_000 },
    );
    expect(held).toBeGreaterThan(500);
  });
});

describe('adapting to 429s', () => {
  it('keeps every sent request within the quota across holds and cuts, and no slot before a known hold', () => {
    let runs = 0;
    let cuts = 0;
    fc.assert(
      fc.property(
        smallSchedule,
        arrivalGaps,
        costs,
        // 429s shortly after some arrival, while that arrival's neighbours still wait for their slots.
        fc.array(fc.record({ arrival: fc.nat(), offset: fc.integer({ min: 0, max: 5_000 }), signal }), { maxLength: 6 }),
        (schedule, gaps, pattern, rawReports) => {
          runs += 1;
          const arrivals = arrivalsFrom(gaps);
          const reports = rawReports.map(({ arrival, offset, signal: s }) => ({ at: (arrivals[arrival % arrivals.length] ?? T0) + offset, signal: s }));
          const { sent, reservations, holds, finalState } = simulate(schedule, arrivals, reports, pattern);
          expect(maxInSlidingWindow(sent, MINUTE_MS)).toBeLessThanOrEqual(schedule.minute.limit);
          expect(maxInSlidingWindow(sent, HOUR_MS)).toBeLessThanOrEqual(schedule.hour.limit);
          for (const hold of holds) {
            for (const reservation of reservations.slice(hold.after)) {
              expect(reservation.slotAt).toBeGreaterThanOrEqual(hold.until - HOLD_SLACK_MS);
            }
          }
          cuts += finalState.generation > 0 ? 1 : 0;
        },
      ),
      { numRuns: 300 },
    );
    expect(runs).toBe(300);
    expect(cuts).toBeGreaterThan(60);
  });

  it('after a cut, queues behind the slots already promised to callers that wait in process', () => {
    // 2/min, and callers sleep up to 30 s in process: the second slot (30 s away) is sent without a confirm.
    const schedule = quotaSchedule({ perMinute: 2, perHour: 100, share: 1, hourBurst: 2, maxCost: 1, inProcessWaitMs: 30_000 });
    const { sent } = simulate(schedule, [T0, T0, T0, T0 + 2], [{ at: T0 + 1, signal: { retryAfterSeconds: 0 } }]);
    // The third caller's slot was voided by the cut; it and the late arrival queue behind both promised slots, at the
    // halved minute rate (60 s); the hour window (36,364 ms interval) restarts 30 s + one interval after the cut.
    expect(sent.map((slot) => slot - T0)).toEqual([0, 30_000, 66_365, 126_365]);
    expect(maxInSlidingWindow(sent, MINUTE_MS)).toBe(2);
  });

  it('cuts to RateLimit-Limit / configured when the header shows a lower quota, then doubles every recovery period', () => {
    const schedule = quotaSchedule({ perMinute: 500, recoveryDoublingMs: 600_000, maxCost: 1 });
    const held = applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 30, limit: 50, remaining: 0, resetSeconds: 30 }, T0, schedule);
    // The 429 was about the minute (reset within 60 s): only the minute's rate is cut.
    expect(held).toMatchObject({ holdUntil: T0 + 30_000, minuteFactor: 0.1, hourFactor: 1, generation: 1 });
    expect(rateFactors(held, T0 + 30_000, schedule)).toEqual({ minute: 0.1, hour: 1 });
    expect(rateFactors(held, T0 + 30_000 + 600_000, schedule).minute).toBeCloseTo(0.2, 12);
    expect(rateFactors(held, T0 + 30_000 + 300_000, schedule).minute).toBeCloseTo(0.1 * Math.SQRT2, 12);
    expect(rateFactors(held, T0 + 30_000 + 6_000_000, schedule).minute).toBe(1);
    const first = reserveSlot(held, T0 + 1, schedule);
    const second = reserveSlot(first.state, T0 + 1, schedule);
    expect(first).toMatchObject({ slotAt: T0 + 30_000 });
    expect(second).toMatchObject({ slotAt: T0 + 30_000 + 1_360 });
  });

  it('halves without a usable header, and only holds when the header confirms the configured quota', () => {
    const schedule = quotaSchedule({ perMinute: 500 });
    expect(applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 5 }, T0, schedule)).toMatchObject({ minuteFactor: 0.5, hourFactor: 1, generation: 1 });
    expect(applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 5, limit: 500, remaining: 0 }, T0, schedule)).toMatchObject({
      minuteFactor: 1, hourFactor: 1, generation: 0, holdUntil: T0 + 5_000,
    });
    // Remaining above 0 means the headers describe the other window: not evidence, so halve.
    expect(applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 5, limit: 50, remaining: 3 }, T0, schedule)).toMatchObject({ minuteFactor: 0.5 });
    // Reset above a minute: the limit is the hour's (configured 10,000).
    expect(applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 900, limit: 2_000, remaining: 0 }, T0, schedule)).toMatchObject({
      minuteFactor: 1, hourFactor: 0.2,
    });
    expect(applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 900 }, T0, schedule)).toMatchObject({ minuteFactor: 1, hourFactor: 0.5 });
  });

  it('cuts once per episode: 429s answering requests sent before the hold only extend it', () => {
    const schedule = quotaSchedule();
    let state = applyRateLimited(INITIAL_STATE, { retryAfterSeconds: 10 }, T0, schedule);
    state = applyRateLimited(state, { retryAfterSeconds: 10 }, T0 + 200, schedule);
    expect(state).toMatchObject({ minuteFactor: 0.5, generation: 1, holdUntil: T0 + 10_000 });
    state = applyRateLimited(state, { retryAfterSeconds: 20 }, T0 + 500, schedule);
    expect(state).toMatchObject({ minuteFactor: 0.5, generation: 1, holdUntil: T0 + 20_500 });
    state = applyRateLimited(state, { retryAfterSeconds: 10 }, T0 + 21_000, schedule);
    expect(state).toMatchObject({ generation: 2 });
    expect(state.minuteFactor).toBeCloseTo(0.25, 3);
  });

  it('voids reservations of an older generation or inside a hold, and keeps the others', () => {
    const schedule = quotaSchedule();
    const state: PacerState = { ...INITIAL_STATE, generation: 3, holdUntil: T0 + 5_000 };
    expect(isReservationCurrent(state, { slotAt: T0 + 5_000, generation: 3 })).toBe(true);
    expect(isReservationCurrent(state, { slotAt: T0 + 4_999, generation: 3 })).toBe(false);
    expect(isReservationCurrent(state, { slotAt: T0 + 9_000, generation: 2 })).toBe(false);
    expect(() => applyRateLimited(state, { retryAfterSeconds: Number.NaN }, T0, schedule)).toThrow(/retryAfterSeconds/);
  });
});
