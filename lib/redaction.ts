/**
 * The one place that decides what counts as a secret or a contact detail in text: log lines (`redactLogFields`, below),
 * API error text before it becomes an error message (lib/hiringcenter/errors.ts), API warnings and step errors
 * (lib/workflow/steps.ts), and, through the pattern sources below, the webhook's mapping templates
 * (infra/webhook-templates.ts), which run the same regular expressions in API Gateway's Java engine.
 *
 * Three layers, each cheap enough for every log line:
 * - exact secrets (the API key) and `Bearer` tokens become `[redacted]`;
 * - anything shaped like an e-mail address becomes `[email]`, anything with 7+ digits shaped like a phone `[phone]`;
 * - a prospect's own e-mail and phone become `[redacted]` in every spelling an API might echo: any letter case, the
 *   percent-encoded e-mail, and the phone's digits with any separators, with or without its country code or a trunk 0.
 */

/**
 * Pattern sources written in the common subset of JavaScript (with the `u` flag) and java.util.regex, so API Gateway
 * templates can run them unchanged. No `\s` (Java's is ASCII-only, JavaScript's is Unicode): separators are listed.
 */
export const EMAIL_PATTERN_SOURCE = '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}';
const PHONE_SEPARATOR = '[\\t\\n\\f\\r \\u00A0().-]';
// Seven or more digits, apart from separators, and not inside a word: without the guards every ISO timestamp
// ("2026-11-30T...") and request id lost digits to "[phone]".
export const PHONE_PATTERN_SOURCE = `(?<![A-Za-z0-9_])[+(]?\\d(?:${PHONE_SEPARATOR}*\\d){6,}(?![A-Za-z0-9_])`;

// JavaScript's \s, spelled out: Java's \s is ASCII-only (and \v is a class there, hence \u000B).
const WHITESPACE = '\\t\\n\\u000B\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF';
/**
 * `Bearer <token>` in any letter case, not inside a word; replace matches with BEARER_REPLACEMENT. The quote is written
 * \x27 so that a template can hold the pattern in a single-quoted string.
 */
export const BEARER_PATTERN_SOURCE = `(?<![A-Za-z0-9_])[Bb][Ee][Aa][Rr][Ee][Rr][${WHITESPACE}]+[^${WHITESPACE}"\\x27,;]+`;
export const BEARER_REPLACEMENT = 'Bearer [redacted]';
/** The spellings that make a Bearer scan worth running (the scan is skipped for every other log line). */
export const BEARER_SPELLINGS = ['Bearer', 'bearer', 'BEARER'] as const;

const EMAIL_PATTERN = new RegExp(EMAIL_PATTERN_SOURCE, 'gu');
const PHONE_PATTERN = new RegExp(PHONE_PATTERN_SOURCE, 'gu');
const BEARER = new RegExp(BEARER_PATTERN_SOURCE, 'gu');

/** Exact secrets (empty ones ignored) and any `Bearer` token. */
export function redactSecrets(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return BEARER_SPELLINGS.some((spelling) => out.includes(spelling)) ? out.replace(BEARER, BEARER_REPLACEMENT) : out;
}

/** E-mail- and phone-shaped text, whoever it belongs to. */
export function redactContactPatterns(text: string): string {
  // Every log line passes through here; most strings hold no '@', and skipping the e-mail scan for them is measurable.
  const out = text.includes('@') ? text.replace(EMAIL_PATTERN, '[email]') : text;
  return out.replace(PHONE_PATTERN, '[phone]');
}

/** Secrets and contact patterns: what logs and API error text go through. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  return redactContactPatterns(redactSecrets(text, secrets));
}

export interface ContactDetails {
  email?: string | null;
  phone?: string | null;
}

/**
 * A prospect's own e-mail and phone in any spelling, then any other e-mail address. Phone-shaped text that is not the
 * prospect's stays: step errors carry JSON numbers (the rate-limit wait's epoch-millisecond slot) that the generic phone
 * pattern would turn into invalid JSON; the API's own text was already through `redactText` in lib/hiringcenter.
 */
export function redactContactDetails(text: string, prospect: ContactDetails): string {
  let out = text;
  for (const pattern of ownValuePatterns(prospect)) out = out.replace(pattern, '[redacted]');
  return out.includes('@') ? out.replace(EMAIL_PATTERN, '[email]') : out;
}

/** Phones shorter than this are matched only as written: a 5-digit run is too common to mask wherever it appears. */
const MIN_PHONE_DIGITS = 7;
// Between two digits of a phone: up to three of space, dot, dash, slash or parenthesis ("(555) 010-9999", "+44 (0) 20").
const DIGIT_GAP = '[\\t \\u00A0()./-]{0,3}';
// National spellings add a trunk 0 after the country code ("+44 (0) 20 ...", "020 ...").
const TRUNK_ZERO = `(?:0${DIGIT_GAP})?`;

function ownValuePatterns(prospect: ContactDetails): RegExp[] {
  const patterns: RegExp[] = [];
  const email = prospect.email?.trim();
  if (email) {
    const spellings = new Set([email, encodeURIComponent(email)]);
    patterns.push(new RegExp([...spellings].map(escapeRegExp).join('|'), 'giu'));
  }
  const phone = prospect.phone?.trim();
  if (phone) {
    patterns.push(new RegExp(`(?<!\\d)${escapeRegExp(phone)}(?!\\d)`, 'gu'));
    const digits = phone.replace(/\D/g, '');
    if (digits.length >= MIN_PHONE_DIGITS) patterns.push(phoneDigitsPattern(digits));
  }
  return patterns;
}

/**
 * The phone's digits with any separators, where the leading digits (country code, then more) may be left out as long as
 * the last seven remain, or a country code the input lacked may be added; with an optional `+` or `00` and an optional
 * trunk `0`. Never part of a longer digit run, so a timestamp that happens to contain the digits is left alone.
 */
function phoneDigitsPattern(digits: string): RegExp {
  const tail = digits.slice(-MIN_PHONE_DIGITS).split('').join(DIGIT_GAP);
  let head = '';
  for (const digit of digits.slice(0, -MIN_PHONE_DIGITS)) head = `(?:${head}${digit}${DIGIT_GAP}${TRUNK_ZERO})?`;
  return new RegExp(`(?<!\\d)(?:(?:\\+|00)?\\d{1,3}${DIGIT_GAP})??(?:\\+|00)?\\(?${TRUNK_ZERO}${head}${tail}(?!\\d)`, 'gu');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Field names whose values are never logged, whatever they hold. */
const SENSITIVE_FIELD = /^(api[-_]?key|authorization|x-api-key|secret|password|token|email|phone)$/i;
const MAX_FIELD_DEPTH = 6;

/**
 * What a log line may show of the fields a caller passes: sensitive field names masked, every string through
 * `redactText`, an Error reduced to its name and redacted message (its stack repeats the message and adds nothing a
 * step's logs need). Both log adapters use it: the Powertools formatter in Lambda (functions/commons/powertools.ts) and
 * the JSON-lines logger of local runs (dev/json-logger.ts).
 */
export function redactLogFields(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > MAX_FIELD_DEPTH || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: redactText(value.message, secrets) };
  if (Array.isArray(value)) return value.map((item) => redactLogFields(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SENSITIVE_FIELD.test(key) ? '[redacted]' : redactLogFields(inner, secrets, depth + 1);
  }
  return out;
}
