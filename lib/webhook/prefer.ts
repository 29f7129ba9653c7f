import { MAX_WAIT_SECONDS } from './answers.ts';

/**
 * The `wait` preference of RFC 7240 (`Prefer: wait=10`, possibly among others: `Prefer: respond-async, wait=10`, or in
 * several Prefer headers). Only the first `wait` counts (RFC 7240 §2); a value that is not delta-seconds is ignored,
 * as a server ignores a preference it cannot read. The result is capped at MAX_WAIT_SECONDS.
 */
export function preferredWaitSeconds(headerValues: readonly string[]): number | undefined {
  for (const value of headerValues) {
    for (const preference of value.split(',')) {
      const [token = '', ...rest] = (preference.split(';')[0] ?? '').split('=');
      if (token.trim().toLowerCase() !== 'wait') continue;
      const seconds = rest.join('=').trim().replace(/^"(.*)"$/, '$1');
      if (!/^\d{1,9}$/.test(seconds)) return undefined;
      return Math.min(Number(seconds), MAX_WAIT_SECONDS);
    }
  }
  return undefined;
}
