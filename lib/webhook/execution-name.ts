/**
 * How a webhook delivery becomes a Step Functions execution name. POST /activities does this in its request mapping
 * template (infra/webhook-templates.ts), written from the constants below; this function is the same rule in
 * TypeScript, and test/infra/webhook-names.test.ts renders the template against it on hostile keys and callers.
 *
 * A name is `<caller><separator><rest>`, at most 80 characters of [0-9A-Za-z_-] (Step Functions' rule with logging on):
 * - `<caller>` is the API key's id (or, in IAM mode, the caller's principal id): letters and digits only, so the first
 *   `_` or `-` ends it and two callers never share a name;
 * - `_<key>` when the Idempotency-Key is already a name (starting with a letter or digit) and fits;
 * - `-<base64url of the key's UTF-8 bytes>` for any other key that fits: lossless, so two keys never share a name;
 * - `__<API Gateway request id>` without a key; `_` then `_` is never a used-as-is key, so it never meets one.
 * A key that fits neither way is refused with a 400 that states the limits; it is never cut short.
 */

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const EXECUTION_NAME_MAX = 80;
/** The caller part: regular expressions in the subset java.util.regex and JavaScript read alike. */
export const CALLER_ID_PATTERN = '[0-9A-Za-z]{1,40}';
export const VERBATIM_KEY_PATTERN = '[0-9A-Za-z][0-9A-Za-z_-]*';
export const EXECUTION_ID_PATTERN = '[0-9A-Za-z_-]{1,80}';
export const VERBATIM_SEPARATOR = '_';
export const ENCODED_SEPARATOR = '-';
export const WITHOUT_KEY_SEPARATOR = '__';

/** Where the caller's identity comes from: the API key (no-code tools) or the SigV4 principal (context webhookAuth=iam). */
export type CallerIdentitySource = 'apiKey' | 'iam';

export interface CallerIdentity {
  apiKeyId?: string | null;
  /** `$context.identity.caller`: `AIDA…` for a user, `AROA…:session` for a role (the session part changes per session). */
  caller?: string | null;
}

/** The stable caller id: the API key id, or the principal id without a role's session name. */
export function callerIdOf(source: CallerIdentitySource, identity: CallerIdentity): string {
  if (source === 'apiKey') return identity.apiKeyId ?? '';
  const caller = identity.caller ?? '';
  const colon = caller.indexOf(':');
  return colon >= 0 ? caller.substring(0, colon) : caller;
}

/** How long a key may be once the caller's prefix and separator are in the name (strings: VTL references to them). */
export interface KeyLimits<N extends number | string = number> {
  verbatimChars: N;
  encodedBytes: N;
}

export function keyLimits(callerId: string): KeyLimits {
  const verbatimChars = EXECUTION_NAME_MAX - 1 - callerId.length;
  // base64url without padding writes n bytes as ceil(4n / 3) characters.
  return { verbatimChars, encodedBytes: Math.floor((verbatimChars * 3) / 4) };
}

/** The 400 message for a key that cannot be a name; it states the rule and never the key. */
export function keyRuleMessage(limits: KeyLimits<number | string>): string {
  return `${IDEMPOTENCY_HEADER} is too long to name an execution: send at most ${limits.verbatimChars} characters of A-Z, a-z, 0-9, `
    + `"_" and "-" (starting with a letter or digit), or at most ${limits.encodedBytes} bytes of any other UTF-8 text. `
    + 'A UUID or a Zapier, Make or n8n record id fits.';
}

export type ExecutionNameResult =
  | { ok: true; name: string }
  | { ok: false; problem: 'caller' }
  | { ok: false; problem: 'key'; limits: KeyLimits };

export interface DeliveryIdentity {
  callerId: string;
  /** The Idempotency-Key header's value; empty or absent means the delivery has none. */
  idempotencyKey?: string | undefined;
  /** API Gateway's request id, which names a delivery without a key. */
  requestId: string;
}

const matchesWhole = (pattern: string) => new RegExp(`^(?:${pattern})$`, 'u');
const CALLER_ID = matchesWhole(CALLER_ID_PATTERN);
const VERBATIM_KEY = matchesWhole(VERBATIM_KEY_PATTERN);
const EXECUTION_ID = matchesWhole(EXECUTION_ID_PATTERN);
// A lone surrogate cannot arrive in an HTTP header; if one did, UTF-8 would write it as U+FFFD and merge two keys.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

export function executionNameFor(delivery: DeliveryIdentity): ExecutionNameResult {
  const { callerId, requestId } = delivery;
  const key = delivery.idempotencyKey ?? '';
  if (!CALLER_ID.test(callerId)) return { ok: false, problem: 'caller' };
  const limits = keyLimits(callerId);
  let name: string;
  if (key === '') {
    name = `${callerId}${WITHOUT_KEY_SEPARATOR}${requestId}`;
  } else if (VERBATIM_KEY.test(key) && key.length <= limits.verbatimChars) {
    name = `${callerId}${VERBATIM_SEPARATOR}${key}`;
  } else {
    const encoded = LONE_SURROGATE.test(key) ? undefined : Buffer.from(key, 'utf8').toString('base64url');
    if (encoded === undefined || encoded.length > limits.verbatimChars) return { ok: false, problem: 'key', limits };
    name = `${callerId}${ENCODED_SEPARATOR}${encoded}`;
  }
  if (!EXECUTION_ID.test(name)) throw new RangeError(`execution name out of the Step Functions rule for request ${requestId}`);
  return { ok: true, name };
}

/** Whether an id from GET /activities/{id} names one of this caller's executions (anything else is not found). */
export function isCallersExecution(id: string, callerId: string): boolean {
  return CALLER_ID.test(callerId) && EXECUTION_ID.test(id)
    && (id.startsWith(`${callerId}${VERBATIM_SEPARATOR}`) || id.startsWith(`${callerId}${ENCODED_SEPARATOR}`));
}
