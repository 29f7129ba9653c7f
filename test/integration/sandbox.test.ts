import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { createClient, item, jordan, meetingFor, USER_ID } from './sandbox-helpers.ts';

let sb: Sandbox;
const { agent, call } = createClient(() => sb);

beforeAll(async () => {
  sb = await startSandbox({ apiKey: 'hc_test_key_0123456789' });
});
afterAll(async () => {
  await sb.close();
  await agent.close();
});
beforeEach(() => sb.reset());

async function createProspect(body: Record<string, unknown> = jordan): Promise<string> {
  const res = await call('POST', '/prospects', { body });
  expect(res.status).toBe(201);
  return item(res).id as string;
}

describe('sandbox: auth', () => {
  it('rejects a missing Authorization header with 401 and says so', async () => {
    const res = await call('GET', '/prospects', { auth: null });
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ success: false, error: 'Unauthorized' });
    expect(res.json.message).toMatch(/missing authorization header/i);
  });

  it('rejects a wrong key with 401 without echoing any key', async () => {
    const res = await call('POST', '/prospects', { auth: 'Bearer not-the-key-xyz', body: jordan });
    expect(res.status).toBe(401);
    expect(res.json.message).toMatch(/invalid api key/i);
    expect(JSON.stringify(res.json)).not.toContain('not-the-key-xyz');
    expect(JSON.stringify(res.json)).not.toContain(sb.apiKey);
    expect(sb.counts().prospects).toBe(0);
  });

  it('GET /auth returns the key metadata', async () => {
    const res = await call('GET', '/auth');
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    expect(item(res)).toMatchObject({ active: true, name: expect.any(String) });
    expect(item(res).accountId).toMatch(/^[0-9a-f]{32}$/);
    expect(item(res).apiKeyId).toMatch(/^[0-9a-f]{32}$/);
    expect(item(res).permissions).toContain('prospects:write');
    expect(JSON.stringify(res.json)).not.toContain(sb.apiKey);
  });
});

describe('sandbox: creates', () => {
  it('creates a prospect (201), note, task and meeting (201) with the documented fields', async () => {
    const p = await call('POST', '/prospects', { body: jordan, idem: 'p-1' });
    expect(p.status).toBe(201);
    const prospect = item(p);
    expect(prospect).toMatchObject({ ...jordan, title: null, company: null, currentStage: 'New Lead' });
    expect(prospect.id).toMatch(/^[0-9a-f]{32}$/);
    expect(prospect.createdAt).toEqual(expect.any(Number));
    expect(p.json.message).toBeUndefined();
    const prospectId = prospect.id as string;

    const n = await call('POST', '/notes', { body: { prospectId, body: '<p>Hi</p>', pin: true, extra: 'ignored' } });
    expect(n.status).toBe(201);
    expect(item(n)).toMatchObject({ prospectId, body: '<p>Hi</p>', pin: true, userId: null, createdByApi: true });
    expect(item(n)).not.toHaveProperty('extra');

    const t = await call('POST', '/tasks', {
      body: { prospectId, assignedTo: USER_ID, task: 'Follow up', dueAt: '2025-10-09T08:53:20Z' },
    });
    expect(t.status).toBe(201);
    expect(item(t)).toMatchObject({ prospectId, assignedTo: USER_ID, dueAt: 1760000000000, createdBy: null });

    const m = await call('POST', '/meetings', { body: { ...meetingFor(prospectId), userId: USER_ID } });
    expect(m.status).toBe(201);
    expect(item(m)).toMatchObject({ meetingDate: 1760100000000, timeZone: 'America/New_York', createdBy: USER_ID });
    expect(item(m).createdByApi).toBe(false);

    expect(sb.counts()).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
    const byId = await call('GET', `/prospects/${prospectId}`);
    expect(byId.status).toBe(200);
    expect(item(byId).id).toBe(prospectId);
    const noteById = await call('GET', `/notes/${item(n).id as string}`);
    expect(item(noteById).body).toBe('<p>Hi</p>');
  });

  it('returns 404 for a note/task/meeting on an unknown prospect, and for unknown ids', async () => {
    const ghost = '0'.repeat(32);
    expect((await call('POST', '/notes', { body: { prospectId: ghost, body: 'x' } })).status).toBe(404);
    expect((await call('POST', '/tasks', { body: { prospectId: ghost, assignedTo: USER_ID, task: 'x' } })).status).toBe(404);
    const m = await call('POST', '/meetings', { body: meetingFor(ghost) });
    expect(m.status).toBe(404);
    expect(m.json).toMatchObject({ success: false, error: 'Not Found' });
    expect((await call('GET', `/prospects/${ghost}`)).status).toBe(404);
    expect((await call('GET', `/notes/${ghost}`)).status).toBe(404);
    expect(sb.counts()).toEqual({ prospects: 0, notes: 0, tasks: 0, meetings: 0 });
  });
});

