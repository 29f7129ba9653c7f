import { randomUUID } from 'node:crypto';
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeItem } from '../../lib/pacer/dynamodb-item.ts';
import { applyRateLimited, INITIAL_STATE, planReservation, reserveSlot, type PacerState } from '../../lib/pacer/gcra.ts';
import {
  createQuotaPacer,
  DynamoDbPacerStore,
  PARTITION_KEY,
  quotaKeyForSecret,
  quotaSchedule,
  TTL_ATTRIBUTE,
  type Reservation,
} from '../../lib/pacer/index.ts';
import { startDynalite, type LocalDynamo } from '../support/dynalite.ts';
import { describePacerStore } from '../support/pacer-store-suite.ts';
import { maxInSlidingWindow } from '../support/pacer-windows.ts';

const TABLE = 'hc-quota-pacer';

describePacerStore('DynamoDbPacerStore on dynalite', async () => {
  const dynamo = await startDynalite();
  await dynamo.createPacerTable(TABLE);
  return { container: () => new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() }), close: () => dynamo.close() };
});

/** Counts the commands a client sends, by name. */
function countCommands(client: DynamoDBClient): Record<string, number> {
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => (args) => {
      counts[context.commandName ?? '?'] = (counts[context.commandName ?? '?'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
  return counts;
}

describe('DynamoDbPacerStore: what only a shared table shows', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createPacerTable(TABLE);
  });
  afterAll(() => dynamo.close());

  it('takes one UpdateItem per reservation once a container has seen the schedule, even while others write', async () => {
    const quotaKey = `test#${randomUUID()}`;
    let now = Date.UTC(2026, 11, 1, 9);
    const settings = { perMinute: 500, share: 0.9, quotaKey, now: () => now };
    const watchedClient = dynamo.client();
    const counts = countCommands(watchedClient);
    const watched = createQuotaPacer({ ...settings, store: new DynamoDbPacerStore({ tableName: TABLE, client: watchedClient }) });
    const other = createQuotaPacer({ ...settings, store: new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() }) });
    // A backlog first (past the minute's burst), so the schedule is ahead of the clock: the regime of a loaded pacer.
    for (let i = 0; i < 20; i += 1) await other.reserve();
    await watched.reserve(); // first contact: its guess (an idle schedule) fails once and it reads the item
    for (const key of Object.keys(counts)) counts[key] = 0;
    for (let i = 0; i < 40; i += 1) {
      now += 7;
      await other.reserve();
      await watched.reserve();
    }
    expect(counts).toEqual({ UpdateItemCommand: 40, GetItemCommand: 0 });
  });

  it('serves many concurrent containers without duplicates or a window over the quota', async () => {
    const quotaKey = `test#${randomUUID()}`;
    const now = () => Date.UTC(2026, 11, 1, 10);
    const pacers = Array.from({ length: 6 }, () =>
      createQuotaPacer({ perMinute: 60, perHour: 200, share: 0.9, minuteBurst: 2, store: new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() }), quotaKey, now }));
    const decisions = await Promise.all(pacers.flatMap((pacer) => Array.from({ length: 25 }, () => pacer.reserve())));
    const slots = decisions.map((decision) => (decision as Reservation).slotAt).sort((a, b) => a - b);
    expect(decisions.every((decision) => decision.reserved)).toBe(true);
    // minuteBurst 2: the first two share the instant, every other slot is its own.
    expect(new Set(slots).size).toBe(149);
    expect(maxInSlidingWindow(slots, 60_000)).toBeLessThanOrEqual(54);
    expect(maxInSlidingWindow(slots, 3_600_000)).toBeLessThanOrEqual(180);
    expect(maxInSlidingWindow(slots, 3_600_000)).toBe(150);
  });

  it('stores an epoch-seconds TTL past the schedule, and keys the item by the quota name only', async () => {
    const secretId = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hiringcenter/api-key-AbCdEf';
    const quotaKey = quotaKeyForSecret(secretId);
    const now = Date.UTC(2026, 11, 1, 11);
    const pacer = createQuotaPacer({ perMinute: 60, share: 1, minuteBurst: 1, quotaKey, now: () => now, store: new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() }) });
    let last = 0;
    for (let i = 0; i < 30; i += 1) last = ((await pacer.reserve()) as Reservation).slotAt;
    const item = await dynamo.getItem(TABLE, quotaKey);
    const expiresAt = Number(item?.[TTL_ATTRIBUTE]?.N);
    expect(Number.isInteger(expiresAt)).toBe(true);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.ceil(last / 1000) + 86_400);
    expect(expiresAt).toBeLessThan(now / 1000 + 2 * 86_400);
    expect(quotaKey).toMatch(/^hiringcenter#[0-9a-f]{32}$/);
    expect(JSON.stringify(item)).not.toContain('hiringcenter/api-key');
  });

  it('names the table and the fix when the table is missing', async () => {
    const pacer = createQuotaPacer({ quotaKey: 'q', store: new DynamoDbPacerStore({ tableName: 'no-such-table', client: dynamo.client() }) });
    await expect(pacer.reserve()).rejects.toThrow(/table no-such-table failed \(ResourceNotFoundException\); check that the table exists/);
  });
});

