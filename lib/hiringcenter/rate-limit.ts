// Rate-limit header parsing. The API documents `Retry-After` plus `RateLimit-Limit/-Remaining/-Reset`, but not whether
// `RateLimit-Reset` is an epoch or a delta (older docs: epoch seconds), so both are accepted.

export type HeaderValue = string | readonly string[] | undefined;
/** Response headers as undici gives them (lower-case names); other casings are looked up too. */
export type HeaderBag = Readonly<Record<string, HeaderValue>>;

export interface RateLimitInfo {
  /** `RateLimit-Limit`: the quota of the window the headers describe. */
  limit?: number;
  /** `RateLimit-Remaining`: requests left in that window. */
  remaining?: number;
  /** `RateLimit-Reset` as whole seconds from now (epoch values converted), never negative. */
  resetSeconds?: number;
}

export const MIN_RETRY_AFTER_SECONDS = 1;
export const MAX_RETRY_AFTER_SECONDS = 3600;
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

/** `RateLimit-Reset` values above this are epoch seconds (1e9 s is 2001-09-09); above 1e12 they are epoch ms. */
const EPOCH_SECONDS_THRESHOLD = 1e9;
const EPOCH_MS_THRESHOLD = 1e12;

const NUMBER = /^\d+(?:\.\d+)?$/;
const LEADING_NUMBER = /^\s*(\d+(?:\.\d+)?)/;

export function getHeader(headers: HeaderBag, name: string): string | undefined {
  let value = headers[name];
  if (value === undefined) {
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === name) {
        value = headers[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : value.join(', ');
}

/** The numbers in a (possibly repeated, comma-joined) header, each taken from the start of its list member. */
function headerNumbers(headers: HeaderBag, name: string): number[] {
  const value = getHeader(headers, name);
  if (value === undefined) return [];
  const numbers: number[] = [];
  for (const member of value.split(',')) {
    const match = LEADING_NUMBER.exec(member);
    if (match?.[1] !== undefined) numbers.push(Number(match[1]));
  }
  return numbers;
}

function resetToSeconds(value: number, nowMs: number): number {
  let seconds = value;
  if (value > EPOCH_MS_THRESHOLD) seconds = (value - nowMs) / 1000;
  else if (value > EPOCH_SECONDS_THRESHOLD) seconds = value - nowMs / 1000;
  return Math.max(0, Math.ceil(seconds));
}

/**
 * Reads `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Unparseable values are left out. When a
 * header carries several values (repeated header or a policy list), the first limit, the smallest remaining and the
 * latest reset win: the most conservative reading.
 */
export function parseRateLimitHeaders(headers: HeaderBag, nowMs: number = Date.now()): RateLimitInfo {
  const info: RateLimitInfo = {};
  const limit = headerNumbers(headers, 'ratelimit-limit')[0];
  if (limit !== undefined) info.limit = limit;
  const remaining = headerNumbers(headers, 'ratelimit-remaining');
  if (remaining.length > 0) info.remaining = Math.min(...remaining);
  const reset = headerNumbers(headers, 'ratelimit-reset');
  if (reset.length > 0) info.resetSeconds = Math.max(...reset.map((value) => resetToSeconds(value, nowMs)));
  return info;
}

/** `Retry-After` as seconds from now: delta-seconds or an HTTP date (a past date gives 0). Undefined if neither. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (NUMBER.test(text)) return Math.ceil(Number(text));
  // Date.parse accepts bare numbers ("1" is 2001), so only text that looks like a date is tried.
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function bodyRetryAfter(body: unknown): number | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as { retryAfter?: unknown }).retryAfter;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  if (typeof value === 'string' && NUMBER.test(value.trim())) return Math.ceil(Number(value.trim()));
  return undefined;
}

export function clampRetryAfter(seconds: number): number {
  if (!Number.isFinite(seconds)) return seconds > 0 ? MAX_RETRY_AFTER_SECONDS : MIN_RETRY_AFTER_SECONDS;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, Math.ceil(seconds)));
}

/**
 * The wait for a 429, in whole seconds within [1, 3600]: `Retry-After`, else the body's `retryAfter`, else
 * `RateLimit-Reset`, else 1.
 */
export function resolveRetryAfterSeconds(headers: HeaderBag, body: unknown, nowMs: number = Date.now()): number {
  const seconds =
    parseRetryAfter(getHeader(headers, 'retry-after'), nowMs) ??
    bodyRetryAfter(body) ??
    parseRateLimitHeaders(headers, nowMs).resetSeconds ??
    DEFAULT_RETRY_AFTER_SECONDS;
  return clampRetryAfter(seconds);
}
