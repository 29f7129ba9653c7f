/** The HTTP server: lifecycle, socket tracking, /__sandbox inspection routes, and the public Sandbox object. */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultInjector } from './faults.ts';
import { errorResponse, HttpError } from './http.ts';
import { IdempotencyStore } from './idempotency.ts';
import { Pipeline, send } from './pipeline.ts';
import { DEFAULT_RATE_LIMITS, RateLimiter } from './rate-limit.ts';
import { Authenticator } from './routes.ts';
import { SandboxStore } from './store.ts';
import type { Sandbox, SandboxOptions } from './types.ts';

export const API_PREFIX = '/v2';
export const INSPECTION_PREFIX = '/__sandbox';

export function generateApiKey(): string {
  return `hc_sandbox_${randomBytes(16).toString('hex')}`;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey ?? generateApiKey();
  if (apiKey.trim() === '' || /\s/.test(apiKey)) throw new RangeError('apiKey must be a non-empty string without spaces');
  const latencyMs = options.latencyMs ?? 0;
  if (!(Number.isFinite(latencyMs) && latencyMs >= 0)) throw new RangeError('latencyMs must be >= 0');
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');

  const store = new SandboxStore(now);
  const idempotency = new IdempotencyStore(now);
  const limiter = new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS, now);
  const faults = new FaultInjector(seed, options.faults);
  const pipeline = new Pipeline({
    store,
    idempotency,
    limiter,
    faults,
    auth: new Authenticator(apiKey),
    latencyMs,
    onResponse: options.onResponse,
  });
  const inspection = options.inspection ?? true;

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void route(req, res).catch(() => {
      const response = errorResponse(new HttpError(500, 'Internal sandbox error.'));
      if (!res.headersSent) send(res, response, JSON.stringify(response.body), { Connection: 'close' });
      else req.socket.destroy();
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
      await pipeline.handle(req, res, path, url.searchParams);
      return;
    }
    let response: { status: number; body: unknown };
    if (inspection && (path === INSPECTION_PREFIX || path.startsWith(`${INSPECTION_PREFIX}/`))) {
      response = inspect(req.method ?? 'GET', path);
    } else {
      response = errorResponse(new HttpError(404, `Not found. The HiringCenter API is served under ${API_PREFIX}.`));
    }
    send(res, response, JSON.stringify(response.body), {});
  }

  function inspect(method: string, path: string): { status: number; body: unknown } {
    const p = path.endsWith('/') ? path.slice(0, -1) : path;
    const known = p === `${INSPECTION_PREFIX}/records` || p === `${INSPECTION_PREFIX}/stats`;
    if (!known) {
      return errorResponse(new HttpError(404, 'Unknown inspection route; use /__sandbox/records or /__sandbox/stats.'));
    }
    if (method !== 'GET') return errorResponse(new HttpError(405, 'Inspection routes are read-only (GET).'));
    if (p.endsWith('/stats')) return { status: 200, body: sandbox.stats() };
    return { status: 200, body: { ...store.snapshot(), counts: store.counts() } };
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox: unexpected server address');
  const port = address.port;
  const origin = `http://${urlHost(host)}:${port}`;

  let closing: Promise<void> | undefined;
  const sandbox: Sandbox = {
    url: `${origin}${API_PREFIX}`,
    origin,
    port,
    apiKey,
    records: () => store.snapshot(),
    counts: () => store.counts(),
    injectFaults: (list, match) => faults.inject(list, match),
    setRandomFaults: (config) => faults.setRandom(config),
    startOutage: (match, kind = 503) => faults.startOutage(kind, match),
    endOutages: () => faults.endOutages(),
    stats: () => structuredClone(pipeline.stats),
    reset: () => {
      store.clear();
      idempotency.clear();
      limiter.clear();
      faults.reset();
      pipeline.reset();
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        pipeline.close();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return sandbox;
}

/** The host as it goes into a URL: wildcard binds are reached through loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
