/**
 * Request-body validation for the four write endpoints. Every problem is collected (not just the first) and
 * reported as `details: [{ field: '<resource>.<field>', message }]`; messages never echo the submitted value.
 * Unknown fields are ignored, as the real API allows additional properties.
 */
import { HttpError, type FieldDetail } from './http.ts';
import { isEmail, isIanaTimeZone, normalizePhone, parseDateInput, parseLabels } from './formats.ts';
import type { LicenseStatus } from './types.ts';

const LICENSE_STATUSES: readonly LicenseStatus[] = ['not_started', 'in_progress', 'licensed'];

/** Collects issues for one resource's body; `undefined` = field omitted, `null` = explicitly cleared. */
class BodyReader {
  readonly issues: FieldDetail[] = [];
  private readonly body: Record<string, unknown>;
  private readonly prefix: string;
  constructor(body: Record<string, unknown>, prefix: string) {
    this.body = body;
    this.prefix = prefix;
  }

  fail(field: string, message: string): undefined {
    this.issues.push({ field: `${this.prefix}.${field}`, message });
    return undefined;
  }

  has(field: string): boolean {
    return Object.hasOwn(this.body, field) && this.body[field] !== undefined;
  }

  raw(field: string): unknown {
    return this.body[field];
  }

  required(field: string): string | undefined {
    const v = this.body[field];
    if (v === undefined || v === null) return this.fail(field, 'is required');
    if (typeof v !== 'string') return this.fail(field, 'must be a string');
    if (v.trim() === '') return this.fail(field, 'must not be empty');
    return v.trim();
  }

  optionalString(field: string, nullable = true): string | null | undefined {
    const v = this.body[field];
    if (v === undefined) return undefined;
    if (v === null) return nullable ? null : this.fail(field, 'must be a string');
    if (typeof v !== 'string') return this.fail(field, nullable ? 'must be a string or null' : 'must be a string');
    return v;
  }

