import { MAX_WAIT_SECONDS } from './answers.ts';

/*
 * The `wait` preference of RFC 7240 (`Prefer: wait=10`, possibly among others: `Prefer: respond-async, wait=10`), as
 * POST /activities reads it. The request template in infra/webhook-templates.ts runs this same rule in API Gateway;
 * test/infra/webhook-prefer.test.ts renders it against this function on hostile header values. Patterns stay in the
 * subset java.util.regex and JavaScript read alike (ASCII only, no flags).
 *
 * - Only the first `wait` counts (RFC 7240 §2); its parameters (`;…`) are ignored.
 * - A value that is not delta-seconds (up to 9 digits, optionally quoted) is ignored, as a server ignores a preference
 *   it cannot read: the request is answered at once.
 * - A larger wait than MAX_WAIT_SECONDS is capped, not refused: a preference is a hint (RFC 7240 §2), and a no-code tool
 *   that asked for 30 s is better served by 25 s than by a 400 it would not retry. `Preference-Applied` says what was
 *   used.
 */

export const PREFER_HEADER = 'Prefer';
export const WAIT_TOKEN_PATTERN = '[Ww][Aa][Ii][Tt]';
export const DELTA_SECONDS_PATTERN = '[0-9]{1,9}';
/** 0 … MAX_WAIT_SECONDS without leading zeros, as a pattern: templates cannot turn text into a number. */
export const WITHIN_CAP_PATTERN = Array.from({ length: MAX_WAIT_SECONDS + 1 }, (_, seconds) => String(seconds)).join('|');
/** Optional whitespace at the edges of an HTTP token (RFC 9110 OWS: space and tab). */
export const OWS_EDGES_PATTERN = '^[ \\t]+|[ \\t]+$';

const WAIT_TOKEN = new RegExp(`^(?:${WAIT_TOKEN_PATTERN})$`);
const DELTA_SECONDS = new RegExp(`^(?:${DELTA_SECONDS_PATTERN})$`);
const OWS_EDGES = new RegExp(OWS_EDGES_PATTERN, 'g');
const trimOws = (text: string) => text.replace(OWS_EDGES, '');

/** The seconds to wait for one Prefer header value, or undefined when it holds no readable `wait`. */
export function preferredWaitSeconds(headerValue: string): number | undefined {
  for (const preference of headerValue.split(',')) {
    const withoutParameters = preference.split(';')[0] ?? '';
    const equals = withoutParameters.indexOf('=');
    const token = equals < 0 ? withoutParameters : withoutParameters.substring(0, equals);
    if (!WAIT_TOKEN.test(trimOws(token))) continue;
    const value = equals < 0 ? '' : trimOws(withoutParameters.substring(equals + 1)).replace(/^"([\s\S]*)"$/, '$1');
    return DELTA_SECONDS.test(value) ? Math.min(Number(value), MAX_WAIT_SECONDS) : undefined;
  }
  return undefined;
}
