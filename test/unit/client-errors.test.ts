// HTTP and transport failures → the named errors of lib/errors.ts, against undici's MockAgent (tests only).
import { MockAgent } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConflictError,
  InFlightError,
  RateLimitedError,
  RejectedError,
  UnauthorizedError,
  UnavailableError,
  type WorkflowError,
} from '../../lib/errors.ts';
import { HiringCenterClient, classifyConflict, summarizeErrorBody } from '../../lib/hiringcenter/index.ts';

const ORIGIN = 'http://hc.test';
const KEY = 'hc_live_SECRETKEY_0123456789';
const FRESH_KEY = 'hc_live_ROTATEDKEY_9876543210';
const IDEM = { idempotencyKey: 'exec-1:note' };
const NOTE = { prospectId: 'p1', body: '<p>Call jordan.miller@example.com on +15551234567</p>' };
const PII = ['jordan.miller@example.com', '+15551234567'];

const agents: MockAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((agent) => agent.close()));
});

function setup(refreshTo: string = FRESH_KEY) {
  const agent = new MockAgent({ enableCallHistory: true });
  agent.disableNetConnect();
  agents.push(agent);
  const pool = agent.get(ORIGIN);
  const keys = { getApiKey: vi.fn(async () => KEY), refreshApiKey: vi.fn(async () => refreshTo) };
  const client = new HiringCenterClient({ baseUrl: `${ORIGIN}/v2`, keys, dispatcher: agent });
  const calls = () => agent.getCallHistory()?.calls() ?? [];
  return { pool, keys, client, calls };
}

async function failure(promise: Promise<unknown>): Promise<WorkflowError> {
  try {
    await promise;
  } catch (error) {
    return error as WorkflowError;
  }
  throw new Error('expected a rejection');
}

function expectNoSecrets(error: Error): void {
  for (const text of [error.message, String(error), JSON.stringify(error)]) {
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(FRESH_KEY);
    for (const value of PII) expect(text).not.toContain(value);
  }
}

describe('401/403: one refresh, one retry', () => {
  it.each([401, 403])('%i → refresh → success, same idempotency key and body', async (status) => {
    const { pool, keys, client, calls } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(status, { error: 'Unauthorized', message: 'Invalid API key' });
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(201, { success: true, item: { id: 'n1' } });
    await expect(client.createNote(NOTE, IDEM)).resolves.toMatchObject({ item: { id: 'n1' }, status: 201 });
    expect(keys.refreshApiKey).toHaveBeenCalledTimes(1);
    const [first, second] = calls();
    expect(first?.headers).toMatchObject({ Authorization: `Bearer ${KEY}`, 'X-Idempotency-Key': IDEM.idempotencyKey });
    expect(second?.headers).toMatchObject({ Authorization: `Bearer ${FRESH_KEY}`, 'X-Idempotency-Key': IDEM.idempotencyKey });
    expect(second?.body).toBe(first?.body);
  });

  it('401 twice → UnauthorizedError that says what to check, without the key', async () => {
    const { pool, keys, client, calls } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(401, { message: `Invalid API key ${KEY}` });
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(401, { message: `Invalid API key ${FRESH_KEY}`, code: 'invalid_key' });
    const error = await failure(client.createNote(NOTE, IDEM));
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.name).toBe('HiringCenter.Unauthorized');
    expect(error.message).toMatch(/POST \/notes \(401\).*Invalid API key \[redacted\].*Check the API key in the secret/);
    expectNoSecrets(error);
    expect(keys.refreshApiKey).toHaveBeenCalledTimes(1);
    expect(calls()).toHaveLength(2);
  });

  it('a 403 after refresh is Unauthorized too; GETs are retried the same way', async () => {
    const { pool, keys, client } = setup(KEY);
    pool.intercept({ path: '/v2/auth', method: 'GET' }).reply(401, 'Unauthorized');
    pool.intercept({ path: '/v2/auth', method: 'GET' }).reply(403, { error: 'Forbidden', message: 'Key lacks permission' });
    const error = await failure(client.verifyAuth());
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error.message).toContain('GET /auth (403)');
    expect(error.message).toContain('Key lacks permission');
    expect(keys.refreshApiKey).toHaveBeenCalledTimes(1);
  });

  it('a key provider that fails is Unavailable; an empty key is Unauthorized; nothing is sent', async () => {
    const { client, keys, calls } = setup();
    keys.getApiKey.mockRejectedValueOnce(new Error('Secrets Manager throttled'));
    const down = await failure(client.verifyAuth());
    expect(down).toBeInstanceOf(UnavailableError);
    expect(down.message).toBe('GET /auth: could not read the HiringCenter API key: Secrets Manager throttled');
    keys.getApiKey.mockResolvedValueOnce('  ');
    expect(await failure(client.verifyAuth())).toBeInstanceOf(UnauthorizedError);
    expect(calls()).toHaveLength(0);
  });
});

