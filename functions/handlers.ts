import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { isWorkflowError } from '../lib/errors.ts';
import type { StepDependencies } from '../lib/workflow/dependencies.ts';
import type { StepName } from '../lib/workflow/keys.ts';
import {
  activityStepInputSchema, createMeetingStep, createNoteStep, createTaskStep, parseStepInput, upsertProspectStep,
  upsertStepInputSchema, type WorkflowRun,
} from '../lib/workflow/steps.ts';

/*
 * The four Lambda handlers as factories: each entry file binds one to the environment's collaborators, and the local
 * runner binds the same middy chain to its own. A handler parses its input, calls lib/, and returns the run record for
 * the next state; failures propagate as the named errors that the state machine's Retry/Catch match on.
 */

export type StepHandler = (event: unknown, context?: Partial<Context>) => Promise<WorkflowRun>;
type StepBody = (event: unknown, deps: StepDependencies) => Promise<WorkflowRun>;

function stepHandler(step: StepName, getDeps: () => StepDependencies, body: StepBody): StepHandler {
  const handler = middy<unknown, WorkflowRun>()
    .use({
      onError: async (request) => {
        const deps = getDeps();
        const error = request.error;
        deps.logger.log(isWorkflowError(error) ? 'warn' : 'error', 'step failed', {
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
      const started = deps.now();
      const run = await body(event, deps);
      deps.logger.log('info', 'step completed', {
        step,
        executionName: executionNameOf(event),
        idempotencyKey: run.idempotencyKey,
        prospectId: run.prospectId,
        durationMs: deps.now() - started,
        awsRequestId: context?.awsRequestId,
      });
      return run;
    });
  // middy's handler type wants a full Lambda Context; a partial one is all these steps read.
  return (event, context) => handler(event, (context ?? {}) as Context);
}

/** Correlation only: the schemas below validate the event; a log line must not fail on a malformed one. */
function executionNameOf(event: unknown): string | undefined {
  const name = (event as { executionName?: unknown } | null)?.executionName;
  return typeof name === 'string' ? name : undefined;
}

export function createUpsertProspectHandler(getDeps: () => StepDependencies): StepHandler {
  return stepHandler('upsert-prospect', getDeps, (event, deps) => {
    const { input, executionKey } = parseStepInput(upsertStepInputSchema, event, 'upsert-prospect');
    return upsertProspectStep(deps.api, input, executionKey, deps.config);
  });
}

type ActivityStep = (api: StepDependencies['api'], section: unknown, run: WorkflowRun, config: StepDependencies['config']) => Promise<WorkflowRun>;

/** The note, task and meeting steps differ only in their section, step name and domain function. */
function activityHandler(section: 'note' | 'task' | 'meeting', step: StepName, createStep: ActivityStep) {
  return (getDeps: () => StepDependencies): StepHandler => {
    const schema = activityStepInputSchema(section);
    return stepHandler(step, getDeps, (event, deps) => {
      const parsed = parseStepInput(schema, event, step);
      return createStep(deps.api, parsed[section], parsed.run, deps.config);
    });
  };
}

export const createNoteHandler = activityHandler('note', 'create-note', createNoteStep);
export const createTaskHandler = activityHandler('task', 'create-task', createTaskStep);
export const createMeetingHandler = activityHandler('meeting', 'create-meeting', createMeetingStep);
