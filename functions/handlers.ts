import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ErrorName, isWorkflowError } from '../lib/errors.ts';
import type { StepDependencies } from '../lib/workflow/dependencies.ts';
import { STATE_OF_STEP, type StepName } from '../lib/workflow/keys.ts';
import { stepPayloadSchema, type ExecutionContext } from '../lib/workflow/state.ts';
import { toInputInvalid } from '../lib/workflow/issues.ts';
import {
  createMeetingStep, createNoteStep, createTaskStep, upsertProspectStep, type StepRuntime, type WorkflowState,
} from '../lib/workflow/steps.ts';

/*
 * The four Lambda handlers as factories: each entry file binds one to the environment's collaborators, and the local
 * runner binds the same middy chain to its own. A handler receives `{state, execution}` from its Task state, calls
 * lib/, and returns the next state; failures propagate as the named errors that the state machine's Retry/Catch match.
 */

export type StepHandler = (event: unknown, context?: Partial<Context>) => Promise<WorkflowState>;
type StepBody = (runtime: StepRuntime, state: unknown, execution: ExecutionContext) => Promise<WorkflowState>;

function stepHandler(step: StepName, body: StepBody) {
  const stateName = STATE_OF_STEP[step];
  return (getDeps: () => StepDependencies): StepHandler => {
    const handler = middy<unknown, WorkflowState>()
      .use({
        onError: async (request) => {
          const error = request.error;
          // The failure event and the execution history show only the message: name the step there. A rate-limit
          // message is JSON that the state machine parses, so it stays as it is.
          if (isWorkflowError(error) && error.name !== ErrorName.RateLimited && !error.message.startsWith(`${stateName}: `)) {
            error.message = `${stateName}: ${error.message}`;
          }
          getDeps().logger.log(isWorkflowError(error) ? 'warn' : 'error', 'step failed', {
            step,
            executionName: executionNameOf(request.event),
            errorName: error instanceof Error ? error.name : 'Error',
            errorMessage: error instanceof Error ? error.message : String(error),
            awsRequestId: request.context?.awsRequestId,
          });
        },
      })
      .handler(async (event, context) => {
        const deps = getDeps();
        const started = deps.clock.now();
        const parsed = stepPayloadSchema.safeParse(event);
        if (!parsed.success) throw toInputInvalid(parsed.error, event, `${step} step payload`);
        const next = await body(deps, parsed.data.state, parsed.data.execution);
        deps.logger.log('info', 'step completed', {
          step,
          executionName: parsed.data.execution.name,
          idempotencyKey: next.run.idempotencyKey,
          prospectId: next.run.prospectId,
          durationMs: deps.clock.now() - started,
          awsRequestId: context?.awsRequestId,
        });
        return next;
      });
    // middy's handler type wants a full Lambda Context; a partial one is all these steps read.
    return (event, context) => handler(event, (context ?? {}) as Context);
  };
}

/** Correlation only: the schema validates the event; a log line must not fail on a malformed one. */
function executionNameOf(event: unknown): string | undefined {
  const name = (event as { execution?: { name?: unknown } } | null)?.execution?.name;
  return typeof name === 'string' ? name : undefined;
}

export const createUpsertProspectHandler = stepHandler('upsert-prospect', upsertProspectStep);
export const createNoteHandler = stepHandler('create-note', createNoteStep);
export const createTaskHandler = stepHandler('create-task', createTaskStep);
export const createMeetingHandler = stepHandler('create-meeting', createMeetingStep);
