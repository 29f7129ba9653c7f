import * as z from 'zod/mini';
import { InputInvalidError, type InputIssue } from '../errors.ts';
import { canonicalTimeZone, DateParseError, ISO_DATE_TIME_PATTERN, toEpochMs } from './dates.ts';
import { toInputInvalid } from './issues.ts';
import { inputLimitIssues } from './limits.ts';
import { noteBodyToHtml } from './note-html.ts';
import { isPlainObject, lazy } from '../lazy.ts';

/*
 * The workflow input contract (ARCHITECTURE.md §3). Field names are the API's own. Every object is strict, so a typo or
 * an old field name is reported instead of silently dropped. The schema has no transforms so that it converts to the
 * JSON Schema that API Gateway validates webhooks with; normalisation runs after validation, in plain functions.
 *
 * Length caps are ours (the API documents none). Characters are not bytes, so the whole input is also capped in bytes
 * and nesting (limits.ts): an accepted input always fits in Step Functions' 256 KiB per state.
 */
// Schemas are built on first use (lazy), not at load: a step builds only what it parses (createNote the note section,
// not the prospect's seventeen fields), and zod 4 spends tens of microseconds on every schema it builds, at every cold
// start (bench/README.md).

// The API trims required text and refuses what is left empty (the sandbox follows the docs), so "  " must fail here,
// before an earlier step has written anything. `^$|` leaves "" to minLength's clearer "must not be empty".
const requiredText = (max: number) => z.string().check(z.minLength(1), z.maxLength(max), z.regex(/^$|\S/, 'must not be blank (whitespace only)'));
const optionalText = (max: number) => z.optional(z.nullable(z.string().check(z.maxLength(max))));
const userIdField = /* @__PURE__ */ lazy(() => z.optional(requiredText(200)));
/** Every date field's schema: import typing (import-row.ts) recognises date columns by this identity. */
export const dateInput = /* @__PURE__ */ lazy(() => z.union([
  z.int().check(z.minimum(0)),
  z.string().check(z.regex(ISO_DATE_TIME_PATTERN, 'must be an ISO 8601 date like 2025-10-10T14:00:00Z, or epoch milliseconds')),
]));

export const prospectSchema = /* @__PURE__ */ lazy(() => z.strictObject({
  firstName: requiredText(200),
  lastName: requiredText(200),
  email: z.optional(z.nullable(z.email().check(z.maxLength(254)))),
  phone: optionalText(40),
  labels: z.optional(z.nullable(z.union([z.array(requiredText(100)).check(z.maxLength(50)), z.string().check(z.maxLength(2000))]))),
  update: z.optional(z.boolean()),
  stageId: optionalText(200),
  pipelineId: optionalText(200),
  licenseStatus: z.optional(z.nullable(z.enum(['not_started', 'in_progress', 'licensed']))),
  notes: optionalText(10_000),
  title: optionalText(200),
  company: optionalText(200),
  userId: userIdField(),
  streetAddress: optionalText(200),
  city: optionalText(200),
  state: optionalText(200),
  postalCode: optionalText(40),
}));

export const noteSchema = /* @__PURE__ */ lazy(() => z.strictObject({
  body: requiredText(100_000),
  pin: z.optional(z.boolean()),
  date: z.optional(dateInput()),
  userId: userIdField(),
  mentions: z.optional(z.array(z.record(z.string(), z.unknown())).check(z.maxLength(50))),
  fileUrl: z.optional(z.url({ protocol: /^https$/, error: 'must be an https:// URL' }).check(z.maxLength(2000))),
}));

export const taskSchema = /* @__PURE__ */ lazy(() => z.strictObject({
  task: requiredText(2000),
  assignedTo: userIdField(),
  dueAt: z.optional(dateInput()),
  userId: userIdField(),
}));

export const meetingSchema = /* @__PURE__ */ lazy(() => z.strictObject({
  meetingDate: dateInput(),
  timeZone: requiredText(64).check(z.refine((zone) => canonicalTimeZone(zone) !== undefined, 'must be an IANA time zone such as America/New_York')),
  meetingType: requiredText(100),
  ownerId: userIdField(),
  location: optionalText(500),
  notes: optionalText(10_000),
  userId: userIdField(),
}));

