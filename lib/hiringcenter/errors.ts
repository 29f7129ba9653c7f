// Maps HTTP outcomes of the HiringCenter API to the named errors of lib/errors.ts (ARCHITECTURE.md §3).
// Messages name the method, the route (never the query string: it holds emails and phones) and what the API said;
// they never carry a request body. What the API said passes through lib/redaction.ts before it becomes part of a
// message (an API 422 may quote the prospect's e-mail and phone), and every message through `redact`, so neither a
// contact detail nor an API key reaches the error, the execution's status or the Lambda runtime's own error log line.
import {
  ConflictError,
  InFlightError,
  RateLimitedError,
  RejectedError,
  UnauthorizedError,
  UnavailableError,
  type WorkflowError,
} from '../errors.ts';
import { redactSecrets, redactText } from '../redaction.ts';
import { parseRateLimitHeaders, resolveRetryAfterSeconds, type HeaderBag } from './rate-limit.ts';

export interface RequestContext {
  method: string;
  /** The route below the base URL, without query string, e.g. `/notes`. */
  route: string;
  /** Every API key used for this call; redacted from messages. */
  secrets: readonly string[];
}

export interface ErrorSummary {
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
  code?: string;
  error?: string;
  message?: string;
  /** Field details flattened to `field: message; ...`. */
  details?: string;
}

const MAX_TEXT = 300;
const MAX_DETAILS = 10;

function clip(text: string, max = MAX_TEXT): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function str(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Details come as `[{field, message}]` (sandbox), `[{path, message}]`, `["text"]` or `{ field: message | [..] }`. */
function formatDetails(details: unknown): string | undefined {
  const parts: string[] = [];
  if (Array.isArray(details)) {
    for (const entry of details.slice(0, MAX_DETAILS)) {
      if (isObject(entry)) {
        const rawPath = entry.field ?? entry.path ?? entry.param ?? entry.name ?? entry.loc;
        const field = Array.isArray(rawPath) ? rawPath.join('.') : str(rawPath);
        const message = str(entry.message ?? entry.msg ?? entry.issue ?? entry.reason ?? entry.code);
        if (field !== undefined || message !== undefined) parts.push(field ? `${field}: ${message ?? 'invalid'}` : `${message}`);
      } else if (str(entry) !== undefined) {
        parts.push(str(entry) as string);
      }
    }
  } else if (isObject(details)) {
    for (const [field, value] of Object.entries(details).slice(0, MAX_DETAILS)) {
      const message = Array.isArray(value) ? value.map(str).filter(Boolean).join(', ') : str(value);
      parts.push(`${field}: ${message || 'invalid'}`);
    }
  } else if (str(details) !== undefined) {
    parts.push(str(details) as string);
  }
  return parts.length > 0 ? clip(parts.join('; '), 600) : undefined;
}

/** Reads the API's error body: `{error, code?, message, details?}`, also nested as `{error: {code, message, ...}}`. */
export function summarizeErrorBody(text: string): ErrorSummary {
  let body: unknown;
  try {
    body = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!isObject(body)) {
    // Not JSON (proxy or load-balancer pages): keep a short plain-text snippet.
    const raw = typeof body === 'string' ? body : body === null ? '' : text;
    const snippet = raw.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return snippet === '' ? { body } : { body, message: clip(snippet, 200) };
  }
  const nested = isObject(body.error) ? body.error : undefined;
  const source = nested ?? body;
  const summary: ErrorSummary = { body };
  const code = str(source.code) ?? str(body.code);
  const error = nested ? str(nested.type ?? nested.error) : str(body.error);
  const message = str(source.message) ?? str(body.message) ?? str(source.detail) ?? str(source.title);
  const details = formatDetails(source.details ?? body.details ?? source.errors ?? source.issues);
  if (code !== undefined) summary.code = clip(code, 100);
  if (error !== undefined) summary.error = clip(error, 100);
  if (message !== undefined) summary.message = clip(message);
  if (details !== undefined) summary.details = details;
  return summary;
}

/**
 * "Invalid prospectId (details: prospectId: is required)" or "Bad Request" or "no error message", the API key masked
 * first (a key with seven digits in a row would otherwise be half turned into [phone] and escape the exact match),
 * then contact details.
 */
function apiSays(summary: ErrorSummary, secrets: readonly string[]): string {
  const text = summary.message ?? summary.error ?? 'no error message';
  return redactText(summary.details !== undefined ? `${text} (details: ${summary.details})` : text, secrets);
}

const IN_FLIGHT_CODE = /in[_ -]?progress|processing|in[_ -]?flight|pending|locked|concurrent/i;
const MISMATCH_CODE = /reuse|mismatch|different|conflict_payload|payload/i;
const IN_FLIGHT_TEXT = /in[ _-]?progress|processing|in[ _-]?flight|still running|not (yet )?(finished|complete)/i;
const MISMATCH_TEXT = /different|mismatch|reused|re-used|does not match|doesn't match|not match/i;

/**
 * 409 on a write means one of two things (docs §5): the key is still being processed (retry later with the same
 * key) or it was used with another payload (never retryable). The body is undocumented, so the sandbox's `code`
 * decides first, then keywords in the message. An unrecognised 409 counts as in flight: retrying with the same key
 * cannot write twice, and the state machine bounds the retries, whereas a wrong "conflict" would fail a workflow
 * that a retry would have completed.
 */
export function classifyConflict(summary: ErrorSummary): 'inFlight' | 'mismatch' {
  const code = summary.code ?? '';
  if (code === 'idempotency_request_in_progress') return 'inFlight';
  if (code === 'idempotency_key_reused') return 'mismatch';
  if (IN_FLIGHT_CODE.test(code)) return 'inFlight';
  if (MISMATCH_CODE.test(code)) return 'mismatch';
  const text = `${summary.message ?? ''} ${summary.error ?? ''}`;
  if (IN_FLIGHT_TEXT.test(text)) return 'inFlight';
  if (MISMATCH_TEXT.test(text)) return 'mismatch';
  return 'inFlight';
}

export interface HttpFailure {
  status: number;
  headers: HeaderBag;
  text: string;
}

/** Any non-2xx except 401/403, which the client handles (refresh, retry) before calling `unauthorizedError`. */
export function errorFromResponse(context: RequestContext, failure: HttpFailure, nowMs = Date.now()): WorkflowError {
  const { method, route, secrets } = context;
  const { status } = failure;
  const summary = summarizeErrorBody(failure.text);
  const said = apiSays(summary, secrets);
  const codeSuffix = summary.code !== undefined ? ` ${summary.code}` : '';
  const safe = (text: string): string => redactSecrets(text, secrets);

  if (status === 429) {
    const seconds = resolveRetryAfterSeconds(failure.headers, summary.body, nowMs);
    return new RateLimitedError(
      { retryAfterSeconds: seconds, slotAt: nowMs + seconds * 1000, observed: parseRateLimitHeaders(failure.headers, nowMs) },
      safe(`${method} ${route}: rate limited (429), retry after ${seconds} s: ${said}`),
    );
  }
  if (status === 409) {
    if (classifyConflict(summary) === 'mismatch') {
      return new ConflictError(
        safe(`${method} ${route}: the idempotency key was already used with a different request (409${codeSuffix}): ${said}`),
      );
    }
    return new InFlightError(
      safe(`${method} ${route}: a request with this idempotency key is still in progress (409${codeSuffix}): ${said}`),
    );
  }
  if (status >= 500 || status === 408) {
    return new UnavailableError(safe(`${method} ${route}: HiringCenter returned ${status}${codeSuffix}: ${said}`));
  }
  if (status === 401 || status === 403) return unauthorizedError(context, status, failure.text);
  return new RejectedError(status, safe(`HiringCenter rejected ${method} ${route} (${status}${codeSuffix}): ${said}`));
}

export function unauthorizedError(context: RequestContext, status: number, text: string): UnauthorizedError {
  const { method, route, secrets } = context;
  // The API's own sentence usually ends with a period; ours follows it.
  const said = apiSays(summarizeErrorBody(text), secrets).replace(/\.+$/, '');
  return new UnauthorizedError(
    redactSecrets(
      `HiringCenter refused the API key for ${method} ${route} (${status}) even after re-reading it: ${said}. ` +
        'Check the API key in the secret (HIRINGCENTER_SECRET_ID) or HIRINGCENTER_API_KEY: it must be an active ' +
        'key of this account with permission for this operation.',
      secrets,
    ),
  );
}

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  name?: unknown;
  errors?: unknown;
}