describe('429 → RateLimitedError', () => {
  const NOW = Date.now();
  it.each([
    ['Retry-After delta seconds', { 'retry-after': '30' }, {}, 30],
    ['Retry-After HTTP date', { 'retry-after': new Date(NOW + 120_000).toUTCString() }, {}, 120],
    ['body retryAfter', {}, { retryAfter: 45 }, 45],
    ['epoch RateLimit-Reset', { 'ratelimit-reset': String(Math.floor(NOW / 1000) + 600) }, {}, 600],
    ['delta RateLimit-Reset', { 'ratelimit-reset': '15' }, {}, 15],
    ['nothing', {}, {}, 1],
    ['a huge Retry-After', { 'retry-after': '999999' }, {}, 3600],
  ])('reads %s', async (label, headers, body, expected) => {
    const { pool, client } = setup();
    pool
      .intercept({ path: '/v2/tasks', method: 'POST' })
      .reply(429, { error: 'Too many requests', message: 'Minute limit exceeded. Please try again later.', ...body }, { headers });
    const error = await failure(client.createTask({ prospectId: 'p', assignedTo: 'u', task: 't' }, IDEM));
    expect(error).toBeInstanceOf(RateLimitedError);
    const seconds = (error as RateLimitedError).retryAfterSeconds;
    // Dates and epochs have one-second resolution and the clock moves on while the tests run.
    expect(Math.abs(seconds - expected)).toBeLessThanOrEqual(/date|epoch/i.test(label) ? 1 : 0);
    // The state machine waits until `until` (whole seconds, never before the slot); the step re-sends at `slotAt`.
    const carried = JSON.parse(error.message) as { retryAfterSeconds: number; until: string; slotAt: number; message: string };
    expect(carried).toEqual({ retryAfterSeconds: seconds, until: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), slotAt: expect.any(Number), generation: 0, message: expect.stringContaining('Minute limit exceeded') });
    expect(Math.abs(carried.slotAt - (Date.now() + seconds * 1000))).toBeLessThan(2_000);
    expect(Date.parse(carried.until)).toBeGreaterThanOrEqual(carried.slotAt);
    expect(Date.parse(carried.until) - carried.slotAt).toBeLessThan(1_000);
  });
});

describe('409 → InFlight or Conflict', () => {
  it.each([
    [{ code: 'idempotency_request_in_progress', message: 'A request with this key is being processed' }, InFlightError],
    [{ code: 'idempotency_key_reused', message: 'Key reused with a different payload' }, ConflictError],
    [{ error: 'Conflict', message: 'Request with this idempotency key is still in progress' }, InFlightError],
    [{ error: 'Conflict', message: 'Idempotency key was used with a different request body' }, ConflictError],
    [{ error: { code: 'IDEMPOTENCY_MISMATCH', message: 'Payload mismatch' } }, ConflictError],
    [{ error: 'Conflict', message: 'Something conflicted' }, InFlightError],
    ['Conflict', InFlightError],
    ['', InFlightError],
  ])('%j', async (body, expected) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/meetings', method: 'POST' }).reply(409, body);
    const error = await failure(
      client.createMeeting({ prospectId: 'p', meetingDate: 1, timeZone: 'UTC', meetingType: 'phone', ownerId: 'u' }, IDEM),
    );
    expect(error).toBeInstanceOf(expected);
    expect(error.message).toMatch(/^POST \/meetings: .*\(409/);
  });

  it('the code wins over contradicting words', () => {
    expect(classifyConflict({ body: {}, code: 'idempotency_key_reused', message: 'still in progress' })).toBe('mismatch');
    expect(classifyConflict({ body: {}, code: 'idempotency_request_in_progress', message: 'different payload' })).toBe('inFlight');
  });
});

