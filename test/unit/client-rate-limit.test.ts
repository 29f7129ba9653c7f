import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_RETRY_AFTER_SECONDS,
  MIN_RETRY_AFTER_SECONDS,
  parseRateLimitHeaders,
  parseRetryAfter,
  resolveRetryAfterSeconds,
} from '../../lib/hiringcenter/rate-limit.ts';

const NOW = Date.UTC(2026, 10, 28, 12, 0, 0);
const NOW_S = NOW / 1000;

describe('parseRateLimitHeaders', () => {
  it('reads the three documented headers', () => {
    expect(
      parseRateLimitHeaders({ 'ratelimit-limit': '500', 'ratelimit-remaining': '0', 'ratelimit-reset': '30' }, NOW),
    ).toEqual({ limit: 500, remaining: 0, resetSeconds: 30 });
  });

  it('treats a reset above 1e9 as epoch seconds and above 1e12 as epoch ms', () => {
    expect(parseRateLimitHeaders({ 'ratelimit-reset': String(NOW_S + 42) }, NOW).resetSeconds).toBe(42);
    expect(parseRateLimitHeaders({ 'ratelimit-reset': String(NOW + 42_000) }, NOW).resetSeconds).toBe(42);
    expect(parseRateLimitHeaders({ 'ratelimit-reset': String(NOW_S - 10) }, NOW).resetSeconds).toBe(0);
  });

  it('finds headers in any casing and ignores garbage', () => {
    expect(parseRateLimitHeaders({ 'RateLimit-Limit': '10', 'RateLimit-Remaining': 'lots', 'ratelimit-reset': '' }, NOW)).toEqual({
      limit: 10,
    });
    expect(parseRateLimitHeaders({}, NOW)).toEqual({});
  });

  it('is conservative with several values: first limit, least remaining, latest reset', () => {
    expect(
      parseRateLimitHeaders(
        { 'ratelimit-limit': '500, 500;w=60', 'ratelimit-remaining': ['7', '3'], 'ratelimit-reset': '5, 3000' },
        NOW,
      ),
    ).toEqual({ limit: 500, remaining: 3, resetSeconds: 3000 });
  });

  it('never throws and only returns finite, non-negative numbers (property)', () => {
    const value = fc.oneof(fc.string(), fc.nat().map(String), fc.array(fc.string(), { maxLength: 3 }));
    // Only values that parse are checked, so count them: a generator whose headers never parsed would check nothing.
    let values = 0;
    fc.assert(
      fc.property(value, value, value, fc.integer({ min: 0, max: 4e12 }), (limit, remaining, reset, now) => {
        const info = parseRateLimitHeaders({ 'ratelimit-limit': limit, 'ratelimit-remaining': remaining, 'ratelimit-reset': reset }, now);
        for (const n of Object.values(info)) {
          expect(Number.isFinite(n) && n >= 0).toBe(true);
          values++;
        }
      }),
      { numRuns: 300 },
    );
    expect(values).toBeGreaterThan(200);
  });

  it('round-trips delta and epoch resets (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400 }), (delta) => {
        expect(parseRateLimitHeaders({ 'ratelimit-reset': String(delta) }, NOW).resetSeconds).toBe(delta);
        expect(parseRateLimitHeaders({ 'ratelimit-reset': String(NOW_S + delta) }, NOW).resetSeconds).toBe(delta);
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delta seconds and HTTP dates', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30);
    expect(parseRetryAfter(' 2.5 ', NOW)).toBe(3);
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90);
    expect(parseRetryAfter(new Date(NOW - 90_000).toUTCString(), NOW)).toBe(0);
  });

  it('rejects what is neither', () => {
    for (const value of [undefined, '', '-5', 'soon', '1e3', '0x10']) expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('HTTP dates in the future give the whole seconds until then (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 * 86_400 }), (seconds) => {
        expect(parseRetryAfter(new Date(NOW + seconds * 1000).toUTCString(), NOW)).toBe(seconds);
      }),
      { numRuns: 200 },
    );
  });
});

describe('resolveRetryAfterSeconds', () => {
  it('prefers Retry-After, then body.retryAfter, then RateLimit-Reset, then 1', () => {
    const headers = { 'retry-after': '7', 'ratelimit-reset': '40' };
    expect(resolveRetryAfterSeconds(headers, { retryAfter: 20 }, NOW)).toBe(7);
    expect(resolveRetryAfterSeconds({ 'ratelimit-reset': '40' }, { retryAfter: 20 }, NOW)).toBe(20);
    expect(resolveRetryAfterSeconds({ 'ratelimit-reset': '40' }, { retryAfter: '21' }, NOW)).toBe(21);
    expect(resolveRetryAfterSeconds({ 'ratelimit-reset': '40' }, 'not json', NOW)).toBe(40);
    expect(resolveRetryAfterSeconds({ 'ratelimit-reset': String(NOW_S + 50) }, undefined, NOW)).toBe(50);
    expect(resolveRetryAfterSeconds({}, {}, NOW)).toBe(1);
    expect(resolveRetryAfterSeconds({ 'retry-after': 'garbage' }, { retryAfter: -3 }, NOW)).toBe(1);
  });

  it('clamps to [1, 3600]', () => {
    expect(resolveRetryAfterSeconds({ 'retry-after': '0' }, undefined, NOW)).toBe(1);
    expect(resolveRetryAfterSeconds({ 'retry-after': '86400' }, undefined, NOW)).toBe(3600);
    expect(resolveRetryAfterSeconds({}, { retryAfter: 1e308 }, NOW)).toBe(3600);
  });

  it('always returns an integer in range, whatever the inputs (property)', () => {
    const header = fc.option(fc.oneof(fc.string(), fc.nat().map(String), fc.date({ noInvalidDate: true }).map((d) => d.toUTCString())), {
      nil: undefined,
    });
    const body = fc.oneof(fc.anything(), fc.record({ retryAfter: fc.oneof(fc.double(), fc.string(), fc.integer()) }));
    fc.assert(
      fc.property(header, header, body, (retryAfter, reset, payload) => {
        const seconds = resolveRetryAfterSeconds({ 'retry-after': retryAfter, 'ratelimit-reset': reset }, payload, NOW);
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds).toBeGreaterThanOrEqual(MIN_RETRY_AFTER_SECONDS);
        expect(seconds).toBeLessThanOrEqual(MAX_RETRY_AFTER_SECONDS);
      }),
      { numRuns: 300 },
    );
  });
});
