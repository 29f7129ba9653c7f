// The HiringCenter REST API v2 client. One request per call, except one retry after a 401/403 with a freshly read
// key; every other retry belongs to the state machine (ARCHITECTURE.md §1), driven by the named errors thrown here.
import type { Dispatcher } from 'undici';
import type * as z from 'zod/mini';
import { RejectedError, UnauthorizedError, UnavailableError, isWorkflowError } from '../errors.ts';
import type { ApiKeyProvider } from '../secrets/types.ts';
import { redactSecrets } from '../redaction.ts';
import { DEFAULT_TIMEOUTS, getSharedAgent, sendRequest } from './agent.ts';
import {
  describeIssues,
  errorFromResponse,
  errorFromTransport,
  unauthorizedError,
  type RequestContext,
  type Timeouts,
} from './errors.ts';
import { HEADER_SAFE, activityQueryString, checkIdempotencyKey, prospectQueryString } from './request-checks.ts';
import { getHeader, type HeaderBag } from './rate-limit.ts';
import {
  AuthResponseSchema,
  ItemEnvelopeSchema,
  ListEnvelopeSchema,
  type ApiRecord,
  type ActivityQuery,
  type AuthInfo,
  type CreateMeetingRequest,
  type CreateNoteRequest,
  type CreateTaskRequest,
  type Meeting,
  type Note,
  type Page,
  type Prospect,
  type ProspectQuery,
  type Task,
  type UpsertProspectRequest,
  type UpsertResult,
  type WriteOptions,
  type WriteResult,
} from './schemas.ts';

/** Passed to `onResponse` once per HTTP response (a 401 followed by a retry gives two). No bodies, no headers. */
export interface ResponseEvent {
  method: string;
  /** Route without base path or query string, e.g. `/prospects`. */
  path: string;
  status: number;
  durationMs: number;
  replayed: boolean;
}

export interface HiringCenterClientOptions {
  /** e.g. https://api.hiringcenterpro.com/v2 or http://127.0.0.1:4010/v2 (trailing slash tolerated). */
  baseUrl: string;
  keys: ApiKeyProvider;
  /** Tests pass a MockAgent; by default the process-wide keep-alive Agent. */
  dispatcher?: Dispatcher;
  /** Defaults: connect 3000 ms, headers 10000 ms, body 10000 ms. */
  timeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Default 'hiringcenter-workflows/0.1'. */
  userAgent?: string;
  /** Observability hook; exceptions it throws are ignored. */
  onResponse?: (event: ResponseEvent) => void;
}

export const DEFAULT_USER_AGENT = 'hiringcenter-workflows/0.1';
const TRUE = /^\s*(true|1)\s*$/i;

interface Call {
  method: 'GET' | 'POST';
  route: string;
  query?: string;
  body?: unknown;
  idempotencyKey?: string;
}

interface Reply {
  status: number;
  headers: HeaderBag;
  text: string;
  replayed: boolean;
}

export class HiringCenterClient {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #keys: ApiKeyProvider;
  readonly #dispatcher: Dispatcher | undefined;
  readonly #timeouts: Timeouts;
  readonly #userAgent: string;
  readonly #onResponse: ((event: ResponseEvent) => void) | undefined;

