import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callerIdOf, executionNameFor, isCallersExecution, keyLimits, keyRuleMessage } from '../../lib/webhook/execution-name.ts';
import { preferredWaitSeconds } from '../../lib/webhook/prefer.ts';

/* lib/webhook/execution-name.ts: one delivery, one execution; two deliveries, two; two callers, never one. */
const API_KEY_ID = 'a1b2c3d4e5';
const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
const nameOf = (key: string | undefined, callerId = API_KEY_ID) => executionNameFor({ callerId, idempotencyKey: key, requestId: REQUEST_ID });

/** Reads a name back into caller and key: that it always can is what makes the naming collision-free. */
function decode(name: string): { callerId: string; key: string | undefined } {
  const match = /^([0-9A-Za-z]+)(__|_|-)(.*)$/u.exec(name);
  if (!match) throw new Error(`not a webhook name: ${name}`);
  const [, callerId = '', separator, rest = ''] = match;
  if (separator === '__') return { callerId, key: undefined };
  return { callerId, key: separator === '_' ? rest : Buffer.from(rest, 'base64url').toString('utf8') };
}

/** Keys as senders make them, plus what an adversarial review tries: dots, spaces, non-ASCII, emoji, long keys. */
const hostileKey = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 90 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '_', '-', '.', ' ', 'é', '😀', '/', '+', '='), minLength: 1, maxLength: 60 }),
  fc.stringMatching(/^[0-9A-Za-z_-]{1,100}$/),
  fc.uuid(),
);
const callerId = fc.stringMatching(/^[0-9A-Za-z]{1,40}$/);

