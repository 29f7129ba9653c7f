import * as z from 'zod/mini';
import { isWorkflowError } from '../errors.ts';
import { lazy } from '../lazy.ts';
import { redactContactDetails } from '../redaction.ts';
import type {
  CreateMeetingRequest, CreateNoteRequest, CreateTaskRequest, UpsertProspectRequest, UpsertResult, WriteOptions, WriteResult,
} from '../hiringcenter/index.ts';
import { findWrittenMeeting, findWrittenNote, findWrittenProspect, findWrittenTask, type RecordReader } from './adopt.ts';
import {
  parseMeetingSection, parseNoteSection, parseTaskSection, parseWorkflowInput, type ProspectFields, type WorkflowConfig,
} from './input.ts';
import { importItemInput } from './import-row.ts';
import type { ReservationRef } from '../pacer/index.ts';
import { toInputInvalid } from './issues.ts';
import { deriveStepKey, STATE_OF_STEP, type StepName } from './keys.ts';
import { PacedSend, type Clock, type QuotaPacer, type StepPolicy } from './pacing.ts';
import {
  chooseExecutionKey, parseWorkflowState, takeQuotaWait, type ActivitySection, type ExecutionContext, type WorkflowState,
} from './state.ts';

export type { WorkflowRun, WorkflowState } from './state.ts';

/** The slice of the HiringCenter client the workflow writes and (past the key retention) reads through. */
export interface ActivityApi extends RecordReader {
  upsertProspect(body: UpsertProspectRequest, options: WriteOptions): Promise<UpsertResult>;
  createNote(body: CreateNoteRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
  createTask(body: CreateTaskRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
  createMeeting(body: CreateMeetingRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
}

/** What one step invocation works with; the Lambda builds it from the environment, the local runner from its options. */
export interface StepRuntime {
  api: ActivityApi;
  config: WorkflowConfig;
  pacer: QuotaPacer;
  policy: StepPolicy;
  clock: Clock;
}

const executionKeySchema = /* @__PURE__ */ lazy(() => z.object({ executionKey: z.string().check(z.minLength(1), z.maxLength(200)) }));

function pacedSend(runtime: StepRuntime, execution: ExecutionContext, step: StepName, held: ReservationRef | undefined): PacedSend {
  return new PacedSend({ pacer: runtime.pacer, policy: runtime.policy, clock: runtime.clock, execution, where: STATE_OF_STEP[step], ...(held ? { held } : {}) });
}

/**
 * Step 1. Chooses the execution key, validates the WHOLE input first (so a bad meeting section fails the execution
 * before anything is written), writes the prospect and hands the other sections on. Sends `update: true` explicitly
 * (the API default changed between doc generations).
 */
export async function upsertProspectStep(runtime: StepRuntime, startedWith: unknown, execution: ExecutionContext): Promise<WorkflowState> {
  const { state, held } = takeQuotaWait(startedWith);
  // An import row comes validated and normalised by the row rule; anything else is validated here.
  const imported = importItemInput(state, runtime.config);
  const { input, executionKey: rawKey } = chooseExecutionKey(imported?.input ?? state, execution.name);
  const request = imported?.request ?? parseWorkflowInput(input, runtime.config);
  const parsedKey = executionKeySchema().safeParse({ executionKey: rawKey });
  if (!parsedKey.success) throw toInputInvalid(parsedKey.error, { executionKey: rawKey }, 'upsert-prospect step input');
  const { executionKey } = parsedKey.data;
  const prospect: ProspectFields = { update: true, ...request.prospect };
  const paced = pacedSend(runtime, execution, 'upsert-prospect', held);
  // Email and phone are what the API matches on, so only a prospect with neither could be written twice.
  const lookUp = paced.pastKeyRetention && !prospect.email && !prospect.phone;
  const since = Date.parse(execution.startTime);
  const written = await withContactDetailsRedacted(prospect, () => paced.send(lookUp ? 2 : 1, async () => {
    const adopted = lookUp ? await findWrittenProspect(runtime.api, prospect, since) : undefined;
    if (adopted) return { id: adopted };
    const result = await runtime.api.upsertProspect(prospect, { idempotencyKey: deriveStepKey(executionKey, 'upsert-prospect') });
    return { id: result.item.id, warning: result.warning };
  }));
  const sections = input as Record<ActivitySection, unknown>;
  return {
    sections: { note: sections.note ?? null, task: sections.task ?? null, meeting: sections.meeting ?? null },
    run: { prospectId: written.id, idempotencyKey: executionKey, warnings: written.warning ? [redactContactDetails(written.warning, prospect)] : [] },
  };
}

interface ActivityStep<F> {
  section: ActivitySection;
  step: StepName;
  parse: (raw: unknown, config: WorkflowConfig) => F;
  find: (api: RecordReader, prospectId: string, fields: F, since: number) => Promise<string | undefined>;
  create: (api: ActivityApi, body: F & { prospectId: string }, options: WriteOptions) => Promise<WriteResult<{ id: string }>>;
}

/** Steps 2–4: a section that is absent leaves the state unchanged; otherwise one write, its id added to the run. */
function activityStep<F>(definition: ActivityStep<F>) {
  return async (runtime: StepRuntime, rawState: unknown, execution: ExecutionContext): Promise<WorkflowState> => {
    const { state: stateWithoutWait, held } = takeQuotaWait(rawState);
    const state = parseWorkflowState(stateWithoutWait, definition.step);
    const raw = state.sections[definition.section];
    if (raw === null || raw === undefined) return state;
    const fields = definition.parse(raw, runtime.config);
    const { prospectId, idempotencyKey } = state.run;
    const paced = pacedSend(runtime, execution, definition.step, held);
    const lookUp = paced.pastKeyRetention;
    const id = await paced.send(lookUp ? 2 : 1, async () => {
      const adopted = lookUp ? await definition.find(runtime.api, prospectId, fields, Date.parse(execution.startTime)) : undefined;
      if (adopted) return adopted;
      const options = { idempotencyKey: deriveStepKey(idempotencyKey, definition.step) };
      return (await definition.create(runtime.api, { ...fields, prospectId }, options)).item.id;
    });
    return { sections: state.sections, run: { ...state.run, [`${definition.section}Id`]: id } };
  };
}

export const createNoteStep = /* @__PURE__ */ activityStep({
  section: 'note', step: 'create-note', parse: parseNoteSection, find: findWrittenNote, create: (api, body, options) => api.createNote(body, options),
});
export const createTaskStep = /* @__PURE__ */ activityStep({
  section: 'task', step: 'create-task', parse: parseTaskSection, find: findWrittenTask, create: (api, body, options) => api.createTask(body, options),
});
export const createMeetingStep = /* @__PURE__ */ activityStep({
  section: 'meeting', step: 'create-meeting', parse: parseMeetingSection, find: findWrittenMeeting, create: (api, body, options) => api.createMeeting(body, options),
});

/**
 * An API error can quote what it refused, such as the prospect's email or phone; the message travels into the
 * execution history, the failure event and the Lambda runtime's own error log, so the prospect's values go first.
 */
async function withContactDetailsRedacted<T>(prospect: Pick<ProspectFields, 'email' | 'phone'>, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isWorkflowError(error)) error.message = redactContactDetails(error.message, prospect);
    throw error;
  }
}
