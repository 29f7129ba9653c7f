// One behavioural suite for every PacerStore: the in-memory store (test/unit) and the DynamoDB store against dynalite
// (test/integration) must pass the same tests, through the public QuotaPacer.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INITIAL_STATE, reserveSlot, type PacerState } from '../../lib/pacer/gcra.ts';
import { createQuotaPacer, quotaSchedule, type PacerStore, type QuotaPacer, type QuotaSettings, type Reservation, type SlotDecision } from '../../lib/pacer/index.ts';
import { maxInSlidingWindow } from './pacer-windows.ts';

export interface StoreFixture {
  /** A store as one container sees it: the in-memory store is shared, the DynamoDB one gets its own client and cache. */
  container(): PacerStore;
  close(): Promise<void>;
}

const T0 = Date.UTC(2026, 11, 1, 9, 0, 0);

class ManualClock {
  at = T0;
  readonly now = (): number => this.at;
}

function reserved(decision: SlotDecision): Reservation {
  if (!decision.reserved) throw new Error(`expected a reservation, got a refusal (earliest ${decision.earliestSlotAt})`);
  return decision;
}

export function describePacerStore(name: string, start: () => Promise<StoreFixture>): void {
  describe(`${name}: shared quota pacer behaviour`, () => {
    let fixture: StoreFixture;
    beforeAll(async () => {
      fixture = await start();
    });
    afterAll(() => fixture.close());

    /** Pacers for one fresh quota, one per container, all on one clock. */
    const fleet = (settings: QuotaSettings, containers = 1) => {
      const clock = new ManualClock();
      const quotaKey = `test#${randomUUID()}`;
      const pacers: QuotaPacer[] = Array.from({ length: containers }, () => createQuotaPacer({ ...settings, store: fixture.container(), quotaKey, now: clock.now }));
      return { clock, pacers, pacer: pacers[0] as QuotaPacer };
    };

    it('hands out the schedule of the pure algorithm, first come first served, refusals taking nothing', async () => {
      const settings = { perMinute: 30, perHour: 200, share: 1, minuteBurst: 3, hourBurst: 20 };
      const schedule = quotaSchedule(settings);
      const { clock, pacers } = fleet(settings, 3);
      const arrivals = [0, 0, 0, 0, 0, 1, 2, 500, 500, 2_001, 9_000, 9_000, 9_000, 61_000, 61_000, 61_001, 400_000, 400_000];
      let expected: PacerState = INITIAL_STATE;
      for (const [i, offset] of arrivals.entries()) {
        clock.at = T0 + offset;
        const options = { notLaterThan: i % 5 === 4 ? clock.at + 1_500 : undefined, cost: i % 4 === 1 ? 2 : 1 };
        const want = reserveSlot(expected, clock.at, schedule, options);
        expected = want.state;
        const got = await (pacers[i % 3] as QuotaPacer).reserve(options);
        expect(got.reserved).toBe(want.reserved);
        if (want.reserved && got.reserved) expect(got.slotAt).toBe(want.slotAt);
        if (!want.reserved && !got.reserved) expect(got.earliestSlotAt).toBe(want.earliestSlotAt);
      }
    });

    it('gives concurrent callers in several containers distinct, evenly spaced slots within the quota', async () => {
      const { clock, pacers } = fleet({ perMinute: 40, perHour: 10_000, share: 0.9, minuteBurst: 1 }, 4);
      const interval = pacers[0]?.schedule.minute.intervalMs ?? 0;
      const decisions = await Promise.all(pacers.flatMap((pacer) => Array.from({ length: 15 }, () => pacer.reserve())));
      const slots = decisions.map((decision) => reserved(decision).slotAt).sort((a, b) => a - b);
      expect(new Set(slots).size).toBe(60);
      expect(slots).toEqual(Array.from({ length: 60 }, (_, k) => clock.at + k * interval));
      expect(maxInSlidingWindow(slots, 60_000)).toBeLessThanOrEqual(36);
    });

    it('holds every container\'s schedule until Retry-After after a 429, and voids the slots inside the hold', async () => {
      const { clock, pacers } = fleet({ perMinute: 60, share: 1, minuteBurst: 1, maxCost: 1 }, 2);
      const [a, b] = pacers as [QuotaPacer, QuotaPacer];
      const early = reserved(await a.reserve());
      const inHold = Array.from({ length: 5 }, () => a.reserve());
      const promised = (await Promise.all(inHold)).map(reserved);
      expect(promised.at(-1)?.slotAt).toBe(clock.at + 5_000);
      clock.at += 100;
      // The configured quota is confirmed by the header: no cut, only the hold.
      await b.reportRateLimited({ retryAfterSeconds: 30, limit: 60, remaining: 0, resetSeconds: 30 });
      const next = reserved(await b.reserve());
      expect(next.slotAt).toBe(clock.at + 30_000);
      expect(next.mustConfirm).toBe(true);
      // A slot inside the hold is replaced by one after it; the one before the 429 had been sent already.
      clock.at = promised[2]?.slotAt ?? 0;
      const replaced = reserved(await a.confirm(promised[2] as Reservation));
      expect(replaced.slotAt).toBe(next.slotAt + 1_000);
      expect(early.slotAt).toBe(T0);
    });

    it('cuts to the quota RateLimit-Limit reveals: confirmed slots are re-queued at the lower rate, then the rate recovers', async () => {
      const { clock, pacers } = fleet({ perMinute: 500, share: 0.9, minuteBurst: 1, maxCost: 1, recoveryDoublingMs: 600_000 }, 2);
      const [a, b] = pacers as [QuotaPacer, QuotaPacer];
      const queued = (await Promise.all(Array.from({ length: 20 }, () => a.reserve()))).map(reserved);
      const far = queued.filter((reservation) => reservation.mustConfirm);
      expect(far.length).toBeGreaterThan(10);
      clock.at += 50;
      await b.reportRateLimited({ retryAfterSeconds: 40, limit: 50, remaining: 0, resetSeconds: 40 });
      const holdEnd = clock.at + 40_000;
      // Every caller that must confirm gets a new slot after the hold, in its original order, 1,340 ms apart (44.8/min).
      const requeued: number[] = [];
      for (const reservation of far) {
        clock.at = reservation.slotAt;
        requeued.push(reserved(await (reservation.slotAt % 2 ? a : b).confirm(reservation)).slotAt);
      }
      expect(requeued).toEqual(far.map((_, k) => holdEnd + k * 1_340));
      // Ten minutes past the hold the minute rate has doubled (factor 0.2).
      clock.at = holdEnd + 600_000;
      const first = reserved(await a.reserve());
      const second = reserved(await b.reserve());
      expect(second.slotAt - first.slotAt).toBe(670);
    });

    it('cuts once for a burst of 429s from many containers', async () => {
      const { clock, pacers } = fleet({ perMinute: 500, minuteBurst: 1 }, 6);
      const before = reserved(await pacers[0]!.reserve());
      await Promise.all(pacers.map((pacer, i) => {
        clock.at = T0 + i;
        return pacer.reportRateLimited({ retryAfterSeconds: 10 });
      }));
      // One halving: the next two slots are two (not four or more) configured intervals apart.
      const interval = pacers[0]!.schedule.minute.intervalMs;
      const first = reserved(await pacers[1]!.reserve());
      const second = reserved(await pacers[2]!.reserve());
      expect(first.slotAt).toBeGreaterThanOrEqual(T0 + 10_000);
      expect(second.slotAt - first.slotAt).toBe(2 * interval);
      // The reservation taken before the cut is void (new generation), so it is re-queued when confirmed.
      const reconfirmed = reserved(await pacers[3]!.confirm({ ...before, slotAt: before.slotAt }));
      expect(reconfirmed.generation).toBe(before.generation + 1);
    });

    it('keeps the queue when a container runs with another configuration', async () => {
      const clock = new ManualClock();
      const quotaKey = `test#${randomUUID()}`;
      const old = createQuotaPacer({ perMinute: 60, share: 1, minuteBurst: 1, maxCost: 1, store: fixture.container(), quotaKey, now: clock.now });
      const changed = createQuotaPacer({ perMinute: 30, share: 1, minuteBurst: 1, maxCost: 1, store: fixture.container(), quotaKey, now: clock.now });
      for (let i = 0; i < 10; i += 1) await old.reserve();
      expect(reserved(await changed.reserve()).slotAt).toBe(clock.at + 10_000);
      expect(reserved(await changed.reserve()).slotAt).toBe(clock.at + 12_000);
      expect(reserved(await old.reserve()).slotAt).toBe(clock.at + 14_000);
    });
  });
}
