// Request building, envelopes and replay detection, against undici's MockAgent (tests only).
import { MockAgent, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RejectedError } from '../../lib/errors.ts';
import { HiringCenterClient, type HiringCenterClientOptions, type ResponseEvent } from '../../lib/hiringcenter/index.ts';

const ORIGIN = 'http://hc.test';
const KEY = 'hc_test_key_0123456789abcdef';
const IDEM = { idempotencyKey: 'wf-123:note' };

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

function setup(options: Partial<HiringCenterClientOptions> = {}) {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agents.push(agent);
  const pool = agent.get(ORIGIN);
  const keys = { getApiKey: vi.fn(async () => KEY), refreshApiKey: vi.fn(async () => KEY) };
  const client = new HiringCenterClient({ baseUrl: `${ORIGIN}/v2/`, keys, dispatcher: agent, ...options });
  const calls = () => agent.getCallHistory()?.calls() ?? [];
  return { agent, pool, keys, client, calls };
}

const json = { headers: { 'content-type': 'application/json' } };

describe('GET /auth', () => {
  it('sends the key and Accept, no body headers, and reads the item envelope', async () => {
    const { pool, client, calls } = setup();
    pool
      .intercept({ path: '/v2/auth', method: 'GET' })
      .reply(200, { success: true, item: { accountId: 'acc1', permissions: ['prospects:write'], active: true, extra: 1 } }, json);
    await expect(client.verifyAuth()).resolves.toEqual({
      accountId: 'acc1',
      permissions: ['prospects:write'],
      active: true,
      extra: 1,
    });
    const [call] = calls();
    expect(call?.headers).toMatchObject({ Authorization: `Bearer ${KEY}`, Accept: 'application/json', 'User-Agent': 'hiringcenter-workflows/0.1' });
    expect(call?.headers).not.toHaveProperty('Content-Type');
    expect(call?.headers).not.toHaveProperty('X-Idempotency-Key');
  });

  it('accepts flat metadata and isActive', async () => {
    const { pool, client } = setup({ userAgent: 'custom/1' });
    pool.intercept({ path: '/v2/auth', method: 'GET' }).reply(200, { success: true, accountId: 'acc2', isActive: false }, json);
    await expect(client.verifyAuth()).resolves.toMatchObject({ accountId: 'acc2', active: false });
  });
});