function errorCode(error: ErrorLike): string | undefined {
  if (typeof error.code === 'string') return error.code;
  // Happy-eyeballs connects fail with an AggregateError that may carry the codes only on its members.
  if (Array.isArray(error.errors)) {
    const first: unknown = error.errors[0];
    if (isObject(first) && typeof first.code === 'string') return first.code;
  }
  return undefined;
}

export interface Timeouts {
  connectMs: number;
  headersMs: number;
  bodyMs: number;
}

/**
 * A transport failure (no HTTP response, or the body could not be read) as `UnavailableError`: the write may or may
 * not have happened, so the state machine retries with the same key. undici refusing the request itself
 * (`UND_ERR_INVALID_ARG`) is a bug, not an outage, and becomes a `TypeError` that no Retry matches.
 */
export function errorFromTransport(context: RequestContext, error: unknown, timeouts: Timeouts): UnavailableError | TypeError {
  const err: ErrorLike = isObject(error) ? error : { message: String(error) };
  const code = errorCode(err);
  // A transport message can quote the URL, and a lookup's query string holds the e-mail or phone.
  const detail = redactText(typeof err.message === 'string' && err.message !== '' ? err.message : String(err.name ?? 'error'), context.secrets);
  if (code === 'UND_ERR_INVALID_ARG') {
    return new TypeError(redactSecrets(`${context.method} ${context.route}: invalid request: ${clip(detail)}`, context.secrets));
  }
  let cause: string;
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      cause = `connect timeout after ${timeouts.connectMs} ms`;
      break;
    case 'UND_ERR_HEADERS_TIMEOUT':
      cause = `headers timeout after ${timeouts.headersMs} ms`;
      break;
    case 'UND_ERR_BODY_TIMEOUT':
      cause = `body timeout after ${timeouts.bodyMs} ms`;
      break;
    case 'UND_ERR_SOCKET':
      cause = `socket closed before the response completed (${detail})`;
      break;
    case 'ECONNRESET':
      cause = 'connection reset (ECONNRESET)';
      break;
    case 'ECONNREFUSED':
      cause = 'connection refused (ECONNREFUSED)';
      break;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      cause = `DNS lookup failed (${code})`;
      break;
    default:
      cause = code !== undefined ? `${code}: ${detail}` : detail;
  }
  return new UnavailableError(redactSecrets(`${context.method} ${context.route}: ${clip(cause)}`, context.secrets), { cause: error });
}

/** Describes zod issues by field and expected type only: values are never echoed (they can be PII). */
export function describeIssues(issues: readonly { code?: string; path: readonly PropertyKey[]; expected?: string; message: string }[], data: unknown): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = formatPath(issue.path);
      if (issue.code === 'invalid_type' && issue.expected !== undefined) {
        return `${path}: expected ${issue.expected}, got ${typeName(valueAt(data, issue.path))}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? String(segment) : `.${String(segment)}`;
  }
  return out === '' ? 'body' : out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function typeName(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