export const workflowInputSchema = /* @__PURE__ */ lazy(() => z.strictObject({
  idempotencyKey: z.optional(requiredText(200)),
  prospect: prospectSchema(),
  note: z.optional(noteSchema()),
  task: z.optional(taskSchema()),
  meeting: z.optional(meetingSchema()),
}));

export type WorkflowInput = z.infer<ReturnType<typeof workflowInputSchema>>;
export type ProspectSection = z.infer<ReturnType<typeof prospectSchema>>;

/** Request bodies without `prospectId`, in the exact form sent to the API (dates in epoch ms, defaults applied). */
export type ProspectFields = Omit<ProspectSection, 'labels'> & { labels?: string[] | null };
type NoteSection = z.infer<ReturnType<typeof noteSchema>>;
type TaskSection = z.infer<ReturnType<typeof taskSchema>>;
type MeetingSection = z.infer<ReturnType<typeof meetingSchema>>;
export type NoteFields = Omit<NoteSection, 'date'> & { date?: number };
export type TaskFields = Omit<TaskSection, 'dueAt' | 'assignedTo'> & { assignedTo: string; dueAt?: number };
export type MeetingFields = Omit<MeetingSection, 'meetingDate' | 'ownerId'> & { meetingDate: number; ownerId: string };

export interface WorkflowRequest {
  idempotencyKey?: string;
  prospect: ProspectFields;
  note?: NoteFields;
  task?: TaskFields;
  meeting?: MeetingFields;
}

export interface WorkflowConfig {
  /** Fallback for task.assignedTo and meeting.ownerId (HIRINGCENTER_DEFAULT_USER_ID / CDK context defaultUserId). */
  defaultUserId?: string;
}

/** The keys each object allows, for "unknown field" messages: only read when an input is refused. */
const SECTION_SCHEMAS: Record<string, () => { shape: object }> = {
  '': workflowInputSchema,
  prospect: prospectSchema,
  note: noteSchema,
  task: taskSchema,
  meeting: meetingSchema,
};

const allowedKeysFor = (prefix: string) => (path: PropertyKey[]) => {
  const section = [prefix, ...path.map(String)].filter(Boolean).join('.');
  return Object.hasOwn(SECTION_SCHEMAS, section) ? Object.keys(SECTION_SCHEMAS[section]?.().shape ?? {}) : undefined;
};

const MISSING_USER = 'is required unless a default user id is configured (HIRINGCENTER_DEFAULT_USER_ID, or CDK context defaultUserId)';

/** A normaliser reports problems that the schema cannot see (real dates, default user ids) instead of throwing. */
type Normaliser<In, Out> = (section: In, config: WorkflowConfig, report: (path: string, message: string) => void) => Out;

const normaliseProspect: Normaliser<ProspectSection, ProspectFields> = (prospect) => {
  const { labels, ...rest } = prospect;
  if (typeof labels !== 'string') return labels === undefined ? rest : { ...rest, labels };
  return { ...rest, labels: labels.split(',').map((label) => label.trim()).filter((label) => label.length > 0) };
};

const normaliseNote: Normaliser<NoteSection, NoteFields> = (note, _config, report) => {
  const { date, body, ...rest } = note;
  const normalised: NoteFields = { ...rest, body: noteBodyToHtml(body) };
  if (date !== undefined) {
    const epochMs = dateOrReport(date, 'UTC', (message) => report('date', message));
    if (epochMs !== undefined) normalised.date = epochMs;
  }
  return normalised;
};

const normaliseTask: Normaliser<TaskSection, TaskFields> = (task, config, report) => {
  const { dueAt, assignedTo, ...rest } = task;
  const assignee = assignedTo ?? config.defaultUserId;
  if (assignee === undefined) report('assignedTo', MISSING_USER);
  const normalised: TaskFields = { ...rest, assignedTo: assignee ?? '' };
  if (dueAt !== undefined) {
    const epochMs = dateOrReport(dueAt, 'UTC', (message) => report('dueAt', message));
    if (epochMs !== undefined) normalised.dueAt = epochMs;
  }
  return normalised;
};