describe('GET /prospects', () => {
  it('sends every filter, labels as repeated params, and reads the page', async () => {
    const { pool, client, calls } = setup();
    pool.intercept({ path: (p) => p.startsWith('/v2/prospects'), method: 'GET' }).reply(
      200,
      { success: true, items: [{ id: 'p1', firstName: 'Avery', unknownField: true }], pagination: { nextPageToken: 'tok2', totalCount: 125 } },
      json,
    );
    const page = await client.listProspects({
      email: 'avery.coleman@example.com',
      phone: '+15551234567',
      name: 'Avery Coleman',
      title: 'Agent',
      company: 'A&B Co',
      stage: 'New Lead',
      label: ['Hot', 'Inbound'],
      limit: 5,
      pageToken: 'tok1',
    });
    expect(page).toEqual({ items: [{ id: 'p1', firstName: 'Avery', unknownField: true }], nextPageToken: 'tok2', totalCount: 125 });
    expect(calls()[0]?.fullUrl).toBe(
      `${ORIGIN}/v2/prospects?email=avery.coleman%40example.com&phone=%2B15551234567&name=Avery%20Coleman&title=Agent` +
        '&company=A%26B%20Co&stage=New%20Lead&label=Hot&label=Inbound&limit=5&pageToken=tok1',
    );
  });

  it('skips empty filters, and reads an empty last page and the older top-level token', async () => {
    const { pool, client, calls } = setup();
    pool.intercept({ path: '/v2/prospects', method: 'GET' }).reply(200, { success: true, items: [], pagination: { totalCount: 0 } }, json);
    pool.intercept({ path: '/v2/prospects?label=Hot', method: 'GET' }).reply(200, { items: [], nextPageToken: 'old' }, json);
    await expect(client.listProspects({ email: '', phone: null, label: [] })).resolves.toEqual({ items: [], totalCount: 0 });
    await expect(client.listProspects({ label: 'Hot' })).resolves.toEqual({ items: [], nextPageToken: 'old' });
    expect(calls().map((call) => call.fullUrl)).toEqual([`${ORIGIN}/v2/prospects`, `${ORIGIN}/v2/prospects?label=Hot`]);
  });

  it('refuses more than 10 labels, or a bad limit, before sending anything', async () => {
    const { client, calls, keys } = setup();
    const labels = Array.from({ length: 11 }, (_, i) => `L${i}`);
    await expect(client.listProspects({ label: labels })).rejects.toThrow(RangeError);
    await expect(client.listProspects({ label: labels })).rejects.toThrow(/at most 10 labels.*got 11/);
    await expect(client.listProspects({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(client.listProspects({ label: [''] })).rejects.toThrow(TypeError);
    expect(calls()).toHaveLength(0);
    expect(keys.getApiKey).not.toHaveBeenCalled();
  });

  it('names the item when a list item has no id', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/prospects', method: 'GET' }).reply(200, { items: [{ id: 'a' }, { name: 'x' }] }, json);
    await expect(client.listProspects()).rejects.toThrow(
      'HiringCenter returned an unexpected response for GET /prospects: items[1].id: expected string, got undefined',
    );
  });
});

describe('writes', () => {
  it('POST /prospects sends JSON, the idempotency key and nulls; 201 means created', async () => {
    const { pool, client, calls } = setup();
    pool.intercept({ path: '/v2/prospects', method: 'POST' }).reply(201, { success: true, item: { id: 'p1', firstName: 'Jordan' } }, json);
    const body = { firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', labels: ['Quickstart'], title: null, update: true };
    const result = await client.upsertProspect(body, { idempotencyKey: 'wf-1:prospect' });
    expect(result).toEqual({ item: { id: 'p1', firstName: 'Jordan' }, status: 201, replayed: false, created: true });
    const [call] = calls();
    expect(call?.headers).toMatchObject({
      Authorization: `Bearer ${KEY}`,
      'Content-Type': 'application/json',
      Accept: 'application/json',
      'X-Idempotency-Key': 'wf-1:prospect',
    });
    expect(JSON.parse(String(call?.body))).toEqual(body);
  });

  it('surfaces the API message as a warning, top level or inside item', async () => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/v2/prospects', method: 'POST' })
      .reply(200, { success: true, message: 'Invalid phone number; phone was not saved', item: { id: 'p1', phone: null } }, json);
    pool
      .intercept({ path: '/v2/prospects', method: 'POST' })
      .reply(201, { success: true, item: { id: 'p2', message: 'Phone number could not be parsed' } }, json);
    await expect(client.upsertProspect({ firstName: 'A', lastName: 'B', phone: '12' }, IDEM)).resolves.toMatchObject({
      created: false,
      warning: 'Invalid phone number; phone was not saved',
    });
    await expect(client.upsertProspect({ firstName: 'A', lastName: 'B', phone: '12' }, IDEM)).resolves.toMatchObject({
      created: true,
      warning: 'Phone number could not be parsed',
    });
  });

  it.each([
    ['createNote', '/v2/notes', { prospectId: 'p1', body: '<p>Hi</p>', pin: true, date: 1760000000000 }],
    ['createTask', '/v2/tasks', { prospectId: 'p1', assignedTo: 'u1', task: 'Call back', dueAt: 1760000000000 }],
    [
      'createMeeting',
      '/v2/meetings',
      { prospectId: 'p1', meetingDate: 1760100000000, timeZone: 'America/New_York', meetingType: 'virtual', ownerId: 'u1' },
    ],
  ] as const)('%s posts to %s and returns the item', async (method, path, body) => {
    const { pool, client, calls } = setup();
    pool.intercept({ path, method: 'POST' }).reply(201, { success: true, item: { id: 'r1', ...body } }, json);
    // The three methods take different bodies; the table pairs each with its own.
    const call = client[method].bind(client) as (b: object, o: typeof IDEM) => Promise<unknown>;
    await expect(call(body, IDEM)).resolves.toEqual({ item: { id: 'r1', ...body }, status: 201, replayed: false });
    expect(calls()[0]?.headers).toMatchObject({ 'X-Idempotency-Key': IDEM.idempotencyKey });
  });

  it.each(['Idempotent-Replayed', 'Idempotency-Replayed'])('detects a replay from %s: true', async (header) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { success: true, item: { id: 'n1' } }, { headers: { [header]: 'true' } });
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { success: true, item: { id: 'n1' } }, { headers: { [header]: 'false' } });
    await expect(client.createNote({ prospectId: 'p1', body: 'x' }, IDEM)).resolves.toMatchObject({ replayed: true });
    await expect(client.createNote({ prospectId: 'p1', body: 'x' }, IDEM)).resolves.toMatchObject({ replayed: false });
  });

  it('reads a repeated replay header', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { item: { id: 'n1' } }, { headers: { 'idempotent-replayed': ['true', 'true'] } });
    await expect(client.createNote({ prospectId: 'p1', body: 'x' }, IDEM)).resolves.toMatchObject({ replayed: true });
  });

  it.each([
    ['missing', undefined],
    ['empty', { idempotencyKey: '' }],
    ['blank', { idempotencyKey: '   ' }],
    ['too long', { idempotencyKey: 'k'.repeat(513) }],
    ['not ASCII', { idempotencyKey: 'clé\n' }],
  ])('refuses a write whose idempotency key is %s, sending nothing', async (_label, options) => {
    const { client, calls, keys } = setup();
    // Deliberately breaks the WriteOptions contract, as untyped callers could.
    const write = client.createNote.bind(client) as (body: object, options: unknown) => Promise<unknown>;
    await expect(write({ prospectId: 'p1', body: 'x' }, options)).rejects.toThrow(TypeError);
    await expect(write({ prospectId: 'p1', body: 'x' }, options)).rejects.toThrow(/POST \/notes: options\.idempotencyKey.*nothing was sent/);
    expect(calls()).toHaveLength(0);
    expect(keys.getApiKey).not.toHaveBeenCalled();
  });

  it('accepts a key of exactly 512 characters', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { item: { id: 'n1' } }, json);
    await expect(client.createNote({ prospectId: 'p1', body: 'x' }, { idempotencyKey: 'k'.repeat(512) })).resolves.toMatchObject({
      item: { id: 'n1' },
    });
  });
});

