import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { ErrorName, isWorkflowError } from '../lib/errors.ts';
import type { Logger } from '../lib/log.ts';
import { STATE_OF_STEP, type StepName } from '../lib/workflow/keys.ts';
import { stepPayloadSchema, type ExecutionContext } from '../lib/workflow/state.ts';
import { toInputInvalid } from '../lib/workflow/issues.ts';
import {
  createMeetingStep, createNoteStep, createTaskStep, upsertProspectStep, type StepRuntime, type WorkflowState,
} from '../lib/workflow/steps.ts';
import type { StepMetrics } from './commons/step-metrics.ts';

/*
 * The four Lambda handlers as factories: each entry file binds one to the environment's collaborators and the Powertools
 * middlewares (functions/commons/powertools.ts), and the local runner binds the same middy chain to its own. A handler
 * receives `{state, execution}` from its Task state, calls lib/, and returns the next state; failures propagate as the
 * named errors that the state machine's Retry/Catch match.
 */

/** What a step handler needs from the outside world; tests and the local runner pass their own. */
export interface StepDependencies extends StepRuntime {
  logger: Logger;
  metrics: StepMetrics;
}

export type StepHandler = (event: unknown, context?: Partial<Context>) => Promise<WorkflowState>;
/** Middlewares that wrap the step's own (outermost first): in Lambda, Powertools' injectLambdaContext and logMetrics. */
export type StepMiddleware = MiddlewareObj<unknown, WorkflowState, Error, Context>;
export type StepHandlerFactory = (getDeps: () => StepDependencies, middlewares?: readonly StepMiddleware[]) => StepHandler;
type StepBody = (runtime: StepRuntime, state: unknown, execution: ExecutionContext) => Promise<WorkflowState>;

/**
 * The step's outcome, once per invocation: a log line and StepSucceeded, or StepFailed by error name. It also names the
 * step in the message of a named error: the failure event and the execution history show only the message.
 */
function stepOutcome(step: StepName, getDeps: () => StepDependencies): StepMiddleware {
  const stateName = STATE_OF_STEP[step];
  const started = new WeakMap<object, number>();
  return {
    before: async (request) => {
      started.set(request, getDeps().clock.now());
    },
    after: async (request) => {
      const { logger, metrics, clock } = getDeps();
      metrics.stepSucceeded(step);
      logger.log('info', 'step completed', {
        step,
        executionName: executionNameOf(request.event),
        idempotencyKey: request.response?.run.idempotencyKey,
        prospectId: request.response?.run.prospectId,
        durationMs: clock.now() - (started.get(request) ?? clock.now()),
      });
    },
    onError: async (request) => {
      const error = request.error;
      // A rate-limit message is JSON that the state machine parses, so it stays as it is.
      if (isWorkflowError(error) && error.name !== ErrorName.RateLimited && !error.message.startsWith(`${stateName}: `)) {
        error.message = `${stateName}: ${error.message}`;
      }
      let deps: StepDependencies;
      try {
        deps = getDeps();
      } catch {
        // The collaborators could not be built (a misconfigured environment): that error is the one to report.
        return;
      }
      const errorName = error instanceof Error ? error.name : 'Error';
      deps.metrics.stepFailed(step, errorName);
      deps.logger.log(isWorkflowError(error) ? 'warn' : 'error', 'step failed', {
        step,
        executionName: executionNameOf(request.event),
        errorName,
        errorMessage: error instanceof Error ? error.message : String(error),
      });
    },
  };
}

function stepHandler(step: StepName, body: StepBody): StepHandlerFactory {
  return (getDeps, middlewares = []) => {
    const chain = middy<unknown, WorkflowState, Error, Context>();
    for (const middleware of middlewares) chain.use(middleware);
    const handler = chain.use(stepOutcome(step, getDeps)).handler(async (event) => {
      const parsed = stepPayloadSchema.safeParse(event);
      if (!parsed.success) throw toInputInvalid(parsed.error, event, `${step} step payload`);
      return body(getDeps(), parsed.data.state, parsed.data.execution);
    });
    // middy's handler type wants a full Lambda Context; a partial one is all these steps and Powertools read.
    return (event, context) => handler(event, (context ?? {}) as Context);
  };
}

/** Correlation only: the schema validates the event; a log line must not fail on a malformed one. */
function executionNameOf(event: unknown): string | undefined {
  const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
  return typeof name === 'string' ? name : undefined;
}

// Marked pure so that esbuild leaves the other three steps, and the code only they use, out of each entry's bundle
// (bench/README.md: createNote's bundle 14 KB smaller, its load 3 ms shorter).
export const createUpsertProspectHandler = /* @__PURE__ */ stepHandler('upsert-prospect', upsertProspectStep);
export const createNoteHandler = /* @__PURE__ */ stepHandler('create-note', createNoteStep);
export const createTaskHandler = /* @__PURE__ */ stepHandler('create-task', createTaskStep);
export const createMeetingHandler = /* @__PURE__ */ stepHandler('create-meeting', createMeetingStep);
