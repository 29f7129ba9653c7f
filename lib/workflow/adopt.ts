import type { ActivityQuery, ApiRecord, Page, ProspectQuery } from '../hiringcenter/index.ts';
import type { MeetingFields, NoteFields, ProspectFields, TaskFields } from './input.ts';

/*
 * Exactly-once past the API's idempotency retention. The API keeps a key for an undocumented time (the sandbox: 24 h),
 * so a step that runs later than that after its execution started (a redrive, a long quota wait) cannot rely on the
 * key: the API may have forgotten it and would write the record again. Such a step first looks for the record it may
 * already have written, created after its execution started and equal in every field it sends, and adopts it.
 */

/** The reads the lookup needs: one page of a prospect's notes, tasks or meetings, or of prospects by name. */
export interface RecordReader {
  listProspects(query: ProspectQuery): Promise<Page<ApiRecord>>;
  listNotes(query: ActivityQuery): Promise<Page<ApiRecord>>;
  listTasks(query: ActivityQuery): Promise<Page<ApiRecord>>;
  listMeetings(query: ActivityQuery): Promise<Page<ApiRecord>>;
}

/** Records the API stamped a little before the execution's start still count: the two clocks are not the same. */
export const CLOCK_SKEW_MS = 5 * 60_000;
/**
 * Pages read at most. The filters below narrow a list to one prospect, one user and one date, so a match sits on the
 * first page; the cap keeps a prospect with thousands of records from turning one step into a scan.
 */
const MAX_PAGES = 5;
const PAGE_SIZE = 100;

async function findFirst(read: (pageToken?: string) => Promise<Page<ApiRecord>>, matches: (record: ApiRecord) => boolean): Promise<string | undefined> {
  let pageToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result = await read(pageToken);
    const found = result.items.find(matches);
    if (found) return found.id;
    if (!result.nextPageToken) return undefined;
    pageToken = result.nextPageToken;
  }
  return undefined;
}

/** Every field the step sends has the value the record holds; fields the step leaves out do not matter. */
function sameFields(record: ApiRecord, sent: object): boolean {
  return Object.entries(sent).every(([field, value]) => value === undefined || sameValue(record[field], value));
}

function sameValue(stored: unknown, sent: unknown): boolean {
  if (Array.isArray(sent)) return Array.isArray(stored) && stored.length === sent.length && sent.every((item, index) => sameValue(stored[index], item));
  if (sent !== null && typeof sent === 'object') return stored !== null && typeof stored === 'object' && sameFields(stored as ApiRecord, sent);
  return stored === sent || (sent === null && stored === undefined);
}

function createdSince(since: number) {
  return (record: ApiRecord): boolean => typeof record.createdAt !== 'number' || record.createdAt >= since - CLOCK_SKEW_MS;
}

const withPage = <Q extends object>(query: Q, pageToken: string | undefined): Q & { limit: number; pageToken?: string } =>
  pageToken ? { ...query, limit: PAGE_SIZE, pageToken } : { ...query, limit: PAGE_SIZE };

/**
 * A prospect with an email or a phone needs no lookup: the upsert matches it by those. One with neither is looked up by
 * name; only a prospect created since the execution started, with every sent field equal, is adopted.
 */
export function findWrittenProspect(api: RecordReader, prospect: ProspectFields, since: number): Promise<string | undefined> {
  const { update: _update, ...sent } = prospect;
  const recent = createdSince(since);
  return findFirst(
    (pageToken) => api.listProspects(withPage({ name: `${prospect.firstName} ${prospect.lastName}` }, pageToken)),
    (record) => recent(record) && sameFields(record, sent),
  );
}

export function findWrittenNote(api: RecordReader, prospectId: string, note: NoteFields, since: number): Promise<string | undefined> {
  const recent = createdSince(since);
  return findFirst((pageToken) => api.listNotes(withPage({ prospectId }, pageToken)), (record) => recent(record) && sameFields(record, note));
}

export function findWrittenTask(api: RecordReader, prospectId: string, task: TaskFields, since: number): Promise<string | undefined> {
  const recent = createdSince(since);
  return findFirst(
    (pageToken) => api.listTasks(withPage({ prospectId, assignedTo: task.assignedTo }, pageToken)),
    (record) => recent(record) && sameFields(record, task),
  );
}

export function findWrittenMeeting(api: RecordReader, prospectId: string, meeting: MeetingFields, since: number): Promise<string | undefined> {
  const recent = createdSince(since);
  const query = { prospectId, ownerId: meeting.ownerId, meetingDateAfter: meeting.meetingDate, meetingDateBefore: meeting.meetingDate };
  return findFirst((pageToken) => api.listMeetings(withPage(query, pageToken)), (record) => recent(record) && sameFields(record, meeting));
}
