import * as z from 'zod/mini';
import { redactContactDetails } from '../redaction.ts';
import type { CreateMeetingRequest, CreateNoteRequest, CreateTaskRequest, UpsertProspectRequest, UpsertResult, WriteOptions, WriteResult } from '../hiringcenter/index.ts';
import { toInputInvalid } from './issues.ts';
import {
  parseMeetingSection, parseNoteSection, parseTaskSection, parseWorkflowInput, type WorkflowConfig,
} from './input.ts';
import { deriveStepKey, type StepName } from './keys.ts';

/** The slice of the HiringCenter client the workflow writes through. */
export interface ActivityApi {
  upsertProspect(body: UpsertProspectRequest, options: WriteOptions): Promise<UpsertResult>;
  createNote(body: CreateNoteRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
  createTask(body: CreateTaskRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
  createMeeting(body: CreateMeetingRequest, options: WriteOptions): Promise<WriteResult<{ id: string }>>;
}

/**
 * What travels between the steps, and at the end the workflow output contract (ARCHITECTURE.md §3):
 * `idempotencyKey` is the execution key, the ids accumulate as the steps run.
 */
export const workflowRunSchema = z.object({
  prospectId: z.string().check(z.minLength(1)),
  idempotencyKey: z.string().check(z.minLength(1)),
  warnings: z.array(z.string()),
  noteId: z.optional(z.string()),
  taskId: z.optional(z.string()),
  meetingId: z.optional(z.string()),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

/**
 * The state machine's Init computes the execution key (input.idempotencyKey, else the EventBridge event id, else the
 * execution name) so that every later state, including the failure event, can read it from one place.
 */
export const upsertStepInputSchema = z.object({
  input: z.unknown(),
  // Checked after the input (upsertProspectStep): a bad key is nearly always the input's own idempotencyKey, which the
  // input schema reports under that name; "executionKey" would name a field the caller never wrote.
  executionKey: z.unknown(),
  executionName: z.optional(z.string()),
});
const executionKeySchema = z.object({ executionKey: z.string().check(z.minLength(1), z.maxLength(200)) });

export const activityStepInputSchema = <K extends 'note' | 'task' | 'meeting'>(section: K) =>
  z.object({ [section]: z.unknown(), run: workflowRunSchema, executionName: z.optional(z.string()) } as
    { [P in K]: z.ZodMiniUnknown } & { run: typeof workflowRunSchema; executionName: z.ZodMiniOptional<z.ZodMiniString> });

export function parseStepInput<S extends z.ZodMiniType>(schema: S, raw: unknown, step: StepName): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw toInputInvalid(parsed.error, raw, `${step} step input`);
  return parsed.data;
}

/**
 * Step 1. Validates the WHOLE input first, so a bad meeting section fails the execution before anything is written.
 * Sends `update: true` explicitly (the API default changed between doc generations).
 */
export async function upsertProspectStep(api: ActivityApi, raw: unknown, rawExecutionKey: unknown, config: WorkflowConfig): Promise<WorkflowRun> {
  const request = parseWorkflowInput(raw, config);
  const { executionKey } = parseStepInput(executionKeySchema, { executionKey: rawExecutionKey }, 'upsert-prospect');
  const result = await api.upsertProspect(
    { update: true, ...request.prospect },
    { idempotencyKey: deriveStepKey(executionKey, 'upsert-prospect') },
  );
  const warnings = result.warning ? [redactContactDetails(result.warning, request.prospect)] : [];
  return { prospectId: result.item.id, idempotencyKey: executionKey, warnings };
}

export async function createNoteStep(api: ActivityApi, rawNote: unknown, run: WorkflowRun, config: WorkflowConfig): Promise<WorkflowRun> {
  const note = parseNoteSection(rawNote, config);
  const result = await api.createNote({ ...note, prospectId: run.prospectId }, { idempotencyKey: deriveStepKey(run.idempotencyKey, 'create-note') });
  return { ...run, noteId: result.item.id };
}

export async function createTaskStep(api: ActivityApi, rawTask: unknown, run: WorkflowRun, config: WorkflowConfig): Promise<WorkflowRun> {
  const task = parseTaskSection(rawTask, config);
  const result = await api.createTask({ ...task, prospectId: run.prospectId }, { idempotencyKey: deriveStepKey(run.idempotencyKey, 'create-task') });
  return { ...run, taskId: result.item.id };
}

export async function createMeetingStep(api: ActivityApi, rawMeeting: unknown, run: WorkflowRun, config: WorkflowConfig): Promise<WorkflowRun> {
  const meeting = parseMeetingSection(rawMeeting, config);
  const result = await api.createMeeting({ ...meeting, prospectId: run.prospectId }, { idempotencyKey: deriveStepKey(run.idempotencyKey, 'create-meeting') });
  return { ...run, meetingId: result.item.id };
}
