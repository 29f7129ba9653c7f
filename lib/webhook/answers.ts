import { redactText } from '../redaction.ts';

/*
 * What the webhook answers, shared by the mapping templates of the direct integration (infra/webhook-templates.ts
 * generates its #if chains from these tables) and by the waiter Lambda (lib/webhook/waiter.ts), so both paths give a
 * caller the same status code, Retry-After and message for the same situation.
 */

/** `Prefer: wait=N` is honoured up to this; API Gateway gives an integration 29 s in all. */
export const MAX_WAIT_SECONDS = 25;

export interface Answer {
  status: number;
  error: string;
  message: string;
  /** Seconds for the Retry-After header. */
  retryAfterSeconds?: number;
}

/**
 * StartExecution failures that are not the caller's key being reused, by a fragment of the error type (`__type` in the
 * integration response, the SDK error's `name` in the Lambda). First match wins. Throttling and limits are never the
 * caller's fault: no-code tools do not retry a 400, so they get 429 or 503 and a Retry-After.
 */
export const START_FAILURES: readonly (Answer & { typeContains: readonly string[] })[] = [
  {
    typeContains: ['Throttling', 'TooManyRequests'], status: 429, retryAfterSeconds: 1, error: 'Throttled',
    message: 'The workflow service is throttling new executions; send the same request again after Retry-After seconds.',
  },
  {
    typeContains: ['ExecutionLimitExceeded'], status: 503, retryAfterSeconds: 60, error: 'Busy',
    message: 'The workflow has too many open executions; send the same request again after Retry-After seconds.',
  },
  {
    typeContains: ['InvalidExecutionInput', 'ValidationException'], status: 400, error: 'Input.Invalid',
    message: 'The body cannot be a workflow input: send one JSON object of at most 200 KiB (hc-workflow schema prints its schema).',
  },
];

/** Any other failure to start or read an execution: a fault on our side, so retrying later is right. */
export const UNAVAILABLE: Answer = {
  status: 503, retryAfterSeconds: 5, error: 'Unavailable',
  message: 'The workflow service could not take the request; send the same request again after Retry-After seconds.',
};

/** Reading an execution was throttled. */
export const STATUS_THROTTLED: Answer = {
  status: 429, retryAfterSeconds: 1, error: 'Throttled', message: 'Too many status requests; ask again after Retry-After seconds.',
};

export const NOT_FOUND: Answer = { status: 404, error: 'NotFound', message: 'No activity with this id among this caller\'s executions.' };

/** API Gateway gave the request no caller identity to scope it to; never expected with an API key or IAM auth. */
export const CALLER_UNKNOWN: Answer = {
  status: 500, error: 'CallerUnknown',
  message: 'The request reached the webhook without an API key id or IAM caller to keep its executions apart; check the API\'s authorization settings.',
};

export const DUPLICATE_MESSAGE = 'This Idempotency-Key was already accepted; nothing new was started.';
/** The direct integration learns only that the name exists, not how its execution went. */
export const DUPLICATE_STATUS_UNKNOWN = 'UNKNOWN';
export const DUPLICATE_STATUS_HINT = `${DUPLICATE_MESSAGE} GET statusUrl for how it went, or send to /activities/sync to get that in the answer.`;

/** How long a request may have been running before StartExecution's startDate counts as another delivery's. */
export const EARLIER_START_MS = 1000;

/**
 * The message of a failed execution: a step's error has a JSON cause ({errorType, errorMessage, trace}) and only its
 * message is shown. Any other cause (a Lambda service error, a States.Runtime error quoting the state input) is not
 * echoed, since it may quote input; the execution history has it.
 */
export const FAILURE_WITHOUT_STEP_MESSAGE = 'The execution failed without a step error message; its Step Functions execution history has the cause.';

export function failureMessage(cause: string | undefined | null): string {
  if (!cause || !cause.startsWith('{') || !cause.endsWith('}')) return FAILURE_WITHOUT_STEP_MESSAGE;
  try {
    const message = (JSON.parse(cause) as { errorMessage?: unknown } | null)?.errorMessage;
    return typeof message === 'string' && message !== '' ? redactText(message) : FAILURE_WITHOUT_STEP_MESSAGE;
  } catch {
    return FAILURE_WITHOUT_STEP_MESSAGE;
  }
}

/**
 * A synchronous answer for a workflow that failed in time: 422 when the input or the records it names were refused
 * (sending it again unchanged fails again), 502 when the API or the platform failed it.
 */
export const CALLER_DATA_ERRORS: readonly string[] = ['Input.Invalid', 'HiringCenter.Rejected', 'HiringCenter.Conflict'];

export function startFailureAnswer(type: string): Answer {
  const { typeContains: _matched, ...answer } = START_FAILURES.find((entry) => entry.typeContains.some((fragment) => type.includes(fragment))) ?? { typeContains: [], ...UNAVAILABLE };
  return answer;
}
