/** In-memory records and the write operations (prospect upsert, note/task/meeting create). */
import { randomBytes } from 'node:crypto';
import { HttpError } from './http.ts';
import type { MeetingInput, NoteInput, ProspectInput, TaskInput } from './validation.ts';
import type { Meeting, Note, Prospect, SandboxCounts, SandboxRecords, Task } from './types.ts';

export const DEFAULT_PIPELINE_ID = '3c9e1f7a2b8d4e6fa0c5d1b7e9f2a4c8';
/** A tiny stage catalogue so that `currentStage` and the `stage` filter have names to work with. */
export const STAGES: readonly { id: string; name: string }[] = [
  { id: '7a1c3e5f9b2d4f6a8c0e1b3d5f7a9c2e', name: 'New Lead' },
  { id: '8b2d4f6a0c3e5a7b9d1f2c4e6a8b0d3f', name: 'Contacted' },
  { id: '9c3e5a7b1d4f6b8c0e2a3d5f7b9c1e4a', name: 'Interviewing' },
  { id: 'ad4f6b8c2e5a7c9d1f3b4e6a8c0d2f5b', name: 'Offer' },
  { id: 'be5a7c9d3f6b8d0e2a4c5f7b9d1e3a6c', name: 'Hired' },
];

export interface WriteContext {
  apiKeyId: string;
  apiKeyName: string;
}

export interface UpsertResult {
  status: 200 | 201;
  item: Prospect;
  warning?: string;
}

export const INVALID_PHONE_WARNING =
  'The phone number is not a valid E.164-style number and was not saved; the rest of the prospect was saved.';

export function newId(): string {
  return randomBytes(16).toString('hex');
}

const CLEARABLE = ['title', 'company', 'notes', 'streetAddress', 'city', 'state', 'postalCode'] as const;

export class SandboxStore {
  readonly prospects = new Map<string, Prospect>();
  readonly notes = new Map<string, Note>();
  readonly tasks = new Map<string, Task>();
  readonly meetings = new Map<string, Meeting>();
  private readonly now: () => number;
  /** Lower-cased email / normalised phone → ids holding it, oldest holder first (keeps upserts O(1)). */
  private readonly byEmail = new Map<string, Set<string>>();
  private readonly byPhone = new Map<string, Set<string>>();

  constructor(now: () => number) {
    this.now = now;
  }

  clear(): void {
    this.byEmail.clear();
    this.byPhone.clear();
    this.prospects.clear();
    this.notes.clear();
    this.tasks.clear();
    this.meetings.clear();
  }

  counts(): SandboxCounts {
    return {
      prospects: this.prospects.size,
      notes: this.notes.size,
      tasks: this.tasks.size,
      meetings: this.meetings.size,
    };
  }

  snapshot(): SandboxRecords {
    return structuredClone({
      prospects: [...this.prospects.values()],
      notes: [...this.notes.values()],
      tasks: [...this.tasks.values()],
      meetings: [...this.meetings.values()],
    });
  }

  /** Match by email (case-insensitive), then by phone. */
  findMatch(input: ProspectInput): Prospect | undefined {
    const byEmail = typeof input.email === 'string' ? this.prospectsWithEmail(input.email)[0] : undefined;
    if (byEmail !== undefined) return byEmail;
    return typeof input.phone === 'string' ? this.prospectsWithPhone(input.phone)[0] : undefined;
  }

  prospectsWithEmail(email: string): Prospect[] {
    return this.lookup(this.byEmail, email.toLowerCase());
  }

  prospectsWithPhone(phone: string): Prospect[] {
    return this.lookup(this.byPhone, phone);
  }

  private lookup(index: Map<string, Set<string>>, key: string): Prospect[] {
    const ids = index.get(key);
    if (ids === undefined) return [];
    return [...ids].map((id) => this.prospects.get(id)).filter((p): p is Prospect => p !== undefined);
  }

  private index(p: Prospect, add: boolean): void {
    const entries: [Map<string, Set<string>>, string | null][] = [
      [this.byEmail, p.email?.toLowerCase() ?? null],
      [this.byPhone, p.phone],
    ];
    for (const [index, key] of entries) {
      if (key === null) continue;
      const ids = index.get(key) ?? new Set<string>();
      if (add) ids.add(p.id);
      else ids.delete(p.id);
      if (ids.size === 0) index.delete(key);
      else index.set(key, ids);
    }
  }

