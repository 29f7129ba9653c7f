// Request and record types for the HiringCenter REST API v2, and the zod/mini schemas its responses are checked with.
//
// Response schemas validate only what the client uses (`item.id`, `items[].id`, pagination) and keep every other
// field (loose objects): a successful write must never fail because the API added or retyped a field we ignore.
// The record interfaces below describe the documented fields, but only `id` is checked at runtime.
import * as z from 'zod/mini';

// ---------------------------------------------------------------------------------------------- requests

export type LicenseStatus = 'not_started' | 'in_progress' | 'licensed';

/**
 * Body of `POST /prospects` (create, or update the prospect matched by email or phone). Omit a field to leave it
 * unchanged; send `null` to clear it (the API does not list which fields support clearing).
 */
export interface UpsertProspectRequest {
  firstName: string;
  lastName: string;
  /** Update a matching prospect. The API defaults to `true`; set it explicitly. */
  update?: boolean;
  email?: string | null;
  phone?: string | null;
  labels?: readonly string[] | null;
  /** Takes precedence over `pipelineId`. */
  stageId?: string | null;
  pipelineId?: string | null;
  licenseStatus?: LicenseStatus | null;
  /** Plain-text profile notes (not the Notes resource). */
  notes?: string | null;
  title?: string | null;
  company?: string | null;
  /** The user performing the write. */
  userId?: string | null;
  streetAddress?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
}

export interface CreateNoteRequest {
  prospectId: string;
  /** HTML. */
  body: string;
  userId?: string;
  /** Epoch ms. */
  date?: number;
  /** Element shape undocumented. */
  mentions?: readonly Readonly<Record<string, unknown>>[];
  pin?: boolean;
  /** HTTPS URL of an attached file. */
  fileUrl?: string;
}

export interface CreateTaskRequest {
  prospectId: string;
  /** User id who must complete the task. */
  assignedTo: string;
  /** Task title / instruction text. */
  task: string;
  userId?: string;
  /** Epoch ms. */
  dueAt?: number;
}

export interface CreateMeetingRequest {
  prospectId: string;
  /** Epoch ms. */
  meetingDate: number;
  /** IANA zone, e.g. America/New_York. */
  timeZone: string;
  /** Free-text label such as phone, virtual, in-person. */
  meetingType: string;
  ownerId: string;
  userId?: string;
  location?: string | null;
  notes?: string | null;
}

/** Filters of `GET /prospects`. Undefined, null and empty-string filters are not sent. */
export interface ProspectQuery {
  email?: string | null;
  phone?: string | null;
  /** Full name, e.g. "Avery Coleman". */
  name?: string | null;
  title?: string | null;
  company?: string | null;
  /** Stage name (not id), e.g. "New Lead". */
  stage?: string | null;
  /** Matches prospects with any of these labels; sent as repeated `label=` params; at most 10. */
  label?: string | readonly string[] | null;
  /** Page size, a positive integer (API default 25). */
  limit?: number | null;
  /** `nextPageToken` of the previous page. */
  pageToken?: string | null;
}

/**
 * Filters of `GET /notes`, `GET /tasks` and `GET /meetings` for one prospect, as the API names them (tasks: `assignedTo`,
 * `dueAfter`, `dueBefore`; meetings: `ownerId`, `meetingType`, `meetingDateAfter`, `meetingDateBefore`). Dates are epoch ms.
 */
export interface ActivityQuery {
  prospectId: string;
  limit?: number;
  pageToken?: string;
  [filter: string]: string | number | undefined;
}

export interface WriteOptions {
  /** Sent as `X-Idempotency-Key`: 1..512 printable ASCII characters, the same on every retry of one write. */
  idempotencyKey: string;
}

// ---------------------------------------------------------------------------------------------- records

/** Fields the API may add are kept (index signature); only `id` is validated. */
export interface ApiRecord {
  id: string;
  [field: string]: unknown;
}

export interface Prospect extends ApiRecord {
  firstName?: string;
  lastName?: string;
  email?: string | null;
  phone?: string | null;
  labels?: string[];
  title?: string | null;
  company?: string | null;
  currentStage?: string | null;
  currentStageId?: string | null;
  pipelineId?: string | null;
  licenseStatus?: LicenseStatus | null;
  notes?: string | null;
  streetAddress?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  /** Epoch ms. */
  createdAt?: number | null;
  updatedAt?: number | null;
}

export interface Note extends ApiRecord {
  prospectId?: string;
  body?: string;
  userId?: string | null;
  date?: number | null;
  pin?: boolean;
  fileUrl?: string | null;
  mentions?: Record<string, unknown>[];
  createdByApi?: boolean;
  createdByApiKeyId?: string | null;
  createdByApiKeyName?: string | null;
  createdAt?: number | null;
  updatedAt?: number | null;
}

export interface Task extends ApiRecord {
  prospectId?: string;
  task?: string;
  assignedTo?: string;
  assignedBy?: string | null;
  createdBy?: string | null;
  createdByApi?: boolean;
  dueAt?: number | null;
  completedAt?: number | null;
  createdAt?: number | null;
  updatedAt?: number | null;
}

export interface Meeting extends ApiRecord {
  prospectId?: string;
  meetingDate?: number;
  timeZone?: string;
  meetingType?: string;
  ownerId?: string;
  location?: string | null;
  notes?: string | null;
  createdBy?: string | null;
  createdByApi?: boolean;
  createdAt?: number | null;
  updatedAt?: number | null;
}

/** `GET /auth` metadata. The field names are undocumented, so everything is optional and passed through. */
export interface AuthInfo {
  accountId?: string;
  /** `active`, or `isActive` when the API uses that name. */
  active?: boolean;
  permissions?: unknown;
  [field: string]: unknown;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
  totalCount?: number;
}

export interface WriteResult<T> {
  item: T;
  /** The HTTP status (a replay carries the original one). */
  status: number;
  /** The API answered from its idempotency store (`Idempotent-Replayed: true` or `Idempotency-Replayed: true`). */
  replayed: boolean;
}

export interface UpsertResult extends WriteResult<Prospect> {
  /** Status 201: a new prospect. 200: an existing one was matched (and updated unless `update: false`). */
  created: boolean;
  /** The API's `message`, e.g. an invalid-phone warning (top level or inside `item`). */
  warning?: string;
}

// ---------------------------------------------------------------------------------------------- response schemas

export const RecordSchema = z.looseObject({ id: z.string() });

/** `{ success, item, message? }`. `message` is read only when it is a string. */
export const ItemEnvelopeSchema = z.looseObject({ item: RecordSchema });

const PaginationSchema = z.looseObject({
  nextPageToken: z.optional(z.nullable(z.string())),
  totalCount: z.optional(z.nullable(z.number())),
});

/** `{ success, items, pagination }`; the older top-level `nextPageToken`/`totalCount` are accepted too. */
export const ListEnvelopeSchema = z.looseObject({
  items: z.array(RecordSchema),
  pagination: z.optional(z.nullable(PaginationSchema)),
  nextPageToken: z.optional(z.nullable(z.string())),
  totalCount: z.optional(z.nullable(z.number())),
});

/** `GET /auth`: `{ success, item: {...} }` or the metadata at the top level. */
export const AuthResponseSchema = z.looseObject({
  item: z.optional(z.looseObject({})),
});
