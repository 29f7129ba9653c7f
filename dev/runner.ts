import { randomUUID } from 'node:crypto';
import { ExecutionError, ExecutionTimeoutError, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  createMeetingHandler, createNoteHandler, createTaskHandler, createUpsertProspectHandler, type StepHandler,
} from '../functions/handlers.ts';
import { StateNames } from '../infra/state-machine-definition.ts';
import { ErrorName } from '../lib/errors.ts';
import { activityEventFromStatus, type ActivityEvent, type ExecutionStatus } from '../lib/workflow/activity-events.ts';
import type { StepDependencies } from '../functions/handlers.ts';
import type { WorkflowRun } from '../lib/workflow/steps.ts';
import { synthesizeWorkflow } from './definition.ts';
import { RunEventReader, type RunEvent } from './run-events.ts';
import { scaledTimestampWaits, stateMachineFor, untilOf } from './time-scale.ts';

export type { RunEvent } from './run-events.ts';
export { scaleDefinitionTime } from './time-scale.ts';

type JSONValue = Parameters<ReturnType<typeof stateMachineFor>['run']>[0];

export interface FailureInfo {
  /** The error name, e.g. HiringCenter.Rejected, or States.Timeout. */
  error: string;
  /** The error message, unwrapped from the Lambda-style Cause. */
  message: string;
  /** The state whose failure ended the execution. */
  state?: string;
}

/** Where a redrive of this execution resumes, as Step Functions records it: the unsuccessful state and its input. */
export interface ResumePoint {
  state: string;
  input: unknown;
  startTime: string;
  redriveCount: number;
}

export interface LocalRunResult {
  status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT';
  executionName: string;
  executionArn: string;
  output?: WorkflowRun;
  failure?: FailureInfo;
  /** ProspectActivityCompleted or ProspectActivityFailed, as the deployed publisher puts it on the workflow bus. */
  activityEvents: ActivityEvent[];
  retries: Record<string, number>;
  /** States entered, each one a billed state transition. */
  transitions: number;
  durationMs: number;
  /** Set unless the execution succeeded. */
  resume?: ResumePoint;
  /** Redrives only: the state the redrive resumed at. */
  resumedAt?: string;
}

export interface LocalRunOptions {
  input: unknown;
  deps: StepDependencies;
  /** What to run: by default the workflow's state machine; an import runs its item processor (dev/definition.ts). */
  definition?: StateMachineDefinition;
  /** Default: `local-<uuid>`, like a console-started execution. */
  executionName?: string;
  /** Replace every retrier's wait (ms). Tests use this to keep retry order without waiting seconds. */
  retryDelayMs?: number;
  /** Replace every quota Wait (ms). Unset, the Wait lasts until the slot the step reserved (scaled by `timeScale`). */
  rateLimitWaitMs?: number;
  /**
   * Local runs only: multiply every duration of the definition by this factor (retriers' IntervalSeconds and
   * MaxDelaySeconds, Wait Seconds, TimeoutSeconds), and wait for quota slots on the handlers' clock (deps.clock) times
   * the factor. Backoff rates, attempt counts, jitter and the order of events are untouched and no wait is skipped, so a
   * soak with the deployed policy finishes in minutes. Default 1. `retryDelayMs` and `rateLimitWaitMs` take precedence.
   */
  timeScale?: number;
  onEvent?: (event: RunEvent) => void;
}

const LOCAL_EXECUTION_ARN = 'arn:aws:states:us-east-1:123456789012:execution:HiringCenterWorkflow:';

/**
 * In AWS a Node.js Lambda error reaches Step Functions as Error = the error's name and Cause = the JSON
 * {errorType, errorMessage, trace}. The local engine uses `error.message` as Cause, so the handler error is re-thrown in
 * that exact shape; ASL that reads Cause (the quota wait does) then behaves the same here and in AWS.
 */
export function asLambdaError(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n').slice(1).map((line) => line.trim()) : [];
  const lambdaError = new Error(JSON.stringify({ errorType: name, errorMessage: message, trace }));
  lambdaError.name = name;
  return lambdaError;
}

/**
 * Task state → in-process handler, by the step the state runs: `CreateNote`, or a prefixed copy of it such as an import
 * row's `CsvRow.CreateNote`. A Task of no step is an error: every Task of these definitions runs one of the four.
 */