describe('sandbox: validation', () => {
  it('lists every invalid field of a prospect', async () => {
    const res = await call('POST', '/prospects', { body: { firstName: '', email: 'not-an-email', labels: 7 } });
    expect(res.status).toBe(400);
    const fields = (res.json.details as { field: string }[]).map((d) => d.field).sort();
    expect(fields).toEqual(['prospect.email', 'prospect.firstName', 'prospect.labels', 'prospect.lastName']);
    expect(JSON.stringify(res.json)).not.toContain('not-an-email');
  });

  it('rejects a non-IANA time zone, bad dates and wrong types on a meeting', async () => {
    const prospectId = await createProspect();
    const res = await call('POST', '/meetings', {
      body: { ...meetingFor(prospectId), timeZone: 'Mars/Olympus_Mons', meetingDate: '2025-02-30T10:00:00Z', ownerId: 5 },
    });
    expect(res.status).toBe(400);
    expect(res.json.details).toEqual(
      expect.arrayContaining([
        { field: 'meeting.timeZone', message: expect.any(String) },
        { field: 'meeting.meetingDate', message: expect.any(String) },
        { field: 'meeting.ownerId', message: 'must be a string' },
      ]),
    );
    const offset = await call('POST', '/meetings', { body: { ...meetingFor(prospectId), timeZone: '+01:00' } });
    expect(offset.status).toBe(400);
    const iso = await call('POST', '/meetings', { body: { ...meetingFor(prospectId), meetingDate: '2025-10-10T14:00:00Z' } });
    expect(item(iso).meetingDate).toBe(Date.UTC(2025, 9, 10, 14));
    expect(sb.counts().meetings).toBe(1);
  });

  it('requires note and task fields and checks their types', async () => {
    const note = await call('POST', '/notes', { body: { body: 3, date: 'yesterday', pin: 'yes' } });
    expect(note.status).toBe(400);
    expect((note.json.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
      'note.body',
      'note.date',
      'note.pin',
      'note.prospectId',
    ]);
    const task = await call('POST', '/tasks', { body: { prospectId: 'x', dueAt: 1.5 } });
    expect((task.json.details as { field: string }[]).map((d) => d.field).sort()).toEqual([
      'task.assignedTo',
      'task.dueAt',
      'task.task',
    ]);
  });

  it('refuses non-JSON, malformed JSON, non-object bodies and bodies over 1 MiB', async () => {
    const text = await call('POST', '/prospects', { rawBody: 'a=b', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((await call('POST', '/prospects', { rawBody: '{"firstName":' })).status).toBe(400);
    expect((await call('POST', '/prospects', { rawBody: '[1,2]' })).status).toBe(400);
    const big = await call('POST', '/notes', { body: { prospectId: 'x', body: 'x'.repeat(1024 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.json.success).toBe(false);
  });

  it('answers unknown routes with 404, wrong methods with 405, and paths outside /v2 with 404', async () => {
    const unknown = await call('GET', '/candidates');
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ success: false, error: 'Not Found' });
    const wrong = await call('DELETE', '/prospects');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST');
    expect((await call('GET', '/v1/prospects')).status).toBe(404);
    expect((await call('POST', '/auth', { body: {} })).status).toBe(405);
  });
});

describe('sandbox: POST /prospects upsert', () => {
  it('matches by email (case-insensitive), keeps omitted fields and clears explicit nulls', async () => {
    const id = await createProspect({ ...jordan, title: 'Recruiter', company: 'Acme' });
    const res = await call('POST', '/prospects', {
      body: { firstName: 'Jordan', lastName: 'Miller-Smith', email: 'JORDAN.MILLER@example.com', company: null },
    });
    expect(res.status).toBe(200);
    expect(item(res)).toMatchObject({ id, lastName: 'Miller-Smith', title: 'Recruiter', company: null });
    expect(item(res).phone).toBe('+15551234567');
    expect(item(res).labels).toEqual(['Quickstart', 'Inbound']);
    expect(sb.counts().prospects).toBe(1);
  });

  it('matches by phone when the email does not match, normalising separators', async () => {
    const id = await createProspect();
    const res = await call('POST', '/prospects', {
      body: { firstName: 'J', lastName: 'M', email: 'other@example.com', phone: '+1 (555) 123-4567' },
    });
    expect(res.status).toBe(200);
    expect(item(res)).toMatchObject({ id, email: 'other@example.com', firstName: 'J' });
  });

  it('prefers the email match over the phone match', async () => {
    const byEmail = await createProspect({ firstName: 'A', lastName: 'A', email: 'a@example.com' });
    await createProspect({ firstName: 'B', lastName: 'B', phone: '+15550000001' });
    const res = await call('POST', '/prospects', {
      body: { firstName: 'A', lastName: 'A', email: 'a@example.com', phone: '+15550000001' },
    });
    expect(item(res).id).toBe(byEmail);
  });

  it('matches on the new email after an update changed it, and no longer on the old one', async () => {
    const id = await createProspect();
    await call('POST', '/prospects', { body: { ...jordan, email: 'new@example.com' } });
    expect((await call('GET', `/prospects?email=${encodeURIComponent(jordan.email)}`)).json.items).toEqual([]);
    const again = await call('POST', '/prospects', { body: { firstName: 'J', lastName: 'M', email: 'NEW@example.com' } });
    expect(item(again).id).toBe(id);
    const fresh = await call('POST', '/prospects', { body: { firstName: 'X', lastName: 'Y', email: jordan.email } });
    expect(fresh.status).toBe(201);
  });

  it('returns the existing prospect unchanged with update:false', async () => {
    const id = await createProspect();
    const res = await call('POST', '/prospects', {
      body: { firstName: 'Changed', lastName: 'Name', email: jordan.email, update: false },
    });
    expect(res.status).toBe(200);
    expect(item(res)).toMatchObject({ id, firstName: 'Jordan', lastName: 'Miller' });
    expect(sb.records().prospects[0]?.firstName).toBe('Jordan');
  });

  it('saves the prospect without an invalid phone and warns without echoing it', async () => {
    const res = await call('POST', '/prospects', {
      body: { firstName: 'P', lastName: 'Q', phone: '12-34', labels: 'Hot, Inbound ,Hot' },
    });
    expect(res.status).toBe(201);
    expect(item(res).phone).toBeNull();
    expect(item(res).labels).toEqual(['Hot', 'Inbound']);
    expect(typeof res.json.message).toBe('string');
    expect(res.json.message).not.toContain('12-34');
  });
});

describe('sandbox: lists', () => {
  it('filters prospects by email, phone, name, stage and labels (OR, repeated or comma-separated)', async () => {
    await createProspect({ firstName: 'Avery', lastName: 'Coleman', email: 'avery@example.com', labels: ['Hot'] });
    await createProspect({ firstName: 'Blake', lastName: 'Doe', phone: '+15557654321', labels: ['Inbound'] });
    await createProspect({ firstName: 'Casey', lastName: 'Roe', labels: ['Cold'], company: 'Acme' });
    const ids = async (query: string): Promise<string[]> => {
      const res = await call('GET', `/prospects?${query}`);
      expect(res.status).toBe(200);
      return (res.json.items as { firstName: string }[]).map((p) => p.firstName).sort();
    };
    expect(await ids('email=AVERY%40example.com')).toEqual(['Avery']);
    expect(await ids('phone=%2B1%20555%20765%204321')).toEqual(['Blake']);
    expect(await ids('name=Casey%20Roe')).toEqual(['Casey']);
    expect(await ids('company=acme')).toEqual(['Casey']);
    expect(await ids('stage=New%20Lead')).toEqual(['Avery', 'Blake', 'Casey']);
    expect(await ids('label=Hot&label=Inbound')).toEqual(['Avery', 'Blake']);
    expect(await ids('label=Hot,Cold')).toEqual(['Avery', 'Casey']);
    expect(await ids('email=nobody%40example.com')).toEqual([]);
    const tooMany = await call('GET', `/prospects?label=${Array.from({ length: 11 }, (_, i) => `l${i}`).join(',')}`);
    expect(tooMany.status).toBe(400);
    const empty = await call('GET', '/prospects?email=nobody%40example.com');
    expect(empty.json).toEqual({ success: true, items: [], pagination: { totalCount: 0 } });
  });

  it('paginates with limit and an opaque pageToken until no token is returned', async () => {
    const prospectId = await createProspect();
    for (let i = 0; i < 5; i++) await call('POST', '/notes', { body: { prospectId, body: `note ${i}` } });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await call('GET', `/notes?prospectId=${prospectId}&limit=2${token ? `&pageToken=${token}` : ''}`);
      expect(res.status).toBe(200);
      const pagination = res.json.pagination as { totalCount: number; nextPageToken?: string };
      expect(pagination.totalCount).toBe(5);
      seen.push(...(res.json.items as { body: string }[]).map((n) => n.body));
      token = pagination.nextPageToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['note 4', 'note 3', 'note 2', 'note 1', 'note 0']);
    expect((await call('GET', '/notes?pageToken=garbage')).status).toBe(400);
    expect((await call('GET', '/notes?limit=0')).status).toBe(400);
  });

  it('filters and orders tasks and meetings', async () => {
    const a = await createProspect({ firstName: 'A', lastName: 'A' });
    const b = await createProspect({ firstName: 'B', lastName: 'B' });
    for (const dueAt of [3000, 1000, 2000]) {
      await call('POST', '/tasks', { body: { prospectId: a, assignedTo: USER_ID, task: `t${dueAt}`, dueAt } });
    }
    await call('POST', '/tasks', { body: { prospectId: b, assignedTo: 'someone', task: 'other', dueAt: 500 } });
    const tasks = await call('GET', `/tasks?assignedTo=${USER_ID}&dueAfter=1500`);
    expect((tasks.json.items as { task: string }[]).map((t) => t.task)).toEqual(['t2000', 't3000']);
    for (const meetingDate of [1000, 3000, 2000]) {
      await call('POST', '/meetings', { body: { ...meetingFor(a), meetingDate } });
    }
    await call('POST', '/meetings', { body: { ...meetingFor(b), meetingType: 'phone' } });
    const meetings = await call('GET', `/meetings?prospectId=${a}&meetingDateBefore=2500`);
    expect((meetings.json.items as { meetingDate: number }[]).map((m) => m.meetingDate)).toEqual([2000, 1000]);
    const phone = await call('GET', '/meetings?meetingType=phone');
    expect((phone.json.pagination as { totalCount: number }).totalCount).toBe(1);
  });
});

describe('sandbox: inspection', () => {
  it('serves records and stats without auth, read-only, outside /v2', async () => {
    await createProspect();
    const records = await call('GET', '/__sandbox/records', { auth: null });
    expect(records.status).toBe(200);
    expect(records.json.counts).toEqual({ prospects: 1, notes: 0, tasks: 0, meetings: 0 });
    expect((records.json.prospects as unknown[]).length).toBe(1);
    const stats = await call('GET', '/__sandbox/stats', { auth: null });
    expect(stats.json).toMatchObject({ requests: 1, byRoute: { 'POST /prospects': 1 } });
    expect((await call('POST', '/__sandbox/records', { body: {} })).status).toBe(405);
    expect(sb.stats().requests).toBe(1);
  });

  it('is not served when inspection is off', async () => {
    const closed = await startSandbox({ inspection: false });
    try {
      const res = await fetch(`${closed.origin}/__sandbox/records`);
      expect(res.status).toBe(404);
    } finally {
      await closed.close();
    }
  });

  it('records() returns deep copies', async () => {
    await createProspect();
    const copy = sb.records();
    copy.prospects[0]!.firstName = 'Mutated';
    expect(sb.records().prospects[0]?.firstName).toBe('Jordan');
  });
});