const normaliseMeeting: Normaliser<MeetingSection, MeetingFields> = (meeting, config, report) => {
  const { meetingDate, ownerId, timeZone, ...rest } = meeting;
  const owner = ownerId ?? config.defaultUserId;
  if (owner === undefined) report('ownerId', MISSING_USER);
  // The schema already refused unknown zones, so the canonical name exists.
  const zone = canonicalTimeZone(timeZone) ?? timeZone;
  const epochMs = dateOrReport(meetingDate, zone, (message) => report('meetingDate', message));
  return { ...rest, timeZone: zone, ownerId: owner ?? '', meetingDate: epochMs ?? 0 };
};

function dateOrReport(value: number | string, zone: string, report: (message: string) => void): number | undefined {
  try {
    return toEpochMs(value, zone);
  } catch (error) {
    if (error instanceof DateParseError) {
      report(error.message);
      return undefined;
    }
    throw error;
  }
}

/**
 * Validate and normalise the whole workflow input before anything is written, so that an invalid meeting section
 * fails the execution with nothing created. Throws InputInvalidError listing every issue.
 */
export function parseWorkflowInput(raw: unknown, config: WorkflowConfig): WorkflowRequest {
  const limits = isPlainObject(raw) ? inputLimitIssues(raw) : [];
  const parsed = workflowInputSchema().safeParse(raw);
  if (!parsed.success) throw withIssues(toInputInvalid(parsed.error, raw, 'workflow input', allowedKeysFor('')), limits);
  if (limits.length > 0) throw new InputInvalidError(limits);
  const issues: InputIssue[] = [];
  const reporter = (section: string) => (path: string, message: string) => issues.push({ path: `${section}.${path}`, message });
  const input = parsed.data;
  const request: WorkflowRequest = { prospect: normaliseProspect(input.prospect, config, reporter('prospect')) };
  if (input.idempotencyKey !== undefined) request.idempotencyKey = input.idempotencyKey;
  if (input.note) request.note = normaliseNote(input.note, config, reporter('note'));
  if (input.task) request.task = normaliseTask(input.task, config, reporter('task'));
  if (input.meeting) request.meeting = normaliseMeeting(input.meeting, config, reporter('meeting'));
  if (issues.length > 0) throw new InputInvalidError(issues);
  return request;
}

/** The schema's issues first (the usual mistakes), then the whole-input limits. */
function withIssues(error: InputInvalidError, extra: InputIssue[]): InputInvalidError {
  return extra.length === 0 ? error : new InputInvalidError([...error.issues, ...extra], error.subject);
}

function sectionParser<S extends z.ZodMiniType, Out>(name: string, schema: () => S, normalise: Normaliser<z.infer<S>, Out>) {
  return (raw: unknown, config: WorkflowConfig): Out => {
    const limits = isPlainObject(raw) ? inputLimitIssues(raw, name) : [];
    const parsed = schema().safeParse(raw);
    if (!parsed.success) throw withIssues(toInputInvalid(parsed.error, raw, `${name} section`, allowedKeysFor(name), name), limits);
    if (limits.length > 0) throw new InputInvalidError(limits, `${name} section`);
    const issues: InputIssue[] = [];
    const out = normalise(parsed.data, config, (path, message) => issues.push({ path: `${name}.${path}`, message }));
    if (issues.length > 0) throw new InputInvalidError(issues, `${name} section`);
    return out;
  };
}

/** Each later step re-validates its own section: a handler must not trust its input even inside the state machine. */
export const parseNoteSection = /* @__PURE__ */ sectionParser('note', noteSchema, normaliseNote);
export const parseTaskSection = /* @__PURE__ */ sectionParser('task', taskSchema, normaliseTask);
export const parseMeetingSection = /* @__PURE__ */ sectionParser('meeting', meetingSchema, normaliseMeeting);