describe('DynamoDbPacerStore: every update expression computes what the pure algorithm computes', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await dynamo.createPacerTable(TABLE);
  });
  afterAll(() => dynamo.close());

  const NOW = Date.UTC(2026, 11, 1, 12);
  const schedule = quotaSchedule({ perMinute: 120, perHour: 2_000, share: 0.9, minuteBurst: 4, hourBurst: 50 });
  const around = fc.integer({ min: -400_000, max: 400_000 }).map((offset) => NOW + offset);
  const state: fc.Arbitrary<PacerState> = fc.record({
    minuteNext: around,
    hourNext: around,
    holdUntil: fc.oneof(fc.constant(0), around),
    minuteFactor: fc.constantFrom(1, 0.5, 0.1, 0.37),
    hourFactor: fc.constantFrom(1, 0.25),
    generation: fc.nat({ max: 5 }),
  });

  async function put(key: string, value: PacerState): Promise<void> {
    await dynamo.client().send(new PutItemCommand({
      TableName: TABLE,
      Item: {
        [PARTITION_KEY]: { S: key },
        minuteNext: { N: String(value.minuteNext) }, minuteTat: { N: String(value.minuteNext + schedule.minute.toleranceMs) },
        hourNext: { N: String(value.hourNext) }, hourTat: { N: String(value.hourNext + schedule.hour.toleranceMs) },
        holdUntil: { N: String(value.holdUntil) }, minuteFactor: { N: String(value.minuteFactor) }, hourFactor: { N: String(value.hourFactor) },
        generation: { N: String(value.generation) }, scheduleId: { S: schedule.id },
      },
    }));
  }

  async function stored(key: string): Promise<PacerState> {
    const item = (await dynamo.getItem(TABLE, key)) ?? {};
    // The TATs stay consistent with the next slots (conditions compare them).
    expect(Number(item.minuteTat?.N) - Number(item.minuteNext?.N)).toBe(schedule.minute.toleranceMs);
    expect(Number(item.hourTat?.N) - Number(item.hourNext?.N)).toBe(schedule.hour.toleranceMs);
    expect(Number(item[TTL_ATTRIBUTE]?.N)).toBeGreaterThan(NOW / 1000);
    return decodeItem(item, 'in the test').state;
  }

  it('reservations, from an exact or a stale view of the item', async () => {
    let runs = 0;
    let stale = 0;
    const regimes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(state, fc.option(state), fc.option(fc.integer({ min: 0, max: 300_000 })), fc.integer({ min: 1, max: 2 }), async (actual, seenFirst, deadlineIn, cost) => {
        runs += 1;
        const key = `prop#${randomUUID()}`;
        const store = new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() });
        if (seenFirst !== null) {
          // The container saw another state (same adaptive fields, so its regime guess may or may not still hold).
          stale += 1;
          await put(key, { ...seenFirst, holdUntil: actual.holdUntil, minuteFactor: actual.minuteFactor, hourFactor: actual.hourFactor, generation: actual.generation });
          await store.read(key);
        }
        await put(key, actual);
        if (seenFirst === null) await store.read(key);
        const options = { notLaterThan: deadlineIn === null ? undefined : NOW + deadlineIn, cost };
        const expected = reserveSlot(actual, NOW, schedule, options);
        const plan = planReservation(actual, NOW, schedule, cost);
        regimes.add(`${plan.source}/${plan.minute}/${plan.hour}`);
        const outcome = await store.reserve(key, schedule, NOW, options);
        expect(outcome).toEqual(expected);
        if (expected.reserved) expect(await stored(key)).toEqual(expected.state);
      }),
      {
        numRuns: 150,
        // One example per shape, so that every shape runs whatever the seed (offsets from NOW; τ is 1,731 ms for the
        // minute and 100,842 ms for the hour).
        examples: [
          [-5_000, -200_000], [-1_000, -50_000], [-1_000, -200_000], [-5_000, -50_000],
          [5_000, 4_000], [5_000, -200_000], [4_000, 5_000], [-5_000, 5_000],
        ].map(([minute = 0, hour = 0]) => [{ ...INITIAL_STATE, minuteNext: NOW + minute, hourNext: NOW + hour }, null, null, 1] as [PacerState, null, null, number]),
      },
    );
    expect(runs).toBe(150);
    expect(stale).toBeGreaterThan(30);
    // Every shape of the hot-path update was exercised (slot source × add/set per window), 8 in all.
    expect(regimes.size).toBe(8);
  });

  it('429 holds and cuts', async () => {
    let runs = 0;
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(
        state,
        fc.record({ retryAfterSeconds: fc.integer({ min: 0, max: 400 }), limit: fc.integer({ min: 1, max: 3_000 }), remaining: fc.nat({ max: 1 }) }, { requiredKeys: ['retryAfterSeconds'] }),
        async (actual, signal) => {
          runs += 1;
          const key = `prop#${randomUUID()}`;
          const store = new DynamoDbPacerStore({ tableName: TABLE, client: dynamo.client() });
          await put(key, actual);
          const expected = applyRateLimited(actual, signal, NOW, schedule);
          expect(await store.rateLimited(key, schedule, signal, NOW)).toEqual(expected);
          if (expected !== actual) {
            changed += 1;
            expect(await stored(key)).toEqual(expected);
          }
        },
      ),
      { numRuns: 120 },
    );
    expect(runs).toBe(120);
    expect(changed).toBeGreaterThan(50);
  });
});
