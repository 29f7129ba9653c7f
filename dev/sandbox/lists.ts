/** GET list endpoints: the documented filters, ordering, and `limit` + opaque `pageToken` pagination. */
import { HttpError, type ApiResponse, type FieldDetail } from './http.ts';
import type { SandboxStore } from './store.ts';
import { normalizePhone, parseDateInput } from './formats.ts';

export const MAX_LABEL_FILTERS = 10;

interface Page<T> {
  items: T[];
  pagination: { totalCount: number; nextPageToken?: string };
}

class QueryReader {
  readonly issues: FieldDetail[] = [];
  private readonly query: URLSearchParams;
  constructor(query: URLSearchParams) {
    this.query = query;
  }

  get(name: string): string | undefined {
    const v = this.query.get(name);
    return v === null || v.trim() === '' ? undefined : v.trim();
  }

  all(name: string): string[] {
    return this.query.getAll(name);
  }

  fail(name: string, message: string): undefined {
    this.issues.push({ field: `query.${name}`, message });
    return undefined;
  }

  limit(defaultLimit: number, max: number): number {
    const raw = this.get('limit');
    if (raw === undefined) return defaultLimit;
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < 1 || n > max) return this.fail('limit', `must be an integer from 1 to ${max}`) ?? 0;
    return n;
  }

  offset(): number {
    const raw = this.get('pageToken');
    if (raw === undefined) return 0;
    const offset = decodePageToken(raw);
    return offset ?? this.fail('pageToken', 'is not a token returned by this API') ?? 0;
  }

  date(name: string): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const ms = parseDateInput(/^\d+$/.test(raw) ? Number(raw) : raw);
    return ms ?? this.fail(name, 'must be epoch milliseconds or an ISO 8601 date-time');
  }

  boolean(name: string): boolean | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return this.fail(name, 'must be true or false');
  }

  throwIfInvalid(): void {
    if (this.issues.length > 0) {
      throw new HttpError(400, `Invalid query: ${this.issues.map((i) => i.field).join(', ')}.`, {
        details: this.issues,
      });
    }
  }
}

function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodePageToken(token: string): number | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const offset = (parsed as { offset?: unknown } | null)?.offset;
    return typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0 ? offset : undefined;
  } catch {
    return undefined;
  }
}

function paginate<T>(all: T[], offset: number, limit: number): ApiResponse {
  const page: Page<T> = {
    items: structuredClone(all.slice(offset, offset + limit)),
    pagination: { totalCount: all.length },
  };
  if (offset + limit < all.length) page.pagination.nextPageToken = encodePageToken(offset + limit);
  return { status: 200, body: { success: true, ...page } };
}

const same = (a: string | null, b: string): boolean => a !== null && a.toLowerCase() === b.toLowerCase();

/** Newest first; ties keep the later-inserted record first. */
function newestFirst<T>(items: Iterable<T>, key: (t: T) => number): T[] {
  return [...items].reverse().sort((a, b) => key(b) - key(a));
}

export function listProspects(store: SandboxStore, query: URLSearchParams): ApiResponse {
  const q = new QueryReader(query);
  const limit = q.limit(25, 100);
  const offset = q.offset();
  const email = q.get('email');
  const phoneRaw = q.get('phone');
  const phone = phoneRaw === undefined ? undefined : (normalizePhone(phoneRaw) ?? phoneRaw);
  const name = q.get('name')?.replace(/\s+/g, ' ');
  const title = q.get('title');
  const company = q.get('company');
  const stage = q.get('stage');
  const labels = q
    .all('label')
    .flatMap((l) => l.split(','))
    .map((l) => l.trim().toLowerCase())
    .filter((l) => l !== '');
  if (labels.length > MAX_LABEL_FILTERS) q.fail('label', `at most ${MAX_LABEL_FILTERS} labels per request`);
  q.throwIfInvalid();
  // The email index turns the common "does this prospect exist?" lookup into O(1).
  const pool = email === undefined ? [...store.prospects.values()] : store.prospectsWithEmail(email);
  const matches = pool.filter(
    (p) =>
      (email === undefined || same(p.email, email)) &&
      (phone === undefined || p.phone === phone) &&
      (name === undefined || same(`${p.firstName} ${p.lastName}`, name)) &&
      (title === undefined || same(p.title, title)) &&
      (company === undefined || same(p.company, company)) &&
      (stage === undefined || same(p.currentStage, stage)) &&
      (labels.length === 0 || p.labels.some((l) => labels.includes(l.toLowerCase()))),
  );
  return paginate(newestFirst(matches, (p) => p.createdAt), offset, limit);
}

export function listNotes(store: SandboxStore, query: URLSearchParams): ApiResponse {
  const q = new QueryReader(query);
  const limit = q.limit(50, 200);
  const offset = q.offset();
  const prospectId = q.get('prospectId');
  const userId = q.get('userId');
  q.throwIfInvalid();
  const matches = [...store.notes.values()].filter(
    (n) => (prospectId === undefined || n.prospectId === prospectId) && (userId === undefined || n.userId === userId),
  );
  return paginate(newestFirst(matches, (n) => n.createdAt), offset, limit);
}

export function listTasks(store: SandboxStore, query: URLSearchParams): ApiResponse {
  const q = new QueryReader(query);
  const limit = q.limit(50, 200);
  const offset = q.offset();
  const prospectId = q.get('prospectId');
  const assignedTo = q.get('assignedTo');
  const userId = q.get('userId');
  const incompleteOnly = q.boolean('incompleteOnly') ?? false;
  const dueBefore = q.date('dueBefore');
  const dueAfter = q.date('dueAfter');
  q.throwIfInvalid();
  const matches = [...store.tasks.values()].filter(
    (t) =>
      (prospectId === undefined || t.prospectId === prospectId) &&
      (assignedTo === undefined || t.assignedTo === assignedTo) &&
      (userId === undefined || t.createdBy === userId) &&
      (!incompleteOnly || t.completedAt === null) &&
      (dueBefore === undefined || (t.dueAt !== null && t.dueAt <= dueBefore)) &&
      (dueAfter === undefined || (t.dueAt !== null && t.dueAt >= dueAfter)),
  );
  // Due date oldest first; tasks without a due date last.
  const sorted = matches.sort((a, b) => (a.dueAt ?? Number.MAX_SAFE_INTEGER) - (b.dueAt ?? Number.MAX_SAFE_INTEGER));
  return paginate(sorted, offset, limit);
}

export function listMeetings(store: SandboxStore, query: URLSearchParams): ApiResponse {
  const q = new QueryReader(query);
  const limit = q.limit(50, 200);
  const offset = q.offset();
  const prospectId = q.get('prospectId');
  const ownerId = q.get('ownerId');
  const meetingType = q.get('meetingType');
  const after = q.date('meetingDateAfter');
  const before = q.date('meetingDateBefore');
  q.throwIfInvalid();
  const matches = [...store.meetings.values()].filter(
    (m) =>
      (prospectId === undefined || m.prospectId === prospectId) &&
      (ownerId === undefined || m.ownerId === ownerId) &&
      (meetingType === undefined || same(m.meetingType, meetingType)) &&
      (after === undefined || m.meetingDate >= after) &&
      (before === undefined || m.meetingDate <= before),
  );
  return paginate(newestFirst(matches, (m) => m.meetingDate), offset, limit);
}