  constructor(options: HiringCenterClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new TypeError('HiringCenterClient: baseUrl must be an absolute http(s) URL such as https://api.hiringcenterpro.com/v2');
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '') {
      throw new TypeError('HiringCenterClient: baseUrl must be an http(s) URL without credentials, query or fragment');
    }
    if (typeof options.keys?.getApiKey !== 'function' || typeof options.keys.refreshApiKey !== 'function') {
      throw new TypeError('HiringCenterClient: keys must be an ApiKeyProvider (getApiKey and refreshApiKey)');
    }
    this.#origin = url.origin;
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#keys = options.keys;
    this.#dispatcher = options.dispatcher;
    this.#timeouts = {
      connectMs: timeout(options.timeouts?.connectMs, DEFAULT_TIMEOUTS.connectMs, 'connectMs'),
      headersMs: timeout(options.timeouts?.headersMs, DEFAULT_TIMEOUTS.headersMs, 'headersMs'),
      bodyMs: timeout(options.timeouts?.bodyMs, DEFAULT_TIMEOUTS.bodyMs, 'bodyMs'),
    };
    this.#userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
    if (!HEADER_SAFE.test(this.#userAgent)) throw new TypeError('HiringCenterClient: userAgent must be printable ASCII');
    this.#onResponse = options.onResponse;
  }

  /** `GET /auth`: the key's metadata (accountId, permissions, active). For setup and `doctor`, not per request. */
  async verifyAuth(): Promise<AuthInfo> {
    const call: Call = { method: 'GET', route: '/auth' };
    const reply = await this.#execute(call);
    const envelope = this.#parse(AuthResponseSchema, reply, call);
    const raw: Record<string, unknown> = envelope.item ?? envelope;
    const info: AuthInfo = { ...raw };
    delete info.accountId;
    delete info.active;
    if (typeof raw.accountId === 'string') info.accountId = raw.accountId;
    const active = raw.active ?? raw.isActive;
    if (typeof active === 'boolean') info.active = active;
    else if (typeof raw.status === 'string') info.active = raw.status.toLowerCase() === 'active';
    return info;
  }

  /** `GET /prospects`: one page. Loop on `nextPageToken` (with a page cap) to read more. */
  async listProspects(query: ProspectQuery = {}): Promise<Page<Prospect>> {
    return this.#list<Prospect>({ method: 'GET', route: '/prospects', query: prospectQueryString(query) });
  }

  /** `GET /notes` of one prospect: one page, newest first. */
  async listNotes(query: ActivityQuery): Promise<Page<Note>> {
    return this.#list<Note>({ method: 'GET', route: '/notes', query: activityQueryString('/notes', query) });
  }

  /** `GET /tasks` of one prospect: one page, by due date. */
  async listTasks(query: ActivityQuery): Promise<Page<Task>> {
    return this.#list<Task>({ method: 'GET', route: '/tasks', query: activityQueryString('/tasks', query) });
  }

  /** `GET /meetings` of one prospect: one page, latest meeting first. */
  async listMeetings(query: ActivityQuery): Promise<Page<Meeting>> {
    return this.#list<Meeting>({ method: 'GET', route: '/meetings', query: activityQueryString('/meetings', query) });
  }

  async #list<T extends ApiRecord>(call: Call): Promise<Page<T>> {
    const reply = await this.#execute(call);
    const envelope = this.#parse(ListEnvelopeSchema, reply, call);
    const page: Page<T> = { items: envelope.items as T[] };
    const nextPageToken = envelope.pagination?.nextPageToken ?? envelope.nextPageToken;
    const totalCount = envelope.pagination?.totalCount ?? envelope.totalCount;
    if (typeof nextPageToken === 'string' && nextPageToken !== '') page.nextPageToken = nextPageToken;
    if (typeof totalCount === 'number') page.totalCount = totalCount;
    return page;
  }

  /** `POST /prospects`: create, or update the prospect matched by email or phone. */
  async upsertProspect(body: UpsertProspectRequest, options: WriteOptions): Promise<UpsertResult> {
    const { result, envelope } = await this.#write<Prospect>('/prospects', body, options);
    const upsert: UpsertResult = { ...result, created: result.status === 201 };
    const warning = nonEmpty(envelope.message) ?? nonEmpty(result.item.message);
    if (warning !== undefined) upsert.warning = warning;
    return upsert;
  }

  /** `POST /notes`. */
  async createNote(body: CreateNoteRequest, options: WriteOptions): Promise<WriteResult<Note>> {
    return (await this.#write<Note>('/notes', body, options)).result;
  }

  /** `POST /tasks`. */
  async createTask(body: CreateTaskRequest, options: WriteOptions): Promise<WriteResult<Task>> {
    return (await this.#write<Task>('/tasks', body, options)).result;
  }

  /** `POST /meetings`. */
  async createMeeting(body: CreateMeetingRequest, options: WriteOptions): Promise<WriteResult<Meeting>> {
    return (await this.#write<Meeting>('/meetings', body, options)).result;
  }

  async #write<T extends ApiRecord>(
    route: string,
    body: object,
    options: WriteOptions,
  ): Promise<{ result: WriteResult<T>; envelope: Record<string, unknown> }> {
    const where = `POST ${route}`;
    const idempotencyKey = checkIdempotencyKey(options, where);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new TypeError(`${where}: the request body must be an object; nothing was sent`);
    }
    const call: Call = { method: 'POST', route, body, idempotencyKey };
    const reply = await this.#execute(call);
    const envelope = this.#parse(ItemEnvelopeSchema, reply, call);
    // Only `id` is validated (schemas.ts); the record interfaces document the rest.
    const result: WriteResult<T> = { item: envelope.item as T, status: reply.status, replayed: reply.replayed };
    return { result, envelope };
  }

  async #execute(call: Call): Promise<Reply> {
    const secrets: string[] = [];
    const context: RequestContext = { method: call.method, route: call.route, secrets };
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    let reply = await this.#send(call, payload, await this.#readKey(context, secrets, false), context);
    if (reply.status === 401 || reply.status === 403) {
      reply = await this.#send(call, payload, await this.#readKey(context, secrets, true), context);
      if (reply.status === 401 || reply.status === 403) throw unauthorizedError(context, reply.status, reply.text);
    }
    if (reply.status < 200 || reply.status > 299) throw errorFromResponse(context, reply);
    return reply;
  }

  async #readKey(context: RequestContext, secrets: string[], refresh: boolean): Promise<string> {
    const where = `${context.method} ${context.route}`;
    let raw: unknown;
    try {
      raw = refresh ? await this.#keys.refreshApiKey() : await this.#keys.getApiKey();
    } catch (error) {
      if (isWorkflowError(error)) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(
        redactSecrets(`${where}: could not ${refresh ? 're-read' : 'read'} the HiringCenter API key: ${reason}`, secrets),
        { cause: error },
      );
    }
    const key = typeof raw === 'string' ? raw.trim() : '';
    if (key !== '') secrets.push(key);
    if (key === '' || !HEADER_SAFE.test(key)) {
      throw new UnauthorizedError(
        `${where}: the HiringCenter API key is empty or contains characters not allowed in a header. ` +
          'Check the API key in the secret (HIRINGCENTER_SECRET_ID) or HIRINGCENTER_API_KEY.',
      );
    }
    return key;
  }

  async #send(call: Call, payload: string | undefined, key: string, context: RequestContext): Promise<Reply> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${key}`,
      'User-Agent': this.#userAgent,
    };
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['X-Idempotency-Key'] = call.idempotencyKey;
    const started = performance.now();
    let reply: Reply;
    try {
      const response = await sendRequest(this.#dispatcher ?? getSharedAgent(this.#timeouts.connectMs), {
        origin: this.#origin,
        path: `${this.#basePath}${call.route}${call.query ?? ''}`,
        method: call.method,
        headers,
        body: payload,
        headersTimeout: this.#timeouts.headersMs,
        bodyTimeout: this.#timeouts.bodyMs,
      });
      const text = await response.body.text();
      reply = { status: response.statusCode, headers: response.headers, text, replayed: isReplayed(response.headers) };
    } catch (error) {
      throw errorFromTransport(context, error, this.#timeouts);
    }
    if (this.#onResponse !== undefined) {
      const durationMs = Math.round((performance.now() - started) * 10) / 10;
      try {
        this.#onResponse({ method: call.method, path: call.route, status: reply.status, durationMs, replayed: reply.replayed });
      } catch {
        // Observability must never change the outcome of a write.
      }
    }
    return reply;
  }

  /**
   * A 2xx that does not match the contract is a `RejectedError` carrying the 2xx status: retrying cannot help (a
   * replay returns the same bytes), so failing fast with the offending field named beats a retry loop.
   */
  #parse<S extends z.ZodMiniType>(schema: S, reply: Reply, call: Call): z.output<S> {
    const what = `HiringCenter returned an unexpected response for ${call.method} ${call.route}`;
    let data: unknown;
    try {
      data = JSON.parse(reply.text);
    } catch {
      const got = reply.text.trim() === '' ? 'an empty body' : 'non-JSON text';
      throw new RejectedError(reply.status, `${what}: body: expected JSON, got ${got}`);
    }
    const result = schema.safeParse(data);
    if (!result.success) throw new RejectedError(reply.status, `${what}: ${describeIssues(result.error.issues, data)}`);
    return result.data;
  }
}

function timeout(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`HiringCenterClient: timeouts.${name} must be a positive integer (ms)`);
  }
  return value;
}

function isReplayed(headers: HeaderBag): boolean {
  const value = getHeader(headers, 'idempotent-replayed') ?? getHeader(headers, 'idempotency-replayed');
  return value !== undefined && value.split(',').some((part) => TRUE.test(part));
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
