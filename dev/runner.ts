import { randomUUID } from 'node:crypto';
import { ExecutionError, type RunOptions, type StateMachine } from 'aws-local-stepfunctions';
import {
  createMeetingHandler, createNoteHandler, createTaskHandler, createUpsertProspectHandler, type StepHandler,
} from '../functions/handlers.ts';
import { finalAttemptStateName, StateNames, type TaskStateName } from '../infra/state-machine-definition.ts';
import { ErrorName } from '../lib/errors.ts';
import type { StepDependencies } from '../lib/workflow/dependencies.ts';
import type { WorkflowRun } from '../lib/workflow/steps.ts';
import { synthesizeWorkflow } from './definition.ts';
import { retryAfterOf, scaledWaits, stateMachineFor } from './time-scale.ts';

type JSONValue = Parameters<StateMachine['run']>[0];
type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

/** Progress of a local execution, for the CLI's live output and for tests. */
export type RunEvent =
  | { type: 'state-entered'; state: string; stateType: string; at: number }
  | { type: 'state-exited'; state: string; stateType: string; at: number; durationMs: number; output: unknown; caught: boolean }
  | { type: 'state-retried'; state: string; attempt: number; error: string; at: number }
  | { type: 'state-caught'; state: string; error: string; at: number }
  | { type: 'state-failed'; state: string; stateType: string; error: string; cause: string; at: number }
  | { type: 'event-published'; state: string; entries: PublishedEvent[]; at: number };

/** An EventBridge PutEvents entry the state machine sent (locally: recorded, not sent anywhere). */
export interface PublishedEvent {
  Source?: string;
  DetailType?: string;
  Detail?: unknown;
  EventBusName?: string;
}

const PUT_EVENTS_RESOURCE = 'arn:aws:states:::events:putEvents';

export { scaleDefinitionTime } from './time-scale.ts';

export interface FailureInfo {
  /** The error name, e.g. HiringCenter.Rejected. */
  error: string;
  /** The error message, unwrapped from the Lambda-style Cause. */
  message: string;
  /** The state whose failure ended the execution. */
  state?: string;
}

export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED';
  executionName: string;
  output?: WorkflowRun;
  failure?: FailureInfo;
  /** Events the execution published, e.g. ProspectActivityFailed. */
  publishedEvents: PublishedEvent[];
  retries: Record<string, number>;
  durationMs: number;
}

export interface LocalRunOptions {
  input: unknown;
  deps: StepDependencies;
  /** Default: `local-<uuid>`, like a console-started execution. A redrive re-uses the failed execution's name. */
  executionName?: string;
  /** Replace every retrier's wait (ms). Tests use this to keep retry order without waiting seconds. */
  retryDelayMs?: number;
  /** Replace the rate-limit Wait state's SecondsPath wait (ms). Unset, the API's Retry-After is waited for real. */
  rateLimitWaitMs?: number;
  /**
   * Local runs only: multiply every duration of the definition by this factor (retriers' IntervalSeconds and
   * MaxDelaySeconds, Wait Seconds, TimeoutSeconds) and wait Retry-After × factor in the rate-limit Wait. Backoff rates,
   * attempt counts, jitter and the order of events are untouched and no wait is skipped, so a soak with the deployed
   * policy finishes in minutes. Default 1. `retryDelayMs` and `rateLimitWaitMs`, when given, take precedence.
   */
  timeScale?: number;
  onEvent?: (event: RunEvent) => void;
}

/**
 * In AWS a Node.js Lambda error reaches Step Functions as Error = the error's name and Cause = the JSON
 * {errorType, errorMessage, trace}. The local engine uses `error.message` as Cause, so the handler error is re-thrown in
 * that exact shape; ASL that reads Cause (the rate-limit wait does) then behaves the same here and in AWS.
 */
export function asLambdaError(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n').slice(1).map((line) => line.trim()) : [];
  const lambdaError = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace }));
  lambdaError.name = name;
  return lambdaError;
}

/** Task state → in-process handler: each step, and its final attempt, which runs the same handler. */
export function bindHandlers(deps: StepDependencies): Record<string, StepHandler> {
  const getDeps = () => deps;
  const steps: Record<TaskStateName, StepHandler> = {
    [StateNames.upsertProspect]: createUpsertProspectHandler(getDeps),
    [StateNames.createNote]: createNoteHandler(getDeps),
    [StateNames.createTask]: createTaskHandler(getDeps),
    [StateNames.createMeeting]: createMeetingHandler(getDeps),
  };
  const bound: Record<string, StepHandler> = { ...steps };
  for (const [step, handler] of Object.entries(steps) as [TaskStateName, StepHandler][]) bound[finalAttemptStateName(step)] = handler;
  return bound;
}

/** The step a task state belongs to: CreateMeetingFinalAttempt → CreateMeeting. */
function stepOfState(state: string): string {
  return state.replace(/FinalAttempt$/, '');
}

