/**
 * One API request, in order: auth → rate limit → route → fault → body → idempotency → (delay) → handler → commit →
 * respond (or destroy the socket for resetAfterCommit).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FAULT_KINDS, normalizeApiPath, type FaultInjector, type ResolvedFault } from './faults.ts';
import { canonicalJson, errorResponse, HttpError, parseJsonObject, readBody, type ApiResponse } from './http.ts';
import { fingerprint, IdempotencyStore, readIdempotencyKey, REPLAY_HEADER, IDEMPOTENCY_HEADER } from './idempotency.ts';
import { tooManyRequests, type RateLimiter } from './rate-limit.ts';
import { matchRoute, type Authenticator } from './routes.ts';
import type { SandboxStore } from './store.ts';
import type { AccessLogEntry, FaultKind, SandboxStats } from './types.ts';

type Outcome =
  | { kind: 'respond'; response: ApiResponse; bodyText?: string; replayed?: boolean }
  | { kind: 'reset' }
  | { kind: 'abandon' };

export interface PipelineDeps {
  store: SandboxStore;
  idempotency: IdempotencyStore;
  limiter: RateLimiter;
  faults: FaultInjector;
  auth: Authenticator;
  latencyMs: number;
  onResponse: ((entry: AccessLogEntry) => void) | undefined;
}

export function emptyStats(): SandboxStats {
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return { requests: 0, byRoute: {}, faults, replays: 0, conflicts: 0, inFlightConflicts: 0, rateLimited: 0 };
}

export class Pipeline {
  stats: SandboxStats = emptyStats();
  private readonly deps: PipelineDeps;
  private readonly sleepers = new Set<{ timer: NodeJS.Timeout; resolve: (completed: boolean) => void }>();
  private generation = 0;
  private closed = false;

  constructor(deps: PipelineDeps) {
    this.deps = deps;
  }

  /** Wakes every delayed request as aborted: on close they are dropped, on reset they are dropped too. */
  abortWaits(): void {
    for (const s of this.sleepers) {
      clearTimeout(s.timer);
      s.resolve(false);
    }
    this.sleepers.clear();
  }

  reset(): void {
    this.generation += 1;
    this.abortWaits();
    this.stats = emptyStats();
  }

  close(): void {
    this.closed = true;
    this.abortWaits();
  }

  /** Resolves true after `ms`, false when aborted by close() or reset(). */
  private sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!this.closed);
    return new Promise((resolve) => {
      const sleeper = {
        timer: setTimeout(() => {
          this.sleepers.delete(sleeper);
          resolve(true);
        }, ms),
        resolve,
      };
      this.sleepers.add(sleeper);
    });
  }

  /** Holds a request until its client disconnects, then `afterMs` more; `ms` when the client never disconnects. */
  private async hangPastDisconnect(req: IncomingMessage, ms: number, afterMs: number): Promise<boolean> {
    let onClose: (() => void) | undefined;
    const disconnected = new Promise<'disconnected'>((resolve) => {
      onClose = () => resolve('disconnected');
      if (req.socket.destroyed) onClose();
      else req.socket.once('close', onClose);
    });
    const first = await Promise.race([this.sleep(ms), disconnected]);
    if (onClose) req.socket.off('close', onClose);
    return first === 'disconnected' ? this.sleep(afterMs) : first;
  }

  async handle(req: IncomingMessage, res: ServerResponse, pathname: string, query: URLSearchParams): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    this.stats.requests += 1;
    const headers: Record<string, string> = {};
    let fault: ResolvedFault | undefined;
    let outcome: Outcome;
    try {
      const delayed = await this.sleep(this.deps.latencyMs);
      outcome = delayed
        ? await this.process(req, method, normalizeApiPath(pathname), query, headers, (f) => (fault = f))
        : { kind: 'abandon' };
    } catch (error) {
      outcome = { kind: 'respond', response: errorResponse(toHttpError(error)) };
    }
    const entry: AccessLogEntry = { method, path: pathname, status: 'reset', ms: 0, replayed: false };
    const faultKind = (fault as ResolvedFault | undefined)?.kind;
    if (faultKind !== undefined) entry.fault = faultKind;
    if (outcome.kind === 'respond') {
      const { response } = outcome;
      send(res, response, outcome.bodyText ?? JSON.stringify(response.body), {
        ...headers,
        ...response.headers,
        ...(outcome.replayed === true ? { [REPLAY_HEADER]: 'true' } : {}),
      });
      entry.status = response.status;
      entry.replayed = outcome.replayed === true;
    } else {
      req.socket.destroy();
    }
    entry.ms = Math.round((performance.now() - started) * 10) / 10;
    try {
      this.deps.onResponse?.(entry);
    } catch {
      // A failing logger must not break the connection of an already answered request.
    }
  }

  private async process(
    req: IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    rateHeaders: Record<string, string>,
    reportFault: (fault: ResolvedFault) => void,
  ): Promise<Outcome> {
    const { store, idempotency, limiter, faults, auth: authenticator } = this.deps;
    const generation = this.generation;
    const auth = authenticator.authenticate(req.headers.authorization);
    const rate = limiter.hit(auth.apiKeyId);
    Object.assign(rateHeaders, rate.headers);
    if (rate.response !== undefined) {
      this.stats.rateLimited += 1;
      return { kind: 'respond', response: rate.response };
    }
    const { route, id } = matchRoute(method, path);
    const routeKey = `${method} ${route.template}`;
    this.stats.byRoute[routeKey] = (this.stats.byRoute[routeKey] ?? 0) + 1;

    const fault = faults.next(method, path);
    if (fault !== undefined) {
      if (fault.kind !== 'reject') this.stats.faults[fault.kind] += 1;
      reportFault(fault);
      if (fault.kind === 'reject') throw new HttpError(fault.status, fault.message);
      if (fault.kind === 'rateLimit') {
        return { kind: 'respond', response: tooManyRequests('Minute', fault.retryAfterSeconds, limiter.perMinute) };
      }
      if (fault.kind === 'serverError') {
        throw new HttpError(fault.status, 'Simulated server error (sandbox fault injection). Nothing was written.');
      }
    }
    const delayMs = fault?.kind === 'hang' || fault?.kind === 'latency' ? fault.ms : 0;
    const delay = () => (fault?.kind === 'hang' && fault.afterDisconnectMs !== undefined ? this.hangPastDisconnect(req, fault.ms, fault.afterDisconnectMs) : this.sleep(delayMs));

    let body: Record<string, unknown> | undefined;
    let scope: string | undefined;
    let payload = '';
    if (method === 'POST') {
      body = parseJsonObject(req, await readBody(req));
      const key = readIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
      if (key !== undefined) {
        scope = IdempotencyStore.scope(auth.apiKeyId, method, path, key);
        payload = fingerprint(canonicalJson(body));
        const begun = idempotency.begin(scope, payload);
        if (begun.kind === 'mismatch') {
          this.stats.conflicts += 1;
          throw new HttpError(409, 'This X-Idempotency-Key was already used with a different request payload.', {
            code: 'idempotency_key_reused',
          });
        }
        if (begun.kind === 'inFlight') {
          this.stats.inFlightConflicts += 1;
          throw new HttpError(409, 'A request with this X-Idempotency-Key is still being processed. Retry later.', {
            code: 'idempotency_request_in_progress',
          });
        }
        if (begun.kind === 'replay') {
          this.stats.replays += 1;
          if (!(await delay()) || generation !== this.generation) return { kind: 'abandon' };
          if (fault?.kind === 'resetAfterCommit') return { kind: 'reset' };
          const { status, bodyText } = begun.response;
          return { kind: 'respond', response: { status, body: JSON.parse(bodyText) }, bodyText, replayed: true };
        }
      }
    }

    try {
      if (!(await delay()) || generation !== this.generation) return { kind: 'abandon' };
      let response: ApiResponse;
      try {
        response = route.handle({ store, auth, query, id, body });
      } catch (error) {
        response = errorResponse(toHttpError(error));
      }
      const bodyText = JSON.stringify(response.body);
      if (scope !== undefined) {
        idempotency.finish(scope, payload, { status: response.status, bodyText });
        scope = undefined;
      }
      if (fault?.kind === 'resetAfterCommit') return { kind: 'reset' };
      return { kind: 'respond', response, bodyText };
    } finally {
      // Aborted before commit: the key is free again (reset() has cleared it anyway).
      if (scope !== undefined && generation === this.generation) idempotency.release(scope);
    }
  }
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  return new HttpError(500, 'Internal sandbox error.');
}

export function send(
  res: ServerResponse,
  response: ApiResponse,
  bodyText: string,
  headers: Record<string, string>,
): void {
  if (res.destroyed || res.writableEnded || res.socket === null || res.socket.destroyed) return;
  res.on('error', () => undefined);
  res.writeHead(response.status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(bodyText),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(bodyText);
}
