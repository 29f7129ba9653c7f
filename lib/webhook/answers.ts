/*
 * What the webhook answers. POST /activities runs through API Gateway mapping templates and the Express front door
 * state machine (infra/webhook-templates.ts, infra/webhook-front-door.ts); both are generated from the tables and
 * names below, so the same situation always gives a caller the same status code, Retry-After and message.
 */

/** `Prefer: wait=N` is honoured up to this; a larger N is capped (API Gateway gives an integration 29 s in all). */
export const MAX_WAIT_SECONDS = 25;

export interface Answer {
  status: number;
  error: string;
  message: string;
  /** Seconds for the Retry-After header. */
  retryAfterSeconds?: number;
}

/**
 * Failures to start (or read) an execution, by a fragment of the error: `__type` of a Step Functions API error, or the
 * error name and cause that the front door's AWS SDK task caught (`Sfn.ExecutionLimitExceededException`; throttling
 * can arrive as a generic `Sfn.SfnException` whose cause says `Rate exceeded`). First match wins. Throttling and limits
 * are never the caller's fault: no-code tools do not retry a 400, so they get 429 or 503 and a Retry-After.
 */
/** Error-type fragments that mean "slow down", whichever call of Step Functions answered them. */
export const THROTTLING_FRAGMENTS: readonly string[] = ['Throttling', 'TooManyRequests', 'Rate exceeded'];

export const START_FAILURES: readonly (Answer & { typeContains: readonly string[] })[] = [
  {
    typeContains: THROTTLING_FRAGMENTS, status: 429, retryAfterSeconds: 1, error: 'Throttled',
    message: 'The workflow service is throttling requests; send the same request again after Retry-After seconds.',
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

/**
 * A repeated key whose execution could not be read (every DescribeExecution failed): nothing new was started, and the
 * caller is asked to come back rather than told a status nobody knows.
 */
export const DUPLICATE_UNREAD: Answer = {
  status: 503, retryAfterSeconds: 1, error: 'StatusUnavailable',
  message: `${DUPLICATE_MESSAGE} Its status could not be read just now; send the same request again after Retry-After seconds.`,
};

/**
 * A synchronous answer for a workflow that failed in time: 422 when the input or the records it names were refused
 * (sending it again unchanged fails again), 502 when the API or the platform failed it.
 */
export const CALLER_DATA_ERRORS: readonly string[] = ['Input.Invalid', 'HiringCenter.Rejected', 'HiringCenter.Conflict'];

/**
 * What the front door state machine ends with (its output's `answer`), which the integration response turns into the
 * HTTP answer:
 * - `refused` `{problem: 'key' | 'caller'}`: the request template could not name an execution (400 or 500);
 * - `notStarted` `{failure: {Error, Cause}}`: StartExecution failed for another reason than the name being taken;
 * - `accepted` `{id}`: a new execution, still running (202);
 * - `finished` `{id, execution}`: a new execution that ended within the wait (200, or 422/502 when it failed);
 * - `duplicate` `{id, execution}`: the name was taken by an earlier delivery; `execution` is that one (200);
 * - `unread` `{id, failure}`: the name was taken, and that execution could not be read (429 or 503).
 * `execution` is DescribeExecution's answer (AWS SDK field names: Status, Output, Error, Cause) without its input.
 */
export const FrontDoorAnswer = {
  refused: 'refused', notStarted: 'notStarted', accepted: 'accepted', finished: 'finished', duplicate: 'duplicate', unread: 'unread',
} as const;

/** The request template's reasons for not naming an execution (the front door input's `problem`). */
export const NamingProblem = { key: 'key', caller: 'caller' } as const;
