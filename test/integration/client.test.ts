// The client over real loopback sockets against the sandbox (dev/sandbox), with the shared keep-alive Agent.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  InFlightError,
  RateLimitedError,
  RejectedError,
  UnauthorizedError,
  UnavailableError,
} from '../../lib/errors.ts';
import {
  HiringCenterClient,
  closeSharedAgents,
  type CreateNoteRequest,
  type HiringCenterClientOptions,
} from '../../lib/hiringcenter/index.ts';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';

let sandbox: Sandbox;
let keyCounter = 0;
const nextKey = (step: string): { idempotencyKey: string } => ({ idempotencyKey: `it-${++keyCounter}:${step}` });

beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'hc_sandbox_integration_key_0123456789' });
});

beforeEach(() => {
  sandbox.reset();
});

afterAll(async () => {
  await closeSharedAgents();
  await sandbox?.close();
});

function client(options: Partial<HiringCenterClientOptions> = {}): HiringCenterClient {
  const keys = { getApiKey: async () => sandbox.apiKey, refreshApiKey: async () => sandbox.apiKey };
  return new HiringCenterClient({ baseUrl: sandbox.url, keys, ...options });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).not.toContain(sandbox.apiKey);
    return error as Error;
  }
  throw new Error('expected a rejection');
}

