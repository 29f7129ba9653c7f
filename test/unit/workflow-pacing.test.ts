import { describe, expect, it } from 'vitest';
import { QuotaExhaustedError, RateLimitedError } from '../../lib/errors.ts';
import type { QuotaPacer, SlotDecision } from '../../lib/pacer/index.ts';
import { PacedSend, type Clock } from '../../lib/workflow/pacing.ts';
import { UNPACED } from '../support/unpaced.ts';

const HOUR = 3_600_000;
const POLICY = { executionTimeoutMs: 6 * HOUR, keyRetentionMs: 23 * HOUR };
const START = Date.parse('2026-12-01T10:00:00Z');

function fakeClock(at = START) {
  const slept: number[] = [];
  let now = at;
  const clock: Clock = { now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } };
  return { clock, slept, advance: (ms: number) => (now += ms) };
}

/**
 * A pacer that hands out the given slots in order (as the real one would, with waits on the fake clock and refusals
 * past notLaterThan), and records what it was asked and told.
 */
function scriptedGate(slots: number[], clock: () => number = () => START) {
  const reserved: number[] = [];
  const confirmed: number[] = [];
  const reported: number[] = [];
  const decide = (slotAt: number, notLaterThan?: number): SlotDecision => {
    const waitMs = Math.max(0, slotAt - clock());
    if (notLaterThan !== undefined && slotAt > notLaterThan) return { reserved: false, earliestSlotAt: slotAt, waitMs };
    return { reserved: true, slotAt, generation: 1, waitMs, mustConfirm: waitMs > 1_000 };
  };
  const gate: QuotaPacer = {
    schedule: UNPACED.schedule,
    reserve: async (options = {}) => { reserved.push(options.cost ?? 1); return decide(slots.shift() ?? clock(), options.notLaterThan); },
    confirm: async (ref, options = {}) => { confirmed.push(ref.slotAt); return decide(ref.slotAt, options.notLaterThan); },
    reportRateLimited: async (signal) => { reported.push(signal.retryAfterSeconds); },
  };
  return { gate, reserved, confirmed, reported };
}

const paced = (gate: QuotaPacer, clock: Clock, heldSlotAt?: number, startTime = new Date(START).toISOString()) =>
  new PacedSend({ pacer: gate, policy: POLICY, clock, execution: { name: 'e', startTime }, where: 'CreateNote', ...(heldSlotAt === undefined ? {} : { held: { slotAt: heldSlotAt, generation: 1 } }) });

describe('a step sending in its quota slot', () => {
  it('sends at once when its slot is now, reserving as many slots as it makes requests', async () => {
    const { clock, slept } = fakeClock();
    const { gate, reserved } = scriptedGate([START], clock.now);
    await expect(paced(gate, clock).send(2, async () => 'sent')).resolves.toBe('sent');
    expect(reserved).toEqual([2]);
    expect(slept).toEqual([]);
  });

  it('sleeps inside the Lambda for a slot less than a second away', async () => {
    const { clock, slept } = fakeClock();
    const { gate } = scriptedGate([START + 400], clock.now);
    await paced(gate, clock).send(1, async () => 'sent');
    expect(slept).toEqual([400]);
  });

  it('hands a later slot to the state machine: RateLimited carrying the slot, and nothing sent', async () => {
    const { clock } = fakeClock();
    const { gate } = scriptedGate([START + 90_500], clock.now);
    let sent = false;
    const error = await paced(gate, clock).send(1, async () => { sent = true; }).catch((caught: unknown) => caught);
    expect(sent).toBe(false);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(JSON.parse((error as Error).message)).toMatchObject({ slotAt: START + 90_500, generation: 1, until: '2026-12-01T10:01:31Z', retryAfterSeconds: 91 });
    expect((error as Error).message).toContain('CreateNote: waiting for its quota slot in 91 s');
  });

  it('after the Wait, confirms the slot it holds and sends in it, without queueing again', async () => {
    const { clock, slept, advance } = fakeClock();
    advance(90_000);
    const { gate, reserved, confirmed } = scriptedGate([], clock.now);
    await paced(gate, clock, START + 90_500).send(1, async () => 'sent');
    expect(reserved).toEqual([]);
    expect(confirmed).toEqual([START + 90_500]);
    expect(slept).toEqual([500]);
  });

  it('queues again when the slot it holds is stale (a redrive hours later)', async () => {
    const { clock, advance } = fakeClock();
    advance(3 * HOUR);
    const { gate, reserved } = scriptedGate([START + 3 * HOUR], clock.now);
    await paced(gate, clock, START + 60_000).send(1, async () => 'sent');
    expect(reserved).toEqual([1]);
  });

  it('fails fast with QuotaExhausted when the slot is later than the execution may wait, saying how long', async () => {
    const { clock } = fakeClock();
    const { gate } = scriptedGate([START + 7 * HOUR], clock.now);
    const error = await paced(gate, clock).send(1, async () => 'sent').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as Error).message).toMatch(/^CreateNote: the API quota's next free slot is in 7\.0 h .* it times out at 2026-12-01T16:00:00\.000Z\. Nothing was sent/);
  });

  it('after a 429 tells the gate, and waits for a new slot no earlier than Retry-After', async () => {
    const { clock } = fakeClock();
    const { gate, reported, reserved } = scriptedGate([START, START + 5_000], clock.now);
    const tooMany = new RateLimitedError({ retryAfterSeconds: 30, slotAt: START + 30_000 }, 'POST /notes: rate limited (429)');
    const error = await paced(gate, clock).send(1, async () => { throw tooMany; }).catch((caught: unknown) => caught);
    expect(reported).toEqual([30]);
    expect(reserved).toEqual([1, 1]);
    expect(JSON.parse((error as Error).message)).toMatchObject({ slotAt: START + 30_000, retryAfterSeconds: 30, message: 'POST /notes: rate limited (429)' });
  });

  it('past its first timeout (only a redrive runs then) bounds its waits by a full timeout from now', async () => {
    const { clock, advance } = fakeClock();
    advance(30 * HOUR);
    const { gate } = scriptedGate([START + 30 * HOUR + 5 * HOUR], clock.now);
    await expect(paced(gate, clock).send(1, async () => 'sent')).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('knows when its execution is older than the API keeps idempotency keys', () => {
    const { clock, advance } = fakeClock();
    const { gate } = scriptedGate([], clock.now);
    expect(paced(gate, clock).pastKeyRetention).toBe(false);
    advance(23 * HOUR + 1);
    expect(paced(gate, clock).pastKeyRetention).toBe(true);
  });
});