describe('other statuses', () => {
  it('400 with field details → RejectedError naming the field', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(400, {
      success: false,
      error: 'Bad Request',
      message: 'Validation failed',
      details: [{ field: 'prospectId', message: 'is required' }],
    });
    const error = await failure(client.createNote(NOTE, IDEM));
    expect(error).toBeInstanceOf(RejectedError);
    expect(error).toMatchObject({ status: 400, name: 'HiringCenter.Rejected' });
    expect(error.message).toBe('HiringCenter rejected POST /notes (400): Validation failed (details: prospectId: is required)');
    expectNoSecrets(error);
  });

  it.each([
    [404, { error: 'Not Found', message: 'Prospect not found' }, 'HiringCenter rejected POST /notes (404): Prospect not found'],
    [422, { message: 'Unprocessable', details: { timeZone: ['is not an IANA zone'] } }, '(422): Unprocessable (details: timeZone: is not an IANA zone)'],
    [400, '<html><body><h1>400 Bad Request</h1></body></html>', '(400): 400 Bad Request'],
    [413, '', '(413): no error message'],
  ])('%i → RejectedError', async (status, body, message) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(status, body);
    const error = await failure(client.createNote(NOTE, IDEM));
    expect(error).toBeInstanceOf(RejectedError);
    expect((error as RejectedError).status).toBe(status);
    expect(error.message).toContain(message);
  });

  it.each([500, 502, 503, 504, 408])('%i → UnavailableError', async (status) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).reply(status, '<html><h1>Bad Gateway</h1></html>');
    const error = await failure(client.createNote(NOTE, IDEM));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe(`POST /notes: HiringCenter returned ${status}: Bad Gateway`);
  });

  it('keeps the query string (emails, phones) out of messages', async () => {
    const { pool, client } = setup();
    pool.intercept({ path: (p) => p.startsWith('/v2/prospects'), method: 'GET' }).reply(500, { message: 'boom' });
    const error = await failure(client.listProspects({ email: PII[0], phone: PII[1] }));
    expect(error.message).toBe('GET /prospects: HiringCenter returned 500: boom');
  });
});

describe('transport failures → UnavailableError', () => {
  it.each([
    ['ECONNRESET', 'socket hang up', 'POST /notes: connection reset (ECONNRESET)'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'POST /notes: connection refused (ECONNREFUSED)'],
    ['UND_ERR_SOCKET', 'other side closed', 'POST /notes: socket closed before the response completed (other side closed)'],
    ['UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error', 'POST /notes: connect timeout after 3000 ms'],
    ['UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error', 'POST /notes: headers timeout after 10000 ms'],
    ['UND_ERR_BODY_TIMEOUT', 'Body Timeout Error', 'POST /notes: body timeout after 10000 ms'],
    ['EWHATEVER', `weird failure with Bearer ${KEY}`, 'POST /notes: EWHATEVER: weird failure with Bearer [redacted]'],
  ])('%s', async (code, text, message) => {
    const { pool, client } = setup();
    pool.intercept({ path: '/v2/notes', method: 'POST' }).replyWithError(Object.assign(new Error(text), { code }));
    const error = await failure(client.createNote(NOTE, IDEM));
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error.message).toBe(message);
    expectNoSecrets(error);
  });
});

it('undici refusing the request itself is a TypeError (a bug, not an outage)', async () => {
  const { pool, client } = setup();
  pool.intercept({ path: '/v2/notes', method: 'POST' }).replyWithError(Object.assign(new Error('invalid header'), { code: 'UND_ERR_INVALID_ARG' }));
  const error = await failure(client.createNote(NOTE, IDEM));
  expect(error).toBeInstanceOf(TypeError);
  expect(error.message).toBe('POST /notes: invalid request: invalid header');
});

describe('no secret or request body in any message', () => {
  it('redacts keys the API echoes, for every status', async () => {
    for (const status of [400, 404, 409, 422, 429, 500, 503]) {
      const { pool, client } = setup();
      pool
        .intercept({ path: '/v2/notes', method: 'POST' })
        .reply(status, { message: `bad key ${KEY}; header was Authorization: Bearer ${KEY}`, details: [{ field: 'key', message: KEY }] });
      const error = await failure(client.createNote(NOTE, IDEM));
      expect(error.name).toMatch(/^HiringCenter\./);
      expect(error.message).toContain('[redacted]');
      expectNoSecrets(error);
      if (error instanceof RateLimitedError) expect(error.detail).not.toContain(KEY);
    }
  });

  it('summarizeErrorBody tolerates any body', () => {
    expect(summarizeErrorBody('not json')).toEqual({ body: undefined, message: 'not json' });
    expect(summarizeErrorBody('null')).toEqual({ body: null });
    expect(summarizeErrorBody('{"error":{"code":"E1","message":"nested","details":["a","b"]}}')).toMatchObject({
      code: 'E1',
      message: 'nested',
      details: 'a; b',
    });
    expect(summarizeErrorBody('x'.repeat(5000)).message?.length).toBeLessThanOrEqual(200);
  });
});