export function bindHandlers(deps: StepDependencies, definition: StateMachineDefinition): Record<string, StepHandler> {
  const getDeps = () => deps;
  const byStep: Record<string, StepHandler> = {
    [StateNames.upsertProspect]: createUpsertProspectHandler(getDeps),
    [StateNames.createNote]: createNoteHandler(getDeps),
    [StateNames.createTask]: createTaskHandler(getDeps),
    [StateNames.createMeeting]: createMeetingHandler(getDeps),
  };
  const bound: Record<string, StepHandler> = {};
  for (const [state, { Type }] of Object.entries(definition.States as Record<string, { Type: string }>)) {
    if (Type !== 'Task') continue;
    const step = Object.keys(byStep).find((name) => state === name || state.endsWith(`.${name}`));
    if (!step) throw new Error(`no local handler for task state ${state}`);
    bound[state] = byStep[step] as StepHandler;
  }
  return bound;
}

export function runWorkflowLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const startTime = new Date(options.deps.clock.now()).toISOString();
  return execute(options, { name: options.executionName ?? `local-${randomUUID()}`, startTime, redriveCount: 0 });
}

/**
 * Redrives a failed or timed-out local execution as Step Functions does: it resumes at the unsuccessful state with
 * that state's recorded input, under the same execution name and start time, with RedriveCount one higher. The engine
 * cannot redrive, so this runs the same synthesized definition with `StartAt` moved to that state.
 */
export function redriveWorkflowLocally(previous: LocalRunResult, options: Omit<LocalRunOptions, 'input' | 'executionName'>): Promise<LocalRunResult> {
  const resume = previous.resume;
  if (!resume) throw new Error(`execution ${previous.executionName} ${previous.status.toLowerCase()}: only a failed or timed-out execution can be redriven`);
  return execute({ ...options, input: resume.input }, { name: previous.executionName, startTime: resume.startTime, redriveCount: resume.redriveCount + 1, startAt: resume.state });
}

interface ExecutionIdentity {
  name: string;
  startTime: string;
  redriveCount: number;
  startAt?: string;
}

