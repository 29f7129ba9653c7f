import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findWrittenMeeting, findWrittenNote, findWrittenProspect, type RecordReader } from '../../lib/workflow/adopt.ts';
import { chooseExecutionKey, takeQuotaWait } from '../../lib/workflow/state.ts';

describe('the execution key the first step chooses', () => {
  const event = (detail: Record<string, unknown>) => ({ version: '0', id: 'evt-1', 'detail-type': 'ProspectActivityRequested', source: 'crm', detail });

  it("prefers the input's idempotencyKey, then the EventBridge event id, then the execution name", () => {
    expect(chooseExecutionKey({ prospect: {}, idempotencyKey: 'zap-1' }, 'exec')).toEqual({ input: { prospect: {}, idempotencyKey: 'zap-1' }, executionKey: 'zap-1' });
    expect(chooseExecutionKey(event({ prospect: {}, idempotencyKey: 'zap-2' }), 'exec').executionKey).toBe('zap-2');
    expect(chooseExecutionKey(event({ prospect: {} }), 'exec')).toEqual({ input: { prospect: {} }, executionKey: 'evt-1' });
    expect(chooseExecutionKey({ prospect: {} }, 'exec').executionKey).toBe('exec');
  });

  it('never takes a workflow input for an event: the detail alone is the input only when id and source are there too', () => {
    let accepted = 0;
    fc.assert(fc.property(fc.dictionary(fc.constantFrom('detail', 'id', 'source', 'prospect', 'note'), fc.jsonValue()), (input) => {
      const { input: chosen } = chooseExecutionKey(input, 'exec');
      const isEvent = typeof input.detail === 'object' && input.detail !== null && !Array.isArray(input.detail) && 'id' in input && 'source' in input;
      if (!isEvent) accepted += 1;
      expect(chosen).toBe(isEvent ? input.detail : input);
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(100);
  });
});

describe("the quota wait the catcher leaves in a step's state", () => {
  const caught = { slot: { retryAfterSeconds: 3, until: '2026-12-02T10:00:04Z', slotAt: 1_780_394_403_250, generation: 7, message: 'waiting' } };

  it('is taken off the state, and its slot handed to the step to confirm', () => {
    expect(takeQuotaWait({ sections: {}, run: {}, quotaWait: caught })).toEqual({ state: { sections: {}, run: {} }, held: { slotAt: 1_780_394_403_250, generation: 7 } });
  });

  it('is left in place when it is not the catcher\'s shape, so the input schema reports it as an unknown field', () => {
    for (const forged of [{ slot: 'now' }, 'x', null, { slot: { until: 'soon' } }]) {
      const state = { prospect: { firstName: 'A', lastName: 'B' }, quotaWait: forged };
      expect(takeQuotaWait(state)).toEqual({ state });
    }
    expect(takeQuotaWait('not an object')).toEqual({ state: 'not an object' });
  });
});

describe('finding a record a step already wrote, past the key retention', () => {
  const since = Date.parse('2026-12-01T10:00:00Z');
  const page = (items: Record<string, unknown>[], nextPageToken?: string) => ({ items: items as { id: string }[], ...(nextPageToken ? { nextPageToken } : {}) });
  const reader = (lists: Partial<Record<keyof RecordReader, (query: Record<string, unknown>) => ReturnType<RecordReader['listNotes']>>>): RecordReader => ({
    listProspects: async (query) => (lists.listProspects ?? (async () => page([])))(query as Record<string, unknown>),
    listNotes: async (query) => (lists.listNotes ?? (async () => page([])))(query),
    listTasks: async (query) => (lists.listTasks ?? (async () => page([])))(query),
    listMeetings: async (query) => (lists.listMeetings ?? (async () => page([])))(query),
  });

  it('adopts the note with every sent field equal, created since the execution started, across pages', async () => {
    const note = { body: '<p>Met at the fair</p>', pin: true };
    const api = reader({
      listNotes: async (query) => query.pageToken === undefined
        ? page([{ id: 'old', ...note, createdAt: since - 86_400_000 }, { id: 'other', body: '<p>Other</p>', pin: true, createdAt: since + 1 }], 'next')
        : page([{ id: 'mine', ...note, createdAt: since + 60_000, userId: null }]),
    });
    await expect(findWrittenNote(api, 'p1', note, since)).resolves.toBe('mine');
  });

  it('adopts nothing when a sent field differs, so the step writes', async () => {
    const api = reader({ listNotes: async () => page([{ id: 'n', body: '<p>Met at the fair</p>', pin: false, createdAt: since + 1 }]) });
    await expect(findWrittenNote(api, 'p1', { body: '<p>Met at the fair</p>', pin: true }, since)).resolves.toBeUndefined();
  });

  it('narrows a meeting lookup to the owner and the exact date', async () => {
    const queries: Record<string, unknown>[] = [];
    const meeting = { meetingDate: 1_760_100_000_000, timeZone: 'America/New_York', meetingType: 'virtual', ownerId: 'u1', location: 'Zoom' };
    const api = reader({ listMeetings: async (query) => { queries.push(query); return page([{ id: 'm1', ...meeting, notes: null, createdAt: since + 5 }]); } });
    await expect(findWrittenMeeting(api, 'p1', meeting, since)).resolves.toBe('m1');
    expect(queries[0]).toMatchObject({ prospectId: 'p1', ownerId: 'u1', meetingDateAfter: meeting.meetingDate, meetingDateBefore: meeting.meetingDate });
  });

  it('looks a prospect up by name only when it has neither email nor phone to be matched by', async () => {
    const queries: Record<string, unknown>[] = [];
    const api = reader({ listProspects: async (query) => { queries.push(query); return page([{ id: 'p9', firstName: 'Solo', lastName: 'Prospect', company: 'Acme', createdAt: since + 1 }]); } });
    await expect(findWrittenProspect(api, { firstName: 'Solo', lastName: 'Prospect', company: 'Acme', update: true }, since)).resolves.toBe('p9');
    expect(queries[0]).toMatchObject({ name: 'Solo Prospect' });
  });
});
