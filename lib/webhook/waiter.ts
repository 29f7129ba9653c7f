import { DescribeExecutionCommand, type DescribeExecutionCommandOutput, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Logger } from '../log.ts';
import {
  type Answer, CALLER_DATA_ERRORS, CALLER_UNKNOWN, DUPLICATE_MESSAGE, DUPLICATE_STATUS_UNKNOWN, EARLIER_START_MS, failureMessage,
  MAX_WAIT_SECONDS, startFailureAnswer,
} from './answers.ts';
import { executionNameFor, IDEMPOTENCY_HEADER, headerValue, keyRuleMessage } from './execution-name.ts';
import { preferredWaitSeconds } from './prefer.ts';

/*
 * POST /activities/sync: start the delivery's Standard execution, with the very name POST /activities would give it
 * (lib/webhook/execution-name.ts), and answer with its output if it finishes within the caller's `Prefer: wait=N`.
 * Starting by name keeps the work exactly-once whichever path, or how many retries, a delivery takes: a second start
 * of a running execution returns it, and one of a finished execution fails with ExecutionAlreadyExists, after which
 * this reads the first one's result instead.
 */

export interface SyncDelivery {
  /** The request body as received (API Gateway validated it against the workflow input model already). */
  body: string;
  headers: Record<string, string | undefined>;
  /** Every Prefer header value, in order. */
  preferHeaders: readonly string[];
  callerId: string;
  requestId: string;
  /** When API Gateway received the request (epoch ms). */
  requestTimeEpoch: number;
  /** `https://<domain>/<stage>/activities/`: the execution id is appended for the status URL. */
  statusUrlBase: string;
}

export interface WebhookAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface WaiterDependencies {
  sfn: Pick<SFNClient, 'send'>;
  stateMachineArn: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  logger: Logger;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
const FIRST_POLL_MS = 200;
const MAX_POLL_MS = 1000;

export async function startAndWait(deps: WaiterDependencies, delivery: SyncDelivery): Promise<WebhookAnswer> {
  const started = deps.now();
  const requestedWait = preferredWaitSeconds(delivery.preferHeaders);
  const waitSeconds = requestedWait ?? MAX_WAIT_SECONDS;
  const extraHeaders: Record<string, string> = requestedWait === undefined ? {} : { 'Preference-Applied': `wait=${waitSeconds}` };

  const named = executionNameFor({ callerId: delivery.callerId, idempotencyKey: headerValue(delivery.headers, IDEMPOTENCY_HEADER), requestId: delivery.requestId });
  if (!named.ok) {
    return named.problem === 'caller'
      ? errorAnswer(CALLER_UNKNOWN)
      : errorAnswer({ status: 400, error: 'IdempotencyKey.Invalid', message: keyRuleMessage(named.limits) });
  }
  const id = named.name;
  const executionArn = `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:${id}`;
  const statusUrl = `${delivery.statusUrlBase}${id}`;

  const input = inputObject(delivery.body);
  if (input === undefined) return errorAnswer(startFailureAnswer('InvalidExecutionInput'));

  let duplicate: boolean;
  try {
    const result = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: deps.stateMachineArn, name: id, input }));
    // A start of a running execution with the same name and input returns that execution, with its own start date.
    duplicate = result.startDate !== undefined && result.startDate.getTime() < delivery.requestTimeEpoch - EARLIER_START_MS;
  } catch (error) {
    const type = errorName(error);
    if (type.includes('ExecutionAlreadyExists')) {
      duplicate = true;
    } else {
      deps.logger.log('warn', 'webhook start failed', { executionName: id, errorName: type, requestId: delivery.requestId });
      return errorAnswer(startFailureAnswer(type));
    }
  }

  const execution = await pollUntilDone(deps, executionArn, started + waitSeconds * 1000);
  const status = execution?.status ?? (duplicate ? DUPLICATE_STATUS_UNKNOWN : 'RUNNING');
  deps.logger.log('info', 'webhook answered', { executionName: id, status, duplicate, waitedMs: deps.now() - started, requestId: delivery.requestId });
  const common = { id, status, statusUrl, ...(duplicate ? { duplicate: true } : {}) };

  // Output fields beside id and status; `common` last so an output field can never replace them.
  if (status === 'SUCCEEDED') return answer(200, { ...common, ...outputFields(execution?.output), ...common }, extraHeaders);
  if (TERMINAL.has(status)) {
    const error = execution?.error ?? (status === 'TIMED_OUT' ? 'States.Timeout' : status === 'ABORTED' ? 'States.Aborted' : 'States.Runtime');
    const code = CALLER_DATA_ERRORS.includes(error) ? 422 : 502;
    return answer(code, { ...common, error, message: failureMessage(execution?.cause) }, extraHeaders);
  }
  return answer(202, { ...common, ...(duplicate ? { message: DUPLICATE_MESSAGE } : {}) }, extraHeaders);
}

/** DescribeExecution until the execution is done or the deadline passes; read at least once. Errors count as "not yet". */
async function pollUntilDone(deps: WaiterDependencies, executionArn: string, deadline: number): Promise<DescribeExecutionCommandOutput | undefined> {
  let last: DescribeExecutionCommandOutput | undefined;
  let interval = FIRST_POLL_MS;
  for (;;) {
    try {
      last = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (last.status !== undefined && TERMINAL.has(last.status)) return last;
    } catch (error) {
      // Throttling, or a read racing the start: the answer is then the 202 with the status URL, never an error.
      deps.logger.log('debug', 'webhook status read failed', { errorName: errorName(error) });
    }
    const remaining = deadline - deps.now();
    if (remaining <= 0) return last;
    await deps.sleep(Math.min(interval, remaining));
    interval = Math.min(interval * 1.5, MAX_POLL_MS);
  }
}

/**
 * The body as compact JSON, or undefined when it is not a JSON object: API Gateway validated it against the model for
 * application/json, so this only happens for a request sent with another content type.
 */
function inputObject(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? JSON.stringify(parsed) : undefined;
  } catch {
    return undefined;
  }
}

/** The output contract's fields at the top level, beside id and status, where a no-code tool maps them directly. */
function outputFields(output: string | undefined): Record<string, unknown> {
  if (output === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(output);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { output: parsed };
  } catch {
    return {};
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

function errorAnswer(failure: Answer): WebhookAnswer {
  const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(failure.retryAfterSeconds) };
  return answer(failure.status, { error: failure.error, message: failure.message }, headers);
}

function answer(statusCode: number, body: Record<string, unknown>, headers: Record<string, string>): WebhookAnswer {
  return { statusCode, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) };
}