describe('execution names from Idempotency-Key', () => {
  it('gives every key a valid name, or a refusal that states the limits; a name always reads back to its caller and key', () => {
    let named = 0;
    fc.assert(fc.property(callerId, hostileKey, (caller, key) => {
      const result = nameOf(key, caller);
      if (!result.ok) {
        expect(result).toMatchObject({ problem: 'key' });
        expect(Buffer.byteLength(key, 'utf8')).toBeGreaterThan(keyLimits(caller).encodedBytes);
        return;
      }
      named++;
      expect(result.name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
      expect(decode(result.name)).toEqual({ callerId: caller, key });
    }), { numRuns: 2000 });
    expect(named).toBeGreaterThan(1000);
  });

  it('never gives two distinct keys, or two callers, the same name', () => {
    let compared = 0;
    fc.assert(fc.property(callerId, hostileKey, callerId, hostileKey, (callerA, keyA, callerB, keyB) => {
      fc.pre(callerA !== callerB || keyA !== keyB);
      const a = nameOf(keyA, callerA);
      const b = nameOf(keyB, callerB);
      if (a.ok && b.ok) {
        compared++;
        expect(a.name).not.toBe(b.name);
      }
    }), { numRuns: 2000 });
    expect(compared).toBeGreaterThan(800);
  });

  it('keeps apart the keys the old sanitising merged: dots, spaces, underscores, é, emoji, a shared 80-character start', () => {
    const groups = [['a.b', 'a_b', 'a b', 'a-b'], ['é', '_', 'e', '😀', '__'], ['k'.repeat(80), `${'k'.repeat(80)}x`], ['K'.repeat(69), `${'K'.repeat(69)}!`]];
    for (const keys of groups) {
      const names = keys.map((key) => nameOf(key)).map((result) => (result.ok ? result.name : undefined));
      const given = names.filter((name) => name !== undefined);
      expect(new Set(given).size).toBe(given.length);
    }
    expect(nameOf('k'.repeat(80))).toEqual({ ok: false, problem: 'key', limits: { verbatimChars: 69, encodedBytes: 51 } });
  });

  it('uses ordinary keys as they are, stably: UUIDs and Zapier, Make and n8n ids', () => {
    for (const key of ['3f1c9a2e-7b1d-4c55-9e0f-3a8d2b6c1e77', '01JDQ7ZP3K9X2M4N6R8T0V2W4Y', '123456789', 'zap_run_42', 'n8n-exec-1007']) {
      expect(nameOf(key)).toEqual({ ok: true, name: `${API_KEY_ID}_${key}` });
    }
    expect(nameOf('1.abc')).toEqual(nameOf('1.abc'));
    expect(nameOf('1.abc')).toEqual({ ok: true, name: `${API_KEY_ID}-MS5hYmM` });
  });

  it('uses the whole budget: a verbatim key of exactly the remaining length fits, one more is encoded or refused', () => {
    const { verbatimChars, encodedBytes } = keyLimits(API_KEY_ID);
    expect(nameOf('k'.repeat(verbatimChars))).toEqual({ ok: true, name: `${API_KEY_ID}_${'k'.repeat(verbatimChars)}` });
    expect(nameOf('k'.repeat(verbatimChars + 1))).toMatchObject({ ok: false, problem: 'key' });
    expect(nameOf('é'.repeat(Math.floor(encodedBytes / 2)))).toMatchObject({ ok: true });
    expect(nameOf('.'.repeat(encodedBytes))).toMatchObject({ ok: true });
    expect(nameOf('.'.repeat(encodedBytes + 1))).toMatchObject({ ok: false });
  });

  it('names a delivery without a key after its request, apart from every key', () => {
    expect(nameOf(undefined)).toEqual({ ok: true, name: `${API_KEY_ID}__${REQUEST_ID}` });
    expect(nameOf('')).toEqual(nameOf(undefined));
    expect(nameOf(`_${REQUEST_ID}`)).not.toEqual(nameOf(undefined));
  });

  it('refuses a caller id it cannot keep apart, and states the key rule without the key', () => {
    expect(nameOf('k', '')).toEqual({ ok: false, problem: 'caller' });
    expect(nameOf('k', 'AROA:session')).toEqual({ ok: false, problem: 'caller' });
    const message = keyRuleMessage(keyLimits(API_KEY_ID));
    expect(message).toMatch(/^Idempotency-Key is too long .* at most 69 characters .* at most 51 bytes/);
  });
});

describe('callers and ids', () => {
  it('takes the API key id, or the IAM principal without the role session', () => {
    expect(callerIdOf('apiKey', { apiKeyId: API_KEY_ID, caller: 'AIDAX' })).toBe(API_KEY_ID);
    expect(callerIdOf('iam', { caller: 'AROAEXAMPLEID123456789:zapier-session-7' })).toBe('AROAEXAMPLEID123456789');
    expect(callerIdOf('iam', { caller: 'AIDAEXAMPLEUSER1234567' })).toBe('AIDAEXAMPLEUSER1234567');
    expect(callerIdOf('apiKey', {})).toBe('');
  });

  it('finds only the caller\'s own executions: its prefix, then a separator', () => {
    expect(isCallersExecution(`${API_KEY_ID}_zap-1`, API_KEY_ID)).toBe(true);
    expect(isCallersExecution(`${API_KEY_ID}-YS5i`, API_KEY_ID)).toBe(true);
    expect(isCallersExecution(`${API_KEY_ID}x_zap-1`, API_KEY_ID)).toBe(false);
    expect(isCallersExecution(`zzzzzzzzzz_zap-1`, API_KEY_ID)).toBe(false);
    expect(isCallersExecution(`${API_KEY_ID}_a:b`, API_KEY_ID)).toBe(false);
    expect(isCallersExecution(`${API_KEY_ID}_zap-1`, '')).toBe(false);
  });
});

describe('Prefer: wait', () => {
  it('reads the first wait among other preferences, capped at 25 s, and ignores what it cannot read', () => {
    expect(preferredWaitSeconds('wait=10')).toBe(10);
    expect(preferredWaitSeconds('respond-async, Wait = "7", wait=3')).toBe(7);
    expect(preferredWaitSeconds('handling=lenient, wait=100;x=y')).toBe(25);
    expect(preferredWaitSeconds('wait=0')).toBe(0);
    expect(preferredWaitSeconds('wait=007')).toBe(7);
    for (const unreadable of ['', 'wait', 'wait=-1', 'wait=1.5', 'wait=ten', 'return=minimal', 'wait=1234567890', 'wait=x, wait=2']) {
      expect(preferredWaitSeconds(unreadable)).toBeUndefined();
    }
    let read = 0;
    const piece = fc.oneof(
      fc.constantFrom('wait', 'WAIT', 'respond-async', '=', ';', ', ', ' '),
      fc.tuple(fc.constantFrom('wait', 'Wait '), fc.nat(100)).map(([token, seconds]) => `${token}=${seconds}`),
      fc.string({ unit: fc.constantFrom('w', 'A', 'i', 't', '=', '"', '0', '9', 'x') }),
    );
    fc.assert(fc.property(fc.array(piece, { maxLength: 6 }).map((pieces) => pieces.join('')), (value) => {
      const wait = preferredWaitSeconds(value);
      if (wait !== undefined) {
        read++;
        expect(Number.isInteger(wait) && wait >= 0 && wait <= 25).toBe(true);
      }
    }), { numRuns: 2000 });
    expect(read).toBeGreaterThan(20);
  });
});
