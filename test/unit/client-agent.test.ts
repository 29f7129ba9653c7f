// The shared keep-alive Agent, on a loopback node:http server (no sandbox needed).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Dispatcher } from 'undici';
import DeepAgent from 'undici/lib/dispatcher/agent.js';
import deepRequest from 'undici/lib/api/api-request.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../lib/errors.ts';
import { HiringCenterClient, closeSharedAgents } from '../../lib/hiringcenter/index.ts';

const keys = { getApiKey: async () => 'k_agent_test', refreshApiKey: async () => 'k_agent_test' };

let server: Server;
let baseUrl: string;
const connections: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/hang/')) return; // never answers: exercises the headers timeout
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ success: true, item: { accountId: 'acc' } }));
  });
  server.on('connection', () => connections.push(Date.now()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});

afterAll(async () => {
  await closeSharedAgents();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('undici internals', () => {
  it('the deep imports are the classes behind the public entry point', () => {
    expect(DeepAgent).toBe(Agent);
    expect(deepRequest).toBe(Dispatcher.prototype.request);
  });
});

describe('shared Agent', () => {
  it('is shared by clients and keeps the connection alive', async () => {
    connections.length = 0;
    const a = new HiringCenterClient({ baseUrl, keys });
    const b = new HiringCenterClient({ baseUrl: `${baseUrl}/`, keys });
    // undici frees a socket for reuse one event-loop turn after the body ends; real callers (one request per
    // Lambda step) always leave that turn, a tight await chain does not and would open a second socket.
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    await a.verifyAuth();
    await turn();
    await b.verifyAuth();
    await turn();
    await a.verifyAuth();
    expect(connections).toHaveLength(1);
  });

  it('a client with its own connect timeout gets its own Agent', async () => {
    connections.length = 0;
    await new HiringCenterClient({ baseUrl, keys, timeouts: { connectMs: 1234 } }).verifyAuth();
    expect(connections).toHaveLength(1);
  });

  it('a real headers timeout becomes UnavailableError naming method, path and timeout', async () => {
    const hanging = new HiringCenterClient({ baseUrl: baseUrl.replace(/\/v2$/, '/hang'), keys, timeouts: { headersMs: 150 } });
    const started = Date.now();
    const error = await hanging.verifyAuth().catch((e: unknown) => e);
    // undici checks headers/body timeouts on a ~0.5 s tick, so a 150 ms timeout fires within about a second.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('GET /auth: headers timeout after 150 ms');
  });

  it('a refused connection becomes UnavailableError', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await new HiringCenterClient({ baseUrl: `http://127.0.0.1:${port}/v2`, keys }).verifyAuth().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toBe('GET /auth: connection refused (ECONNREFUSED)');
  });
});
