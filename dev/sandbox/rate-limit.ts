/**
 * Per-API-key rate limits: a minute and an hour fixed window (aligned to the clock), enforced together.
 * Every API response carries RateLimit-Limit / -Remaining / -Reset (seconds until that window resets) for the window
 * with the least remaining quota; a 429 carries them for the window that was exceeded, plus Retry-After.
 */
import type { ApiResponse } from './http.ts';

export interface RateLimits {
  perMinute: number;
  perHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perMinute: 500, perHour: 10_000 };

type WindowName = 'Minute' | 'Hour';

interface Window {
  name: WindowName;
  sizeMs: number;
  limit: number;
  start: number;
  count: number;
}

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  /** Set when refused: the 429 response to send. */
  response?: ApiResponse;
}

export function tooManyRequests(window: WindowName, retryAfterSeconds: number, limit: number): ApiResponse {
  return {
    status: 429,
    headers: {
      'Retry-After': String(retryAfterSeconds),
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': String(retryAfterSeconds),
    },
    body: {
      error: 'Too many requests',
      message: `${window} limit exceeded. Please try again later.`,
      retryAfter: retryAfterSeconds,
    },
  };
}

export class RateLimiter {
  private readonly limits: RateLimits;
  private readonly now: () => number;
  private readonly perKey = new Map<string, Window[]>();

  constructor(limits: RateLimits, now: () => number) {
    if (!(limits.perMinute >= 1 && limits.perHour >= 1)) throw new RangeError('rate limits must be at least 1');
    this.limits = limits;
    this.now = now;
  }

  get perMinute(): number {
    return this.limits.perMinute;
  }

  /** Counts one request for the key. Refused requests do not consume quota. */
  hit(keyId: string): RateDecision {
    const now = this.now();
    const windows = this.windowsFor(keyId, now);
    const exceeded = windows.find((w) => w.count >= w.limit);
    if (exceeded !== undefined) {
      const response = tooManyRequests(exceeded.name, resetSeconds(exceeded, now), exceeded.limit);
      return { allowed: false, headers: {}, response };
    }
    for (const w of windows) w.count += 1;
    const tightest = windows.reduce((a, b) => (b.limit - b.count < a.limit - a.count ? b : a));
    return {
      allowed: true,
      headers: {
        'RateLimit-Limit': String(tightest.limit),
        'RateLimit-Remaining': String(Math.max(0, tightest.limit - tightest.count)),
        'RateLimit-Reset': String(resetSeconds(tightest, now)),
      },
    };
  }

  clear(): void {
    this.perKey.clear();
  }

  private windowsFor(keyId: string, now: number): Window[] {
    let windows = this.perKey.get(keyId);
    if (windows === undefined) {
      windows = [
        { name: 'Minute', sizeMs: 60_000, limit: this.limits.perMinute, start: 0, count: 0 },
        { name: 'Hour', sizeMs: 3_600_000, limit: this.limits.perHour, start: 0, count: 0 },
      ];
      this.perKey.set(keyId, windows);
    }
    for (const w of windows) {
      const start = Math.floor(now / w.sizeMs) * w.sizeMs;
      if (start !== w.start) {
        w.start = start;
        w.count = 0;
      }
    }
    return windows;
  }
}

function resetSeconds(w: Window, now: number): number {
  return Math.max(1, Math.ceil((w.start + w.sizeMs - now) / 1000));
}
