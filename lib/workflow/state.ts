import * as z from 'zod/mini';
import { isPlainObject } from '../lazy.ts';
import { ReservationRefSchema, type ReservationRef } from '../pacer/pacer.ts';
import { toInputInvalid } from './issues.ts';
import type { StepName } from './keys.ts';

/*
 * What travels between the four Task states. Every Task receives `{state, execution}` (infra/state-machine-definition.ts
 * builds that payload) and returns the next state; the last one's `run` is the workflow output.
 *
 * - The first Task's state is whatever started the execution: the workflow input, or an EventBridge event around it.
 * - After it, the state is `{sections, run}`: the sections the later steps still have to write (null when absent, so
 *   a step with nothing to do returns the state unchanged instead of the machine needing a Choice per section), and
 *   the run record that accumulates ids.
 * - A rate-limited step's catcher adds `quotaWait`; the step that runs again after the Wait reads its reserved slot.
 */

/** The workflow output contract: `idempotencyKey` is the execution key, the ids accumulate as the steps run. */
export const workflowRunSchema = z.object({
  prospectId: z.string().check(z.minLength(1)),
  idempotencyKey: z.string().check(z.minLength(1)),
  warnings: z.array(z.string()),
  noteId: z.optional(z.string()),
  taskId: z.optional(z.string()),
  meetingId: z.optional(z.string()),
});
export type WorkflowRun = z.infer<typeof workflowRunSchema>;

export type ActivitySection = 'note' | 'task' | 'meeting';

export const workflowStateSchema = z.object({
  sections: z.object({ note: z.unknown(), task: z.unknown(), meeting: z.unknown() }),
  run: workflowRunSchema,
});
export type WorkflowState = z.infer<typeof workflowStateSchema>;

/** The context object fields every Task gets: its execution's name and start time (the clock of the key window). */
const executionContextSchema = z.object({
  name: z.string().check(z.minLength(1)),
  startTime: z.string().check(z.minLength(1)),
});
export type ExecutionContext = z.infer<typeof executionContextSchema>;

export const stepPayloadSchema = z.object({ state: z.unknown(), execution: executionContextSchema });

/**
 * What the import state machine's Distributed Map hands each row's first step (its ItemSelector): the CSV reader's
 * record of header → cell text, or the JSON Lines reader's object, and the item's index in the file.
 */
export const IMPORT_ITEM_KEYS = { csvRow: 'csvRow', jsonLine: 'jsonLine', index: 'rowIndex' } as const;

/** The key the rate-limit catcher writes to (infra/state-machine-definition.ts): never a field of any input. */
export const QUOTA_WAIT_KEY = 'quotaWait';

/**
 * The slot a step reserved before it was sent to wait, as the catcher's two Pass states leave it:
 * `{slot: {retryAfterSeconds, until, slotAt, generation, message}}` parsed from the Lambda error's Cause.
 */
const quotaWaitSchema = z.object({ slot: z.extend(ReservationRefSchema, { until: z.string() }) });

/** Splits the catcher's record off a state. Anything else under that key is left in place for validation to report. */
export function takeQuotaWait(state: unknown): { state: unknown; held?: ReservationRef } {
  if (!isPlainObject(state) || !(QUOTA_WAIT_KEY in state)) return { state };
  const { [QUOTA_WAIT_KEY]: wait, ...rest } = state;
  const parsed = quotaWaitSchema.safeParse(wait);
  return parsed.success ? { state: rest, held: { slotAt: parsed.data.slot.slotAt, generation: parsed.data.slot.generation } } : { state };
}

/**
 * The first step's view of what started the execution, and the execution key: the input's `idempotencyKey`, else the
 * EventBridge event id (EventBridge redelivers an event with the same id), else the execution name. A raw workflow
 * input can never look like an event: its schema is strict and has no `detail`, `id` or `source`.
 */
export function chooseExecutionKey(started: unknown, executionName: string): { input: unknown; executionKey: unknown } {
  if (isPlainObject(started) && isPlainObject(started.detail) && 'id' in started && 'source' in started) {
    const detail = started.detail;
    return { input: detail, executionKey: detail.idempotencyKey ?? started.id };
  }
  const key = isPlainObject(started) ? started.idempotencyKey : undefined;
  return { input: started, executionKey: key ?? executionName };
}

export function parseWorkflowState(raw: unknown, step: StepName): WorkflowState {
  const parsed = workflowStateSchema.safeParse(raw);
  if (!parsed.success) throw toInputInvalid(parsed.error, raw, `${step} step state`);
  return parsed.data;
}