  upsertProspect(input: ProspectInput): UpsertResult {
    const warning = input.phoneInvalid ? { warning: INVALID_PHONE_WARNING } : {};
    const existing = this.findMatch(input);
    if (existing !== undefined) {
      if (input.update) this.applyUpdate(existing, input);
      return { status: 200, item: structuredClone(existing), ...warning };
    }
    const now = this.now();
    const prospect: Prospect = {
      id: newId(),
      firstName: input.firstName,
      lastName: input.lastName,
      email: input.email ?? null,
      phone: input.phone ?? null,
      labels: input.labels ?? [],
      title: null,
      company: null,
      currentStage: null,
      currentStageId: null,
      pipelineId: DEFAULT_PIPELINE_ID,
      licenseStatus: input.licenseStatus ?? null,
      notes: null,
      streetAddress: null,
      city: null,
      state: null,
      postalCode: null,
      createdBy: input.userId ?? null,
      updatedBy: input.userId ?? null,
      createdByApi: input.userId === undefined,
      createdAt: now,
      updatedAt: now,
    };
    for (const field of CLEARABLE) prospect[field] = input[field] ?? null;
    applyStage(prospect, input, true);
    this.prospects.set(prospect.id, prospect);
    this.index(prospect, true);
    return { status: 201, item: structuredClone(prospect), ...warning };
  }

  private applyUpdate(p: Prospect, input: ProspectInput): void {
    const before = { ...p };
    p.firstName = input.firstName;
    p.lastName = input.lastName;
    if (input.email !== undefined) p.email = input.email;
    // An invalid phone is dropped (omitted), so it never wipes a good stored number.
    if (input.phone !== undefined) p.phone = input.phone;
    if (input.labels !== undefined) p.labels = input.labels;
    if (input.licenseStatus !== undefined) p.licenseStatus = input.licenseStatus;
    for (const field of CLEARABLE) {
      const v = input[field];
      if (v !== undefined) p[field] = v;
    }
    applyStage(p, input, false);
    if (input.userId !== undefined) p.updatedBy = input.userId;
    p.updatedAt = this.now();
    // Re-index only on change, so that an unchanged holder keeps its place (oldest holder matches first).
    if (before.email?.toLowerCase() !== p.email?.toLowerCase() || before.phone !== p.phone) {
      this.index(before, false);
      this.index(p, true);
    }
  }

  requireProspect(prospectId: string, field: string): void {
    if (!this.prospects.has(prospectId)) {
      throw new HttpError(404, 'Prospect not found.', { details: [{ field, message: 'no prospect with this id' }] });
    }
  }

  createNote(input: NoteInput, ctx: WriteContext): Note {
    this.requireProspect(input.prospectId, 'note.prospectId');
    const now = this.now();
    const note: Note = {
      id: newId(),
      prospectId: input.prospectId,
      body: input.body,
      date: input.date ?? now,
      userId: input.userId ?? null,
      ...attribution(input.userId, ctx),
      mentions: input.mentions ?? [],
      pin: input.pin ?? false,
      fileUrl: input.fileUrl ?? null,
      createdAt: now,
      updatedAt: null,
    };
    this.notes.set(note.id, note);
    return structuredClone(note);
  }

  createTask(input: TaskInput, ctx: WriteContext): Task {
    this.requireProspect(input.prospectId, 'task.prospectId');
    const now = this.now();
    const task: Task = {
      id: newId(),
      prospectId: input.prospectId,
      task: input.task,
      assignedTo: input.assignedTo,
      assignedBy: input.userId ?? null,
      createdBy: input.userId ?? null,
      ...attribution(input.userId, ctx),
      dueAt: input.dueAt === undefined ? now : input.dueAt,
      completedAt: null,
      createdAt: now,
      updatedAt: null,
    };
    this.tasks.set(task.id, task);
    return structuredClone(task);
  }

  createMeeting(input: MeetingInput, ctx: WriteContext): Meeting {
    this.requireProspect(input.prospectId, 'meeting.prospectId');
    const meeting: Meeting = {
      id: newId(),
      prospectId: input.prospectId,
      meetingDate: input.meetingDate,
      timeZone: input.timeZone,
      meetingType: input.meetingType,
      ownerId: input.ownerId,
      location: input.location ?? null,
      notes: input.notes ?? null,
      createdBy: input.userId ?? null,
      ...attribution(input.userId, ctx),
      createdAt: this.now(),
      updatedAt: null,
    };
    this.meetings.set(meeting.id, meeting);
    return structuredClone(meeting);
  }
}

function attribution(
  userId: string | undefined,
  ctx: WriteContext,
): { createdByApi: boolean; createdByApiKeyId: string; createdByApiKeyName: string } {
  return { createdByApi: userId === undefined, createdByApiKeyId: ctx.apiKeyId, createdByApiKeyName: ctx.apiKeyName };
}

/** stageId wins over pipelineId; a pipeline alone puts the prospect in its first stage; null clears. */
function applyStage(p: Prospect, input: ProspectInput, creating: boolean): void {
  if (input.stageId !== undefined) {
    p.currentStageId = input.stageId;
    p.currentStage = input.stageId === null ? null : (STAGES.find((s) => s.id === input.stageId)?.name ?? null);
    if (input.pipelineId !== undefined) p.pipelineId = input.pipelineId;
    return;
  }
  if (input.pipelineId !== undefined) p.pipelineId = input.pipelineId;
  if (creating || input.pipelineId !== undefined) {
    const first = p.pipelineId === DEFAULT_PIPELINE_ID ? STAGES[0] : undefined;
    p.currentStageId = first?.id ?? null;
    p.currentStage = first?.name ?? null;
  }
}
