/**
 * X-Idempotency-Key store. A key is scoped by API key + method + path + key. Only 2xx results are stored; a request
 * that fails before commit releases the key so that a retry runs afresh.
 */
import { createHash } from 'node:crypto';
import { HttpError } from './http.ts';

export const IDEMPOTENCY_HEADER = 'x-idempotency-key';
export const REPLAY_HEADER = 'Idempotent-Replayed';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 512;
/** Retention of completed keys (guess: the docs do not show a TTL). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  bodyText: string;
}

type Entry =
  | { state: 'inflight'; fingerprint: string }
  | { state: 'done'; fingerprint: string; response: StoredResponse; expiresAt: number };

export type Begin =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'inFlight' };

/** The header value, undefined when absent; 400 when empty or longer than 512 characters. */
export function readIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header.join(', ') : header;
  if (value.length === 0 || value.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new HttpError(400, `X-Idempotency-Key must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters.`, {
      details: [{ field: 'X-Idempotency-Key', message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters` }],
    });
  }
  return value;
}

export function fingerprint(canonicalBody: string): string {
  return createHash('sha256').update(canonicalBody).digest('hex');
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private writes = 0;

  constructor(now: () => number) {
    this.now = now;
  }

  static scope(apiKeyId: string, method: string, path: string, key: string): string {
    return JSON.stringify([apiKeyId, method, path, key]);
  }

  /** Looks the key up; when it is unused, marks it in flight for this payload. */
  begin(scope: string, payloadFingerprint: string): Begin {
    const entry = this.entries.get(scope);
    if (entry !== undefined && entry.state === 'done' && entry.expiresAt <= this.now()) {
      this.entries.delete(scope);
    } else if (entry !== undefined) {
      // A different payload is reported as a reuse even while the first is in flight: retrying cannot help it.
      if (entry.fingerprint !== payloadFingerprint) return { kind: 'mismatch' };
      if (entry.state === 'inflight') return { kind: 'inFlight' };
      return { kind: 'replay', response: entry.response };
    }
    this.entries.set(scope, { state: 'inflight', fingerprint: payloadFingerprint });
    return { kind: 'new' };
  }

  /** Stores a 2xx result for replay; anything else frees the key. */
  finish(scope: string, payloadFingerprint: string, response: StoredResponse): void {
    if (response.status < 200 || response.status > 299) {
      this.release(scope);
      return;
    }
    this.entries.set(scope, {
      state: 'done',
      fingerprint: payloadFingerprint,
      response,
      expiresAt: this.now() + IDEMPOTENCY_TTL_MS,
    });
    if (++this.writes % 1000 === 0) this.sweep();
  }

  release(scope: string): void {
    if (this.entries.get(scope)?.state === 'inflight') this.entries.delete(scope);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [scope, entry] of this.entries) {
      if (entry.state === 'done' && entry.expiresAt <= now) this.entries.delete(scope);
    }
  }
}