describe('unexpected 2xx bodies', () => {
  it.each([
    [{ success: true, item: { id: 42 } }, 'item.id: expected string, got number'],
    [{ success: true, item: { noteId: 'n1' } }, 'item.id: expected string, got undefined'],
    [{ success: true, id: 'n1' }, 'item: expected object, got undefined'],
    [[{ id: 'n1' }], 'body: expected object, got array'],
  ])('a malformed envelope is a RejectedError naming the field (%j)', async (reply, field) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, reply, json);
    const error = await client.createNote({ prospectId: 'p1', body: 'x' }, IDEM).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RejectedError);
    expect(error).toMatchObject({
      name: 'HiringCenter.Rejected',
      status: 201,
      message: `HiringCenter returned an unexpected response for POST /notes: ${field}`,
    });
  });

  it('a non-JSON 2xx is a RejectedError', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/tasks', method: 'POST' }).reply(200, '<html>OK</html>');
    await expect(client.createTask({ prospectId: 'p', assignedTo: 'u', task: 't' }, IDEM)).rejects.toThrow(
      'HiringCenter returned an unexpected response for POST /tasks: body: expected JSON, got non-JSON text',
    );
  });
});

describe('options', () => {
  it('reports each response to onResponse without query, bodies or headers, and ignores hook failures', async () => {
    const events: ResponseEvent[] = [];
    const { pool, client } = setup({
      onResponse: (event) => {
        events.push(event);
        throw new Error('hook broke');
      },
    });
    pool.intercept({ path: '/v2/prospects?email=a%40b.c', method: 'GET' }).reply(200, { items: [] }, json);
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { item: { id: 'n1' } }, { headers: { 'idempotent-replayed': 'true' } });
    await client.listProspects({ email: 'a@b.c' });
    await client.createNote({ prospectId: 'p1', body: 'x' }, IDEM);
    expect(events).toEqual([
      { method: 'GET', path: '/prospects', status: 200, durationMs: expect.any(Number), replayed: false },
      { method: 'POST', path: '/notes', status: 201, durationMs: expect.any(Number), replayed: true },
    ]);
    expect(Object.keys(events[0] ?? {}).sort()).toEqual(['durationMs', 'method', 'path', 'replayed', 'status']);
  });

  it('passes the headers and body timeouts on every request (defaults 10000 ms, overridable)', async () => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    agents.push(agent);
    agent.get(ORIGIN).intercept({ path: '/v2/auth', method: 'GET' }).reply(200, { item: {} }).times(2);
    const seen: Dispatcher.DispatchOptions[] = [];
    // A minimal recording dispatcher: only `dispatch` is used by the client.
    const recorder = {
      dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
        seen.push(opts);
        return agent.dispatch(opts, handler);
      },
    } as unknown as Dispatcher;
    const keys = { getApiKey: async () => KEY, refreshApiKey: async () => KEY };
    await new HiringCenterClient({ baseUrl: `${ORIGIN}/v2`, keys, dispatcher: recorder }).verifyAuth();
    await new HiringCenterClient({ baseUrl: `${ORIGIN}/v2`, keys, dispatcher: recorder, timeouts: { headersMs: 300, bodyMs: 400 } }).verifyAuth();
    expect(seen.map((o) => [o.headersTimeout, o.bodyTimeout])).toEqual([
      [10_000, 10_000],
      [300, 400],
    ]);
  });

  it('validates its options', () => {
    const keys = { getApiKey: async () => KEY, refreshApiKey: async () => KEY };
    expect(() => new HiringCenterClient({ baseUrl: 'api.hiringcenterpro.com', keys })).toThrow(TypeError);
    expect(() => new HiringCenterClient({ baseUrl: 'ftp://x/v2', keys })).toThrow(TypeError);
    expect(() => new HiringCenterClient({ baseUrl: 'https://x/v2?key=1', keys })).toThrow(TypeError);
    expect(() => new HiringCenterClient({ baseUrl: 'https://x/v2', keys, timeouts: { connectMs: 0 } })).toThrow(RangeError);
    expect(() => new HiringCenterClient({ baseUrl: 'https://x/v2', keys, timeouts: { headersMs: 1.5 } })).toThrow(RangeError);
  });
});