async function prospectId(api: HiringCenterClient): Promise<string> {
  const { item } = await api.upsertProspect(
    { firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', phone: '+15551234567', labels: ['Quickstart', 'Inbound'] },
    nextKey('prospect'),
  );
  return item.id;
}

const note = (id: string, body = '<p>Spoke with prospect.</p>'): CreateNoteRequest => ({ prospectId: id, body, pin: true });

describe('happy paths', () => {
  it('GET /auth', async () => {
    await expect(client().verifyAuth()).resolves.toMatchObject({ accountId: expect.any(String), active: true });
  });

  it('the quickstart: upsert, list, note, task, meeting', async () => {
    const api = client();
    const created = await api.upsertProspect(
      { firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', phone: '+15551234567', labels: ['Quickstart', 'Inbound'] },
      nextKey('prospect'),
    );
    expect(created).toMatchObject({ status: 201, created: true, replayed: false, item: { firstName: 'Jordan' } });
    expect(created.warning).toBeUndefined();
    const id = created.item.id;

    const page = await api.listProspects({ email: 'jordan.miller@example.com', label: ['Inbound', 'Nope'], limit: 5 });
    expect(page.items.map((p) => p.id)).toEqual([id]);
    await expect(api.listProspects({ label: ['Nope'] })).resolves.toMatchObject({ items: [] });

    const updated = await api.upsertProspect({ firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', title: 'Broker' }, nextKey('prospect'));
    expect(updated).toMatchObject({ status: 200, created: false, item: { id, title: 'Broker' } });

    const n = await api.createNote(note(id), nextKey('note'));
    const t = await api.createTask({ prospectId: id, assignedTo: 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33', task: 'Follow up', dueAt: 1760000000000 }, nextKey('task'));
    const m = await api.createMeeting(
      {
        prospectId: id,
        meetingDate: 1760100000000,
        timeZone: 'America/New_York',
        meetingType: 'virtual',
        ownerId: 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33',
        location: 'Zoom',
        notes: 'Intro call',
      },
      nextKey('meeting'),
    );
    for (const result of [n, t, m]) expect(result).toMatchObject({ status: 201, replayed: false, item: { id: expect.any(String) } });
    expect(sandbox.counts()).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
  });

  it('passes the invalid-phone warning back', async () => {
    const result = await client().upsertProspect({ firstName: 'A', lastName: 'B', email: 'a.b@example.com', phone: 'call me' }, nextKey('prospect'));
    expect(result.warning).toEqual(expect.any(String));
  });
});

describe('authentication', () => {
  it('401 → refresh → success with the fresh key', async () => {
    const keys = { getApiKey: vi.fn(async () => 'hc_stale_key'), refreshApiKey: vi.fn(async () => sandbox.apiKey) };
    const api = new HiringCenterClient({ baseUrl: sandbox.url, keys });
    await expect(api.verifyAuth()).resolves.toMatchObject({ active: true });
    expect(keys.refreshApiKey).toHaveBeenCalledTimes(1);
  });

  it('a wrong key both times → UnauthorizedError, nothing written', async () => {
    const keys = { getApiKey: vi.fn(async () => 'hc_wrong_key_1'), refreshApiKey: vi.fn(async () => 'hc_wrong_key_2') };
    const api = new HiringCenterClient({ baseUrl: sandbox.url, keys });
    const error = await failure(api.upsertProspect({ firstName: 'A', lastName: 'B' }, nextKey('prospect')));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toMatch(/POST \/prospects \(401\).*Invalid API key.*Check the API key/);
    expect(error.message).not.toMatch(/hc_wrong_key/);
    expect(keys.refreshApiKey).toHaveBeenCalledTimes(1);
    expect(sandbox.counts().prospects).toBe(0);
  });
});

describe('rejections', () => {
  it('validation 400 → RejectedError naming the field', async () => {
    const id = await prospectId(client());
    // `task` left out on purpose: the API, not the type checker, must refuse it here.
    const body = { prospectId: id, assignedTo: 'u1' } as unknown as Parameters<HiringCenterClient['createTask']>[0];
    const error = await failure(client().createTask(body, nextKey('task')));
    expect(error).toBeInstanceOf(RejectedError);
    expect((error as RejectedError).status).toBe(400);
    expect(error.message).toMatch(/^HiringCenter rejected POST \/tasks \(400\): .*task/);
  });

  it('unknown prospect → 404 RejectedError', async () => {
    const error = await failure(client().createNote(note('0'.repeat(32)), nextKey('note')));
    expect(error).toBeInstanceOf(RejectedError);
    expect((error as RejectedError).status).toBe(404);
    expect(error.message).toContain('prospectId');
  });
});

describe('idempotency', () => {
  it('the same key replays: same id, replayed: true, one record', async () => {
    const api = client();
    const id = await prospectId(api);
    const key = nextKey('note');
    const first = await api.createNote(note(id), key);
    const second = await api.createNote(note(id), key);
    expect(second).toMatchObject({ replayed: true, status: first.status, item: { id: first.item.id } });
    expect(sandbox.counts().notes).toBe(1);
  });

  it('the same key with another payload → ConflictError', async () => {
    const api = client();
    const id = await prospectId(api);
    const key = nextKey('note');
    await api.createNote(note(id), key);
    const error = await failure(api.createNote(note(id, '<p>Something else</p>'), key));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toContain('idempotency_key_reused');
  });
});

describe('faults', () => {
  it('a hang beyond the headers timeout → Unavailable, then InFlight, then a replay of the one record', async () => {
    const api = client({ timeouts: { headersMs: 300 } });
    const id = await prospectId(api);
    const key = nextKey('note');
    // undici checks the headers timeout on a ~0.5 s tick, so 300 ms fires within ~1 s: well before the hang ends.
    sandbox.injectFaults([{ kind: 'hang', ms: 2000 }], { method: 'POST', path: '/notes' });
    const timedOut = await failure(api.createNote(note(id), key));
    expect(timedOut).toBeInstanceOf(UnavailableError);
    expect(timedOut.message).toBe('POST /notes: headers timeout after 300 ms');

    // While the sandbox still holds the first request, the same key is in flight; poll until it has committed.
    const inFlight = await failure(api.createNote(note(id), key));
    expect(inFlight).toBeInstanceOf(InFlightError);
    const deadline = Date.now() + 5000;
    while (sandbox.counts().notes === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const replay = await api.createNote(note(id), key);
    expect(replay.replayed).toBe(true);
    expect(sandbox.counts().notes).toBe(1);
    expect(sandbox.records().notes[0]?.id).toBe(replay.item.id);
  });

  it('a reset after commit → Unavailable; the retry with the same key returns the same record', async () => {
    const api = client();
    const id = await prospectId(api);
    const key = nextKey('meeting');
    const body = { prospectId: id, meetingDate: 1760100000000, timeZone: 'America/New_York', meetingType: 'phone', ownerId: 'u1' };
    sandbox.injectFaults([{ kind: 'resetAfterCommit' }], { method: 'POST', path: '/meetings' });
    const error = await failure(api.createMeeting(body, key));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(/^POST \/meetings: /);
    const retry = await api.createMeeting(body, key);
    expect(retry).toMatchObject({ replayed: true, item: { id: sandbox.records().meetings[0]?.id } });
    expect(sandbox.counts().meetings).toBe(1);
  });

  it('429 → RateLimitedError with the injected Retry-After; nothing written', async () => {
    const api = client();
    sandbox.injectFaults([{ kind: 'rateLimit', retryAfterSeconds: 7 }], { method: 'POST', path: '/prospects' });
    const error = await failure(api.upsertProspect({ firstName: 'A', lastName: 'B' }, nextKey('prospect')));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(7);
    expect(JSON.parse(error.message)).toMatchObject({ retryAfterSeconds: 7 });
    expect(sandbox.counts().prospects).toBe(0);
  });

  it.each([500, 502, 503] as const)('%i → UnavailableError, nothing written, the retry writes once', async (status) => {
    const api = client();
    const id = await prospectId(api);
    const key = nextKey('task');
    const body = { prospectId: id, assignedTo: 'u1', task: 'Call back' };
    sandbox.injectFaults([{ kind: 'serverError', status }], { method: 'POST', path: '/tasks' });
    const error = await failure(api.createTask(body, key));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toMatch(new RegExp(`^POST /tasks: HiringCenter returned ${status}`));
    expect(sandbox.counts().tasks).toBe(0);
    await expect(api.createTask(body, key)).resolves.toMatchObject({ status: 201, replayed: false });
    expect(sandbox.counts().tasks).toBe(1);
  });
});
