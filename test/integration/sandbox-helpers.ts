/** Shared client helpers for the sandbox integration tests (real loopback HTTP through undici). */
import { Agent, request } from 'undici';
import type { Sandbox } from '../../dev/sandbox/index.ts';

export interface CallOptions {
  body?: unknown;
  /** Raw body text, sent as is (for malformed JSON tests). */
  rawBody?: string;
  idem?: string;
  /** Authorization header value; null = no header; default 'Bearer <sandbox key>'. */
  auth?: string | null;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
}

export function createClient(sandbox: () => Sandbox): {
  agent: Agent;
  call: (method: string, path: string, options?: CallOptions) => Promise<CallResult>;
} {
  const agent = new Agent({ keepAliveTimeout: 2000, connections: 16 });
  async function call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const sb = sandbox();
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.auth !== null) headers.authorization = options.auth ?? `Bearer ${sb.apiKey}`;
    if (options.idem !== undefined) headers['x-idempotency-key'] = options.idem;
    let body: string | undefined = options.rawBody;
    if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const url = path.startsWith('/__sandbox') || path.startsWith('/v') ? sb.origin + path : sb.url + path;
    const res = await request(url, {
      method: method as 'GET',
      headers,
      body,
      dispatcher: agent,
      ...(options.timeoutMs !== undefined ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
    });
    const text = await res.body.text();
    const flat: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) flat[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: res.statusCode, headers: flat, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }
  return { agent, call };
}

export const USER_ID = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';

export const jordan = {
  firstName: 'Jordan',
  lastName: 'Miller',
  email: 'jordan.miller@example.com',
  phone: '+15551234567',
  labels: ['Quickstart', 'Inbound'],
};

export function meetingFor(prospectId: string): Record<string, unknown> {
  return {
    prospectId,
    meetingDate: 1760100000000,
    timeZone: 'America/New_York',
    meetingType: 'virtual',
    ownerId: USER_ID,
    location: 'Zoom',
    notes: 'Intro call and role overview',
  };
}

export function item(result: CallResult): Record<string, unknown> {
  return result.json.item as Record<string, unknown>;
}
