/**
 * The named errors of ARCHITECTURE.md §3. Handlers throw them; the state machine's Retry/Catch match on `name`.
 *
 * In AWS only `errorType` (= name) and `errorMessage` reach Step Functions (inside `Cause`), so anything the state
 * machine must read, such as the rate-limit wait, is encoded in the message itself.
 */
export const ErrorName = {
  RateLimited: 'HiringCenter.RateLimited',
  QuotaExhausted: 'HiringCenter.QuotaExhausted',
  Unavailable: 'HiringCenter.Unavailable',
  InFlight: 'HiringCenter.InFlight',
  Conflict: 'HiringCenter.Conflict',
  Unauthorized: 'HiringCenter.Unauthorized',
  Rejected: 'HiringCenter.Rejected',
  InputInvalid: 'Input.Invalid',
} as const;
export type ErrorName = (typeof ErrorName)[keyof typeof ErrorName];

export class WorkflowError extends Error {
  override readonly name: ErrorName;
  constructor(name: ErrorName, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** What a rate-limited step waits for; the state machine's Wait state reads `until` (whole seconds, RFC 3339). */
export interface RateLimitWait {
  /** Seconds the API asked for (Retry-After), or until the reserved quota slot. */
  retryAfterSeconds: number;
  /** Epoch ms at which the step may send (the reserved slot, or now + Retry-After). */
  slotAt: number;
  /** The quota pacer's generation of that slot, which the step confirms after the wait (lib/pacer). */
  generation?: number;
  /** What the API's RateLimit-* headers said about the exceeded window, for the quota pacer to adapt to. */
  observed?: { limit?: number; remaining?: number; resetSeconds?: number };
}

/**
 * 429, or a quota slot that is more than a moment away. The message is JSON because only `errorType` and
 * `errorMessage` reach Step Functions: the state machine reads `until` from it with States.StringToJson, and the step
 * that runs again after the wait reads `slotAt` so it sends in the slot it already holds instead of queueing again.
 */
export class RateLimitedError extends WorkflowError {
  readonly retryAfterSeconds: number;
  readonly slotAt: number;
  readonly generation: number;
  readonly observed: RateLimitWait['observed'];
  readonly detail: string;
  constructor(wait: RateLimitWait, detail: string) {
    super(ErrorName.RateLimited, JSON.stringify({
      retryAfterSeconds: wait.retryAfterSeconds,
      // Step Functions waits to the second (it truncates milliseconds): rounded up, the Wait never ends before the slot.
      until: wholeSecondsIso(wait.slotAt),
      slotAt: wait.slotAt,
      generation: wait.generation ?? 0,
      message: detail,
    }));
    this.retryAfterSeconds = wait.retryAfterSeconds;
    this.slotAt = wait.slotAt;
    this.generation = wait.generation ?? 0;
    this.observed = wait.observed;
    this.detail = detail;
  }
}

/** RFC 3339 without fractional seconds, rounded up: the Wait state never wakes the step before its slot. */
export function wholeSecondsIso(epochMs: number): string {
  return new Date(Math.ceil(epochMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The next quota slot is later than this execution may wait (its timeout): fail now rather than time out later. */
export class QuotaExhaustedError extends WorkflowError {
  constructor(message: string) {
    super(ErrorName.QuotaExhausted, message);
  }
}

/** 5xx, connection errors and timeouts: the write may or may not have happened, so retry with the same key. */
export class UnavailableError extends WorkflowError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(ErrorName.Unavailable, message, options);
  }
}

/** 409 while the first request with this idempotency key is still being processed: retry later with the same key. */
export class InFlightError extends WorkflowError {
  constructor(message: string) {
    super(ErrorName.InFlight, message);
  }
}

/** 409 because the idempotency key was already used with a different payload: a bug or a changed input, never retried. */
export class ConflictError extends WorkflowError {
  constructor(message: string) {
    super(ErrorName.Conflict, message);
  }
}

/** 401/403 that persisted after one fresh read of the API key. */
export class UnauthorizedError extends WorkflowError {
  constructor(message: string) {
    super(ErrorName.Unauthorized, message);
  }
}

/** 400/404/422: the API refused the request; retrying the same request cannot succeed. */
export class RejectedError extends WorkflowError {
  readonly status: number;
  constructor(status: number, message: string) {
    super(ErrorName.Rejected, message);
    this.status = status;
  }
}

export interface InputIssue {
  /** Dotted path of the offending field, e.g. `meeting.timeZone`; empty for the document itself. */
  path: string;
  message: string;
}

/** The input failed validation. The message lists every issue with its field; it never echoes the values. */
export class InputInvalidError extends WorkflowError {
  readonly issues: readonly InputIssue[];
  readonly subject: string;
  constructor(issues: readonly InputIssue[], subject = 'workflow input') {
    super(ErrorName.InputInvalid, formatIssues(subject, issues));
    this.issues = issues;
    this.subject = subject;
  }
}

/**
 * The message lists the first issues only: an input with thousands of unknown keys must not produce a message of
 * megabytes, which would flood the logs and overflow the error Cause that Step Functions carries (32,768 characters).
 */
export const MAX_LISTED_ISSUES = 20;

export function formatIssues(subject: string, issues: readonly InputIssue[]): string {
  const lines = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${issue.path || '(root)'}: ${issue.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? `; and ${issues.length - MAX_LISTED_ISSUES} more` : '';
  return `Invalid ${subject} (${issues.length} issue${issues.length === 1 ? '' : 's'}): ${lines.join('; ')}${more}`;
}

export function isWorkflowError(error: unknown): error is WorkflowError {
  return error instanceof WorkflowError;
}