export async function runWorkflowLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const { definition, taskResources } = synthesizeWorkflow();
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new RangeError('timeScale must be a positive number');
  const handlers = bindHandlers(options.deps);
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const localHandlers: NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']> = {};
  const publishedEvents: PublishedEvent[] = [];
  // The Retry-After of the last 429 in this execution: what the rate-limit Wait's SecondsPath reads (see scaledWaits).
  let pendingRetryAfter: number | undefined;
  // Reported when the state's exit comes through the event log, so progress stays in execution order.
  const pendingPublished = new Map<string, PublishedEvent[]>();
  for (const [state, resource] of Object.entries(taskResources)) {
    if (resource === PUT_EVENTS_RESOURCE) {
      localHandlers[state] = (input) => {
        const entries = ((input as { Entries?: PublishedEvent[] }).Entries ?? []).map((entry) => ({ ...entry, Detail: parseDetail(entry.Detail) }));
        publishedEvents.push(...entries);
        pendingPublished.set(state, entries);
        return { Entries: entries.map((_, index) => ({ EventId: `local-${index}` })), FailedEntryCount: 0 };
      };
      continue;
    }
    const handler = handlers[state];
    if (!handler) continue;
    localHandlers[state] = async (input) => {
      try {
        return (await handler(input, { awsRequestId: randomUUID(), functionName: state })) as unknown as JSONValue;
      } catch (error) {
        const lambdaError = asLambdaError(error);
        if (lambdaError.name === ErrorName.RateLimited) pendingRetryAfter = retryAfterOf(lambdaError);
        throw lambdaError;
      }
    };
  }
  const unbound = Object.keys(taskResources).filter((state) => !localHandlers[state]);
  if (unbound.length > 0) throw new Error(`no local handler for task state(s): ${unbound.join(', ')}`);

  const overrides: NonNullable<RunOptions['overrides']> = { taskResourceLocalHandlers: localHandlers };
  if (options.retryDelayMs !== undefined) {
    overrides.retryIntervalOverrides = Object.fromEntries(Object.keys(taskResources).map((state) => [state, options.retryDelayMs ?? 0]));
  }
  if (options.rateLimitWaitMs !== undefined) {
    overrides.waitTimeOverrides = { WaitRetryAfter: options.rateLimitWaitMs };
  } else if (timeScale !== 1) {
    overrides.waitTimeOverrides = scaledWaits(definition, timeScale, () => {
      const seconds = pendingRetryAfter;
      pendingRetryAfter = undefined;
      return seconds;
    });
  }

  const machine = stateMachineFor(definition, timeScale);
  const started = Date.now();
  const execution = machine.run(options.input as JSONValue, {
    overrides,
    context: {
      Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:HiringCenterWorkflow:${executionName}`, Name: executionName, StartTime: new Date(started).toISOString() },
    },
  });

  const retries: Record<string, number> = {};
  let lastFailedState: string | undefined;
  const entered = new Map<string, number>();
  const caught = new Set<string>();
  const consumeEvents = (async () => {
    for await (const event of execution.eventLogs) {
      const progress = toRunEvent(event, entered, caught);
      if (!progress) continue;
      if (progress.type === 'state-retried') retries[progress.state] = (retries[progress.state] ?? 0) + 1;
      if (progress.type === 'state-failed' && handlers[progress.state]) lastFailedState = stepOfState(progress.state);
      options.onEvent?.(progress);
      const published = progress.type === 'state-exited' ? pendingPublished.get(progress.state) : undefined;
      if (published) {
        pendingPublished.delete(progress.state);
        options.onEvent?.({ type: 'event-published', state: progress.state, entries: published, at: progress.at });
      }
    }
  })();

  try {
    const output = (await execution.result) as unknown as WorkflowRun;
    await consumeEvents;
    return { status: 'SUCCEEDED', executionName, output, publishedEvents, retries, durationMs: Date.now() - started };
  } catch (error) {
    await consumeEvents.catch(() => undefined);
    if (!(error instanceof ExecutionError)) throw error;
    const { name, cause } = executionErrorDetails(error);
    return {
      status: 'FAILED',
      executionName,
      failure: { error: name, message: unwrapCause(cause), ...(lastFailedState ? { state: lastFailedState } : {}) },
      publishedEvents,
      retries,
      durationMs: Date.now() - started,
    };
  }
}

/** EventBridge Detail is a JSON string on the wire; Step Functions' fromObject detail arrives as an object. */
function parseDetail(detail: unknown): unknown {
  if (typeof detail !== 'string') return detail;
  try {
    return JSON.parse(detail) as unknown;
  } catch {
    return detail;
  }
}

function executionErrorDetails(error: ExecutionError): { name: string; cause: unknown } {
  // The engine keeps the failing error on `cause`, with the ASL Error name as its name.
  const inner = (error as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) return { name: inner.name, cause: (inner as Error & { cause?: unknown }).cause ?? inner.message };
  return { name: error.name, cause: error.message };
}

/** A Lambda-style Cause is JSON {errorType, errorMessage}; a Fail state's Cause is plain text. */
export function unwrapCause(cause: unknown): string {
  if (typeof cause !== 'string') return cause === undefined ? '' : JSON.stringify(cause);
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not JSON: a plain cause text.
  }
  return cause;
}

function toRunEvent(event: EventLog, entered: Map<string, number>, caught: Set<string>): RunEvent | undefined {
  if (!event || !('state' in event)) return undefined;
  const state = event.state.name;
  switch (event.type) {
    case 'StateEntered':
      entered.set(state, event.timestamp);
      caught.delete(state);
      return { type: 'state-entered', state, stateType: event.state.type, at: event.timestamp };
    case 'StateExited':
      return { type: 'state-exited', state, stateType: event.state.type, at: event.timestamp, durationMs: event.timestamp - (entered.get(state) ?? event.timestamp), output: event.state.output, caught: caught.has(state) };
    case 'StateRetried':
      return { type: 'state-retried', state, attempt: event.retry.attempt, error: event.retry.retrier.ErrorEquals.join('|'), at: event.timestamp };
    case 'StateCaught':
      caught.add(state);
      return { type: 'state-caught', state, error: event.catch.catcher.ErrorEquals.join('|'), at: event.timestamp };
    case 'StateFailed':
      return { type: 'state-failed', state, stateType: event.state.type, error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause), at: event.timestamp };
    default:
      return undefined;
  }
}
