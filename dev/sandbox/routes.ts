/** The /v2 route table and its handlers. Handlers are synchronous: all waiting (faults, latency) is done before. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { HttpError, type ApiResponse } from './http.ts';
import { listMeetings, listNotes, listProspects, listTasks } from './lists.ts';
import type { SandboxStore, WriteContext } from './store.ts';
import { validateMeeting, validateNote, validateProspect, validateTask } from './validation.ts';

export interface AuthInfo {
  accountId: string;
  apiKeyId: string;
  name: string;
  permissions: string[];
  active: true;
}

export const PERMISSIONS = [
  'prospects:read',
  'prospects:write',
  'notes:read',
  'notes:write',
  'tasks:read',
  'tasks:write',
  'meetings:read',
  'meetings:write',
];

export interface RouteContext {
  store: SandboxStore;
  auth: AuthInfo;
  query: URLSearchParams;
  id: string | undefined;
  body: Record<string, unknown> | undefined;
}

export interface Route {
  method: 'GET' | 'POST';
  /** e.g. '/prospects/{id}', used in stats.byRoute */
  template: string;
  pattern: RegExp;
  handle(ctx: RouteContext): ApiResponse;
}

const hash = (text: string): string => createHash('sha256').update(text).digest('hex');

export class Authenticator {
  private readonly keyHash: Buffer;
  readonly info: AuthInfo;

  constructor(apiKey: string) {
    this.keyHash = createHash('sha256').update(apiKey).digest();
    this.info = {
      accountId: hash(`account:${apiKey}`).slice(0, 32),
      apiKeyId: hash(`key:${apiKey}`).slice(0, 32),
      name: 'Sandbox API key',
      permissions: [...PERMISSIONS],
      active: true,
    };
  }

  /** 401 with a message that says what is wrong, never echoing the header. */
  authenticate(header: string | undefined): AuthInfo {
    const headers = { 'WWW-Authenticate': 'Bearer realm="HiringCenter API"' };
    if (header === undefined || header.trim() === '') {
      throw new HttpError(401, 'Missing Authorization header. Send "Authorization: Bearer <API key>".', { headers });
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header.trim());
    if (m === null) {
      const message = 'Malformed Authorization header: expected the Bearer scheme with an API key.';
      throw new HttpError(401, message, { headers });
    }
    const given = createHash('sha256')
      .update(m[1] ?? '')
      .digest();
    if (!timingSafeEqual(given, this.keyHash)) {
      throw new HttpError(401, 'Invalid API key.', { headers });
    }
    return this.info;
  }
}

const writeContext = (auth: AuthInfo): WriteContext => ({ apiKeyId: auth.apiKeyId, apiKeyName: auth.name });
const created = (item: unknown): ApiResponse => ({ status: 201, body: { success: true, item } });
const ok = (item: unknown): ApiResponse => ({ status: 200, body: { success: true, item } });
const body = (ctx: RouteContext): Record<string, unknown> => ctx.body ?? {};

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/auth',
    pattern: /^\/auth$/,
    handle: (ctx) => ok(ctx.auth),
  },
  {
    method: 'GET',
    template: '/prospects',
    pattern: /^\/prospects$/,
    handle: (ctx) => listProspects(ctx.store, ctx.query),
  },
  {
    method: 'POST',
    template: '/prospects',
    pattern: /^\/prospects$/,
    handle: (ctx) => {
      const result = ctx.store.upsertProspect(validateProspect(body(ctx)));
      const response: Record<string, unknown> = { success: true, item: result.item };
      if (result.warning !== undefined) response.message = result.warning;
      return { status: result.status, body: response };
    },
  },
  {
    method: 'GET',
    template: '/prospects/{id}',
    pattern: /^\/prospects\/([^/]+)$/,
    handle: (ctx) => ok(found(ctx.store.prospects.get(ctx.id ?? ''), 'Prospect')),
  },
  {
    method: 'GET',
    template: '/notes',
    pattern: /^\/notes$/,
    handle: (ctx) => listNotes(ctx.store, ctx.query),
  },
  {
    method: 'POST',
    template: '/notes',
    pattern: /^\/notes$/,
    handle: (ctx) => created(ctx.store.createNote(validateNote(body(ctx)), writeContext(ctx.auth))),
  },
  {
    method: 'GET',
    template: '/notes/{id}',
    pattern: /^\/notes\/([^/]+)$/,
    handle: (ctx) => ok(found(ctx.store.notes.get(ctx.id ?? ''), 'Note')),
  },
  {
    method: 'GET',
    template: '/tasks',
    pattern: /^\/tasks$/,
    handle: (ctx) => listTasks(ctx.store, ctx.query),
  },
  {
    method: 'POST',
    template: '/tasks',
    pattern: /^\/tasks$/,
    handle: (ctx) => created(ctx.store.createTask(validateTask(body(ctx)), writeContext(ctx.auth))),
  },
  {
    method: 'GET',
    template: '/meetings',
    pattern: /^\/meetings$/,
    handle: (ctx) => listMeetings(ctx.store, ctx.query),
  },
  {
    method: 'POST',
    template: '/meetings',
    pattern: /^\/meetings$/,
    handle: (ctx) => created(ctx.store.createMeeting(validateMeeting(body(ctx)), writeContext(ctx.auth))),
  },
];

function found<T>(record: T | undefined, what: string): T {
  if (record === undefined) throw new HttpError(404, `${what} not found.`);
  return structuredClone(record);
}

/** The route for a path relative to /v2, or 404 / 405 (with Allow). */
export function matchRoute(method: string, path: string): { route: Route; id: string | undefined } {
  const candidates = ROUTES.map((route) => ({ route, m: route.pattern.exec(path) })).filter((c) => c.m !== null);
  if (candidates.length === 0) {
    throw new HttpError(404, 'No such API route. See the HiringCenter API v2 reference for the available routes.');
  }
  const hit = candidates.find((c) => c.route.method === method);
  if (hit === undefined) {
    const allow = candidates.map((c) => c.route.method).join(', ');
    throw new HttpError(405, `Method ${method} is not allowed here; allowed: ${allow}.`, { headers: { Allow: allow } });
  }
  const raw = hit.m?.[1];
  let id: string | undefined;
  if (raw !== undefined) {
    try {
      id = decodeURIComponent(raw);
    } catch {
      throw new HttpError(404, 'Malformed id in path.');
    }
  }
  return { route: hit.route, id };
}