  optionalBoolean(field: string): boolean | undefined {
    const v = this.body[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.fail(field, 'must be a boolean');
    return v;
  }

  date(field: string, required: boolean): number | null | undefined {
    const v = this.body[field];
    if (v === undefined || (v === null && required)) {
      return required ? this.fail(field, 'is required') : undefined;
    }
    if (v === null) return null;
    const ms = parseDateInput(v);
    if (ms === undefined) {
      return this.fail(field, 'must be epoch milliseconds (non-negative integer) or an ISO 8601 date-time string');
    }
    return ms;
  }

  throwIfInvalid(): void {
    if (this.issues.length > 0) {
      const fields = this.issues.map((i) => i.field).join(', ');
      throw new HttpError(400, `Validation failed: ${fields}.`, { details: this.issues });
    }
  }
}

export interface ProspectInput {
  firstName: string;
  lastName: string;
  update: boolean;
  email?: string | null;
  /** Normalised phone; null = clear. Omitted when absent or invalid. */
  phone?: string | null;
  /** An invalid phone was sent: the write goes on without it and the response carries a warning. */
  phoneInvalid: boolean;
  labels?: string[];
  title?: string | null;
  company?: string | null;
  notes?: string | null;
  streetAddress?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  stageId?: string | null;
  pipelineId?: string | null;
  licenseStatus?: LicenseStatus | null;
  userId?: string;
}

const PROSPECT_TEXT_FIELDS = ['title', 'company', 'notes', 'streetAddress', 'city', 'state', 'postalCode'] as const;

export function validateProspect(body: Record<string, unknown>): ProspectInput {
  const r = new BodyReader(body, 'prospect');
  const firstName = r.required('firstName');
  const lastName = r.required('lastName');
  const input: Partial<ProspectInput> = { firstName, lastName, update: r.optionalBoolean('update') ?? true };
  input.phoneInvalid = false;

  const email = r.optionalString('email');
  if (typeof email === 'string') {
    const trimmed = email.trim();
    if (trimmed === '') input.email = null;
    else if (isEmail(trimmed)) input.email = trimmed;
    else r.fail('email', 'must be a valid email address');
  } else if (email === null) input.email = null;

  const phone = r.optionalString('phone');
  if (typeof phone === 'string') {
    if (phone.trim() === '') input.phone = null;
    else {
      const normalized = normalizePhone(phone);
      if (normalized === null) input.phoneInvalid = true;
      else input.phone = normalized;
    }
  } else if (phone === null) input.phone = null;

  if (r.has('labels')) {
    const raw = r.raw('labels');
    if (raw === null) input.labels = [];
    else {
      const labels = parseLabels(raw);
      if (labels === undefined) r.fail('labels', 'must be an array of strings or a comma-separated string');
      else input.labels = labels;
    }
  }
  for (const field of PROSPECT_TEXT_FIELDS) {
    const v = r.optionalString(field);
    if (v !== undefined) input[field] = v;
  }
  const stageId = r.optionalString('stageId');
  if (stageId !== undefined) input.stageId = stageId;
  const pipelineId = r.optionalString('pipelineId');
  if (pipelineId !== undefined) input.pipelineId = pipelineId;
  if (r.has('licenseStatus')) {
    const v = r.raw('licenseStatus');
    if (v === null) input.licenseStatus = null;
    else if (typeof v === 'string' && (LICENSE_STATUSES as readonly string[]).includes(v)) {
      input.licenseStatus = v as LicenseStatus;
    } else r.fail('licenseStatus', `must be one of ${LICENSE_STATUSES.join(', ')}`);
  }
  const userId = r.optionalString('userId', false);
  if (typeof userId === 'string') input.userId = userId;
  r.throwIfInvalid();
  return input as ProspectInput;
}

export interface NoteInput {
  prospectId: string;
  body: string;
  userId?: string;
  date?: number;
  mentions?: Record<string, unknown>[];
  pin?: boolean;
  fileUrl?: string | null;
}

export function validateNote(body: Record<string, unknown>): NoteInput {
  const r = new BodyReader(body, 'note');
  const input: Partial<NoteInput> = { prospectId: r.required('prospectId'), body: r.required('body') };
  const userId = r.optionalString('userId', false);
  if (typeof userId === 'string') input.userId = userId;
  const date = r.date('date', false);
  if (typeof date === 'number') input.date = date;
  if (r.has('mentions')) {
    const m = r.raw('mentions');
    const isObj = (x: unknown): boolean => x !== null && typeof x === 'object' && !Array.isArray(x);
    if (Array.isArray(m) && m.every(isObj)) input.mentions = m as Record<string, unknown>[];
    else r.fail('mentions', 'must be an array of objects');
  }
  const pin = r.optionalBoolean('pin');
  if (pin !== undefined) input.pin = pin;
  const fileUrl = r.optionalString('fileUrl');
  if (typeof fileUrl === 'string' && !isHttpsUrl(fileUrl)) r.fail('fileUrl', 'must be an https URL');
  else if (fileUrl !== undefined) input.fileUrl = fileUrl;
  r.throwIfInvalid();
  return input as NoteInput;
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

export interface TaskInput {
  prospectId: string;
  assignedTo: string;
  task: string;
  userId?: string;
  /** undefined = omitted (defaults to now), null = no due date. */
  dueAt?: number | null;
}

export function validateTask(body: Record<string, unknown>): TaskInput {
  const r = new BodyReader(body, 'task');
  const input: Partial<TaskInput> = {
    prospectId: r.required('prospectId'),
    assignedTo: r.required('assignedTo'),
    task: r.required('task'),
  };
  const userId = r.optionalString('userId', false);
  if (typeof userId === 'string') input.userId = userId;
  const dueAt = r.date('dueAt', false);
  if (dueAt !== undefined) input.dueAt = dueAt;
  r.throwIfInvalid();
  return input as TaskInput;
}

export interface MeetingInput {
  prospectId: string;
  meetingDate: number;
  timeZone: string;
  meetingType: string;
  ownerId: string;
  userId?: string;
  location?: string | null;
  notes?: string | null;
}

export function validateMeeting(body: Record<string, unknown>): MeetingInput {
  const r = new BodyReader(body, 'meeting');
  const input: Partial<MeetingInput> = { prospectId: r.required('prospectId') };
  const meetingDate = r.date('meetingDate', true);
  if (typeof meetingDate === 'number') input.meetingDate = meetingDate;
  const timeZone = r.required('timeZone');
  if (timeZone !== undefined) {
    if (isIanaTimeZone(timeZone)) input.timeZone = timeZone;
    else r.fail('timeZone', 'must be an IANA time zone name, e.g. America/New_York');
  }
  input.meetingType = r.required('meetingType');
  input.ownerId = r.required('ownerId');
  const userId = r.optionalString('userId', false);
  if (typeof userId === 'string') input.userId = userId;
  const location = r.optionalString('location');
  if (location !== undefined) input.location = location;
  const notes = r.optionalString('notes');
  if (notes !== undefined) input.notes = notes;
  r.throwIfInvalid();
  return input as MeetingInput;
}
