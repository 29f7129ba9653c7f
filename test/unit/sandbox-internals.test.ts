import { describe, expect, it } from 'vitest';
import { FaultInjector, mulberry32, normalizeApiPath } from '../../dev/sandbox/faults.ts';
import { IDEMPOTENCY_TTL_MS, IdempotencyStore } from '../../dev/sandbox/idempotency.ts';
import { RateLimiter } from '../../dev/sandbox/rate-limit.ts';

describe('sandbox fault injector', () => {
  it('serves scripted faults in order to matching requests only, then falls back to random faults', () => {
    const f = new FaultInjector(1, undefined);
    f.inject([{ kind: 'hang', ms: 5 }, { kind: 'serverError', status: 503 }], { method: 'post', path: '/v2/meetings/' });
    f.inject([{ kind: 'resetAfterCommit' }]);
    expect(f.next('GET', '/meetings')).toEqual({ kind: 'resetAfterCommit' });
    expect(f.next('GET', '/meetings')).toBeUndefined();
    expect(f.next('POST', '/notes')).toBeUndefined();
    expect(f.next('POST', '/meetings')).toEqual({ kind: 'hang', ms: 5 });
    expect(f.next('POST', '/meetings')).toEqual({ kind: 'serverError', status: 503 });
    expect(f.next('POST', '/meetings')).toBeUndefined();
  });

  it('fills scripted defaults from the random-fault settings', () => {
    const f = new FaultInjector(1, { rate: 0, retryAfterSeconds: 9, hangMs: 11, latencyMs: 3 });
    f.inject([{ kind: 'rateLimit' }, { kind: 'hang' }, { kind: 'latency' }, { kind: 'serverError' }]);
    expect(f.next('GET', '/auth')).toEqual({ kind: 'rateLimit', retryAfterSeconds: 9 });
    expect(f.next('GET', '/auth')).toEqual({ kind: 'hang', ms: 11 });
    expect(f.next('GET', '/auth')).toEqual({ kind: 'latency', ms: 3 });
    expect([500, 502, 503]).toContain((f.next('GET', '/auth') as { status: number }).status);
  });

  it('draws a reproducible random sequence per seed, honouring the mix weights and reset()', () => {
    const draw = (f: FaultInjector): string[] =>
      Array.from({ length: 200 }, () => {
        const fault = f.next('GET', '/auth');
        return fault === undefined ? '-' : JSON.stringify(fault);
      });
    const config = { rate: 0.3, mix: { hang: 0, resetAfterCommit: 2 } };
    const a = new FaultInjector(99, config);
    const first = draw(a);
    expect(draw(new FaultInjector(99, config))).toEqual(first);
    expect(draw(new FaultInjector(100, config))).not.toEqual(first);
    a.reset();
    expect(draw(a)).toEqual(first);
    const faulted = first.filter((x) => x !== '-');
    expect(faulted.length).toBeGreaterThan(30);
    expect(faulted.length).toBeLessThan(90);
    expect(faulted.some((x) => x.includes('hang'))).toBe(false);
    expect(faulted.some((x) => x.includes('resetAfterCommit'))).toBe(true);
  });

  it('refuses invalid random-fault settings', () => {
    expect(() => new FaultInjector(1, { rate: 2 })).toThrow(RangeError);
    expect(() => new FaultInjector(1, { rate: 0.1, mix: { hang: -1 } })).toThrow(RangeError);
  });

  it('mulberry32 is deterministic and in [0, 1)', () => {
    const a = mulberry32(5);
    const b = mulberry32(5);
    for (let i = 0; i < 1000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
    }
    expect(normalizeApiPath('/v2')).toBe('/');
    expect(normalizeApiPath('/v2/prospects/abc/')).toBe('/prospects/abc');
  });
});

describe('sandbox rate limiter', () => {
  it('enforces minute and hour fixed windows, reporting the tightest one', () => {
    let now = Date.UTC(2030, 0, 1, 0, 0, 0);
    const limiter = new RateLimiter({ perMinute: 2, perHour: 3 }, () => now);
    expect(limiter.hit('k').headers).toEqual({ 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1', 'RateLimit-Reset': '60' });
    limiter.hit('k');
    const refused = limiter.hit('k');
    expect(refused.allowed).toBe(false);
    expect(refused.response?.headers?.['Retry-After']).toBe('60');
    expect(limiter.hit('other').allowed).toBe(true);
    now += 60_000;
    const third = limiter.hit('k');
    expect(third.headers['RateLimit-Limit']).toBe('3');
    expect(third.headers['RateLimit-Remaining']).toBe('0');
    const hourly = limiter.hit('k');
    expect((hourly.response?.body as { message: string }).message).toMatch(/^Hour limit/);
    expect(hourly.response?.headers?.['Retry-After']).toBe(String(3600 - 60));
    limiter.clear();
    expect(limiter.hit('k').allowed).toBe(true);
  });
});

describe('sandbox idempotency store', () => {
  it('moves a key from in flight to done, frees it on failure, and expires it after the TTL', () => {
    let now = 0;
    const store = new IdempotencyStore(() => now);
    const scope = IdempotencyStore.scope('key', 'POST', '/notes', 'k1');
    expect(store.begin(scope, 'fp')).toEqual({ kind: 'new' });
    expect(store.begin(scope, 'fp')).toEqual({ kind: 'inFlight' });
    expect(store.begin(scope, 'other')).toEqual({ kind: 'mismatch' });
    store.finish(scope, 'fp', { status: 400, bodyText: '{}' });
    expect(store.begin(scope, 'fp')).toEqual({ kind: 'new' });
    store.finish(scope, 'fp', { status: 201, bodyText: '{"ok":1}' });
    expect(store.begin(scope, 'fp')).toEqual({ kind: 'replay', response: { status: 201, bodyText: '{"ok":1}' } });
    now += IDEMPOTENCY_TTL_MS;
    expect(store.begin(scope, 'other')).toEqual({ kind: 'new' });
  });
});