async function execute(options: LocalRunOptions, identity: ExecutionIdentity): Promise<LocalRunResult> {
  const definition = options.definition ?? synthesizeWorkflow().definition;
  const timeScale = options.timeScale ?? 1;
  if (!(Number.isFinite(timeScale) && timeScale > 0)) throw new RangeError('timeScale must be a positive number');
  const runDefinition: StateMachineDefinition = identity.startAt ? { ...definition, StartAt: identity.startAt } : definition;
  // The steps bound their waits by the timeout the state machine enforces: take it from the definition itself.
  const timeoutSeconds = (definition as { TimeoutSeconds?: number }).TimeoutSeconds;
  const deps: StepDependencies = timeoutSeconds ? { ...options.deps, policy: { ...options.deps.policy, executionTimeoutMs: timeoutSeconds * 1000 } } : options.deps;
  const handlers = bindHandlers(deps, definition);

  // The `until` of the last quota wait this execution's tasks asked for: what the Wait's TimestampPath reads.
  let pendingUntil: number | undefined;
  const localHandlers: Record<string, (input: JSONValue) => Promise<JSONValue>> = {};
  for (const [state, handler] of Object.entries(handlers)) {
    localHandlers[state] = async (input) => {
      try {
        return (await handler(withStartTime(input, identity.startTime), { awsRequestId: randomUUID(), functionName: state })) as unknown as JSONValue;
      } catch (error) {
        const lambdaError = asLambdaError(error);
        if (lambdaError.name === ErrorName.RateLimited) pendingUntil = untilOf(lambdaError);
        throw lambdaError;
      }
    };
  }
  const overrides: NonNullable<RunOptions['overrides']> = { taskResourceLocalHandlers: localHandlers };
  const states = Object.keys(definition.States);
  if (options.retryDelayMs !== undefined) overrides.retryIntervalOverrides = Object.fromEntries(states.map((state) => [state, options.retryDelayMs ?? 0]));
  overrides.waitTimeOverrides = options.rateLimitWaitMs !== undefined
    ? Object.fromEntries(states.filter((state) => definition.States[state]?.Type === 'Wait').map((state) => [state, options.rateLimitWaitMs ?? 0]))
    : scaledTimestampWaits(definition, (until) => (until - deps.clock.now()) * timeScale, () => {
      const until = pendingUntil;
      pendingUntil = undefined;
      return until;
    });

  const executionArn = `${LOCAL_EXECUTION_ARN}${identity.name}`;
  // Validating a definition compiles a JSON Schema; that is the engine's cost, not the execution's.
  const machine = stateMachineFor(runDefinition, timeScale);
  const started = Date.now();
  const execution = machine.run(undefinedToNull(options.input), {
    overrides,
    context: { Execution: { Id: executionArn, Name: identity.name, StartTime: identity.startTime, RedriveCount: identity.redriveCount } },
  });

  const retries: Record<string, number> = {};
  const inputs = new Map<string, unknown>();
  let transitions = 0;
  let current: string | undefined;
  let failedState: string | undefined;
  const reader = new RunEventReader();
  const consumeEvents = (async () => {
    for await (const log of execution.eventLogs) {
      const event = reader.read(log);
      if (!event) continue;
      if (event.type === 'state-entered') {
        transitions += 1;
        current = event.state;
        inputs.set(event.state, event.input);
      }
      if (event.type === 'state-retried') retries[event.state] = (retries[event.state] ?? 0) + 1;
      if (event.type === 'state-failed') failedState = event.state;
      options.onEvent?.(event);
    }
  })();

  const finish = (status: LocalRunResult['status'], details: Pick<LocalRunResult, 'output' | 'failure'>, cause?: string): LocalRunResult => {
    const statusEvent: ExecutionStatus = {
      executionArn, executionName: identity.name, status,
      output: details.output === undefined ? null : JSON.stringify(details.output),
      error: details.failure?.error ?? null,
      cause: cause ?? null,
    };
    const resumeState = status === 'SUCCEEDED' ? undefined : (failedState ?? current);
    return {
      status,
      executionName: identity.name,
      executionArn,
      ...details,
      activityEvents: [activityEventFromStatus(statusEvent)],
      retries,
      transitions,
      durationMs: Date.now() - started,
      ...(resumeState ? { resume: { state: resumeState, input: inputs.get(resumeState) ?? null, startTime: identity.startTime, redriveCount: identity.redriveCount } } : {}),
      ...(identity.startAt ? { resumedAt: identity.startAt } : {}),
    };
  };

  try {
    const output = (await execution.result) as unknown as WorkflowRun;
    await consumeEvents;
    return finish('SUCCEEDED', { output });
  } catch (error) {
    await consumeEvents.catch(() => undefined);
    if (error instanceof ExecutionTimeoutError) {
      return finish('TIMED_OUT', { failure: { error: 'States.Timeout', message: 'The execution timed out.', ...(current ? { state: current } : {}) } });
    }
    if (!(error instanceof ExecutionError)) throw error;
    const { name, cause } = executionErrorDetails(error);
    const causeText = typeof cause === 'string' ? cause : JSON.stringify(cause ?? '');
    return finish('FAILED', { failure: { error: name, message: unwrapCause(cause), ...(failedState ? { state: failedState } : {}) } }, causeText);
  }
}

/**
 * The engine sets `$$.Execution.StartTime` to the wall-clock time it starts running, whatever the context says, so a
 * redrive would get a new start time and a soak's faster clock would be ignored. In AWS the start time is the
 * execution's own; the Task payload's copy of it is put back here.
 */
function withStartTime(payload: JSONValue, startTime: string): JSONValue {
  const execution = (payload as { execution?: unknown } | null)?.execution;
  if (execution === null || typeof execution !== 'object') return payload;
  return { ...(payload as object), execution: { ...execution, startTime } } as JSONValue;
}

/** JSON has no undefined; the engine's input is what StartExecution would have received. */
function undefinedToNull(input: unknown): JSONValue {
  return (input === undefined ? null : input) as JSONValue;
}

function executionErrorDetails(error: ExecutionError): { name: string; cause: unknown } {
  // The engine keeps the failing error on `cause`, with the ASL Error name as its name.
  const inner = (error as Error & { cause?: unknown }).cause;
  if (inner instanceof Error) return { name: inner.name, cause: (inner as Error & { cause?: unknown }).cause ?? inner.message };
  return { name: error.name, cause: error.message };
}

/** A Lambda-style Cause is JSON {errorType, errorMessage}; any other Cause is plain text. */
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
