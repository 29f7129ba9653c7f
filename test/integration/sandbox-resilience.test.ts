/** Idempotency, fault injection, rate limits and shutdown of the sandbox, over real loopback sockets. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandbox, type FaultKind, type Sandbox } from '../../dev/sandbox/index.ts';
import { createClient, item, jordan, meetingFor } from './sandbox-helpers.ts';

let sb: Sandbox;
const { agent, call } = createClient(() => sb);

beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb.close();
  await agent.close();
});
beforeEach(() => sb.reset());

async function prospectId(): Promise<string> {
  return item(await call('POST', '/prospects', { body: jordan })).id as string;
}

describe('sandbox: idempotency', () => {
  it('replays the first status and body for the same key and payload', async () => {
    const first = await call('POST', '/prospects', { body: jordan, idem: 'k-replay' });
    // Same payload with keys in another order is the same canonical payload.
    const reordered = Object.fromEntries(Object.entries(jordan).reverse());
    const second = await call('POST', '/prospects', { body: reordered, idem: 'k-replay' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.json).toEqual(first.json);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(sb.counts().prospects).toBe(1);
    expect(sb.stats().replays).toBe(1);
  });

  it('answers 409 idempotency_key_reused for the same key with another payload', async () => {
    await call('POST', '/prospects', { body: jordan, idem: 'k-mismatch' });
    const res = await call('POST', '/prospects', { body: { ...jordan, lastName: 'Other' }, idem: 'k-mismatch' });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ success: false, error: 'Conflict', code: 'idempotency_key_reused' });
    expect(sb.stats().conflicts).toBe(1);
  });

  it('scopes keys by path and refuses keys over 512 characters', async () => {
    const id = await prospectId();
    const note = await call('POST', '/notes', { body: { prospectId: id, body: 'x' }, idem: 'shared' });
    const task = await call('POST', '/tasks', { body: { prospectId: id, assignedTo: 'u', task: 't' }, idem: 'shared' });
    expect([note.status, task.status]).toEqual([201, 201]);
    const long = await call('POST', '/notes', { body: { prospectId: id, body: 'x' }, idem: 'k'.repeat(513) });
    expect(long.status).toBe(400);
    expect(long.json.details).toEqual([{ field: 'X-Idempotency-Key', message: expect.any(String) }]);
  });

  it('does not store failures: a key that failed validation can be used again', async () => {
    const bad = await call('POST', '/meetings', { body: { prospectId: 'nope' }, idem: 'k-retry' });
    expect(bad.status).toBe(400);
    const id = await prospectId();
    const good = await call('POST', '/meetings', { body: meetingFor(id), idem: 'k-retry' });
    expect(good.status).toBe(201);
  });

  it('answers 409 in progress while the first request hangs, then replays it', async () => {
    const id = await prospectId();
    sb.injectFaults([{ kind: 'hang', ms: 800 }], { method: 'POST', path: '/notes' });
    const body = { prospectId: id, body: '<p>hang</p>' };
    await expect(call('POST', '/notes', { body, idem: 'k-hang', timeoutMs: 150 })).rejects.toThrow();
    const during = await call('POST', '/notes', { body, idem: 'k-hang' });
    expect(during.status).toBe(409);
    expect(during.json.code).toBe('idempotency_request_in_progress');
    expect(sb.counts().notes).toBe(0);
    await expect.poll(() => sb.counts().notes, { timeout: 3000, interval: 25 }).toBe(1);
    const after = await call('POST', '/notes', { body, idem: 'k-hang' });
    expect(after.status).toBe(201);
    expect(after.headers['idempotent-replayed']).toBe('true');
    expect(item(after).id).toBe(sb.records().notes[0]?.id);
    expect(sb.stats()).toMatchObject({ inFlightConflicts: 1, replays: 1, faults: { hang: 1 } });
  });

  it('treats the key as in flight during a latency fault', async () => {
    sb.injectFaults([{ kind: 'latency', ms: 300 }]);
    // Whichever arrives first holds the key for 300 ms; the other is refused as in progress.
    const both = await Promise.all([
      call('POST', '/prospects', { body: jordan, idem: 'k-lat' }),
      call('POST', '/prospects', { body: jordan, idem: 'k-lat' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(both.find((r) => r.status === 409)?.json.code).toBe('idempotency_request_in_progress');
    expect(sb.counts().prospects).toBe(1);
  });
});

describe('sandbox: faults', () => {
  it('resetAfterCommit writes the record, drops the socket, and the retry gets the replay', async () => {
    sb.injectFaults([{ kind: 'resetAfterCommit' }], { method: 'POST', path: '/prospects' });
    await expect(call('POST', '/prospects', { body: jordan, idem: 'k-reset' })).rejects.toThrow();
    expect(sb.counts().prospects).toBe(1);
    const retry = await call('POST', '/prospects', { body: jordan, idem: 'k-reset' });
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(item(retry).id).toBe(sb.records().prospects[0]?.id);
    expect(sb.counts().prospects).toBe(1);
  });

  it('serves scripted faults in order, only to matching requests', async () => {
    sb.injectFaults([{ kind: 'serverError', status: 502 }, { kind: 'rateLimit', retryAfterSeconds: 7 }], {
      method: 'POST',
      path: '/prospects',
    });
    expect((await call('GET', '/auth')).status).toBe(200);
    const first = await call('POST', '/prospects', { body: jordan, idem: 'k-f' });
    expect(first.status).toBe(502);
    expect(first.json).toMatchObject({ success: false, error: 'Bad Gateway' });
    const second = await call('POST', '/prospects', { body: jordan, idem: 'k-f' });
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('7');
    expect(second.json).toEqual({
      error: 'Too many requests',
      message: 'Minute limit exceeded. Please try again later.',
      retryAfter: 7,
    });
    expect(sb.counts().prospects).toBe(0);
    const third = await call('POST', '/prospects', { body: jordan, idem: 'k-f' });
    expect(third.status).toBe(201);
    expect(third.headers['idempotent-replayed']).toBeUndefined();
    expect(sb.stats()).toMatchObject({ faults: { serverError: 1, rateLimit: 1 }, rateLimited: 0 });
  });

  it('draws the same random faults for the same seed, and other faults for another seed', async () => {
    async function sequence(seed: number): Promise<string[]> {
      const faulty = await startSandbox({
        seed,
        faults: { rate: 0.5, mix: { hang: 0, latency: 1 }, latencyMs: 1 },
        onResponse: () => undefined,
      });
      const seen: string[] = [];
      try {
        for (let i = 0; i < 24; i++) {
          const res = await fetch(`${faulty.url}/auth`, { headers: { authorization: `Bearer ${faulty.apiKey}` } }).then(
            (r) => `${r.status}`,
            () => 'reset',
          );
          seen.push(res);
        }
        const stats = faulty.stats();
        seen.push(JSON.stringify(stats.faults));
      } finally {
        await faulty.close();
      }
      return seen;
    }
    const a = await sequence(42);
    const b = await sequence(42);
    const c = await sequence(7);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    const faults = JSON.parse(a[a.length - 1] ?? '{}') as Record<FaultKind, number>;
    expect(Object.values(faults).reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(faults.hang).toBe(0);
  });
});

describe('sandbox: setRandomFaults and reset', () => {
  it('turns random faults on and off at runtime, and reset() clears queued faults and stats', async () => {
    sb.setRandomFaults({ rate: 1, mix: { serverError: 1, rateLimit: 0, resetAfterCommit: 0, hang: 0, latency: 0 } });
    expect((await call('GET', '/auth')).status).toBeGreaterThanOrEqual(500);
    sb.setRandomFaults(undefined);
    expect((await call('GET', '/auth')).status).toBe(200);
    sb.injectFaults([{ kind: 'serverError' }]);
    sb.reset();
    expect((await call('GET', '/auth')).status).toBe(200);
    expect(sb.stats()).toMatchObject({ requests: 1, faults: { serverError: 0 } });
  });
});

describe('sandbox: rate limits', () => {
  it('sends RateLimit-* headers and a 429 once the minute limit is used up', async () => {
    let now = Date.UTC(2030, 0, 1, 12, 0, 10);
    const limited = await startSandbox({ rateLimits: { perMinute: 3, perHour: 100 }, now: () => now });
    const get = (): Promise<Response> =>
      fetch(`${limited.url}/prospects`, { headers: { authorization: `Bearer ${limited.apiKey}` } });
    try {
      const first = await get();
      expect(first.headers.get('ratelimit-limit')).toBe('3');
      expect(first.headers.get('ratelimit-remaining')).toBe('2');
      expect(first.headers.get('ratelimit-reset')).toBe('50');
      await get();
      await get();
      const over = await get();
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('50');
      expect(over.headers.get('ratelimit-remaining')).toBe('0');
      expect(await over.json()).toEqual({
        error: 'Too many requests',
        message: 'Minute limit exceeded. Please try again later.',
        retryAfter: 50,
      });
      expect(limited.stats().rateLimited).toBe(1);
      now += 50_000;
      expect((await get()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('reports the hour window when it is the one exceeded', async () => {
    const now = Date.UTC(2030, 0, 1, 12, 59, 30);
    const limited = await startSandbox({ rateLimits: { perMinute: 10, perHour: 1 }, now: () => now });
    try {
      const auth = { authorization: `Bearer ${limited.apiKey}` };
      expect((await fetch(`${limited.url}/auth`, { headers: auth })).status).toBe(200);
      const over = await fetch(`${limited.url}/auth`, { headers: auth });
      expect(over.status).toBe(429);
      expect(over.headers.get('retry-after')).toBe('30');
      expect(((await over.json()) as { message: string }).message).toMatch(/^Hour limit exceeded/);
    } finally {
      await limited.close();
    }
  });
});

describe('sandbox: close', () => {
  it('resolves promptly while a request is hanging', async () => {
    const hanging = await startSandbox();
    hanging.injectFaults([{ kind: 'hang', ms: 60_000 }]);
    const pending = fetch(`${hanging.url}/auth`, { headers: { authorization: `Bearer ${hanging.apiKey}` } }).then(
      (r) => r.status,
      () => 'reset',
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await hanging.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe('reset');
  });
});
