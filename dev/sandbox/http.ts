import { STATUS_CODES, type IncomingMessage } from 'node:http';

export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface FieldDetail {
  field: string;
  message: string;
}

/** What a handler produces; the pipeline serialises it once, so a replay can return the very same bytes. */
export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Thrown anywhere in request handling; turned into the standard error body. */
export class HttpError extends Error {
  readonly status: number;
  readonly details: FieldDetail[] | undefined;
  readonly code: string | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(
    status: number,
    message: string,
    extra: { details?: FieldDetail[]; code?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.details = extra.details;
    this.code = extra.code;
    this.headers = extra.headers;
  }
}

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function errorResponse(error: HttpError): ApiResponse {
  const body: Record<string, unknown> = { success: false, error: reasonPhrase(error.status) };
  if (error.code !== undefined) body.code = error.code;
  body.message = error.message;
  if (error.details !== undefined && error.details.length > 0) body.details = error.details;
  const response: ApiResponse = { status: error.status, body };
  if (error.headers !== undefined) response.headers = error.headers;
  return response;
}

/** Reads the whole body, refusing more than `limit` bytes with 413. */
export function readBody(req: IncomingMessage, limit = BODY_LIMIT_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(tooLarge(limit, true));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      // Keep draining after the limit so that the 413 reaches a client that is still writing.
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(tooLarge(limit, false)) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
    // A client that goes away mid-body: settle instead of leaving the request pending (no-op after 'end').
    req.on('close', () => reject(new HttpError(400, 'Request body was not completed.')));
  });
}

function tooLarge(limit: number, closeConnection: boolean): HttpError {
  return new HttpError(413, `Request body exceeds the ${limit} byte limit.`, {
    headers: closeConnection ? { Connection: 'close' } : {},
  });
}

/** Parses a JSON object body; wrong content type → 415, malformed or non-object JSON → 400. */
export function parseJsonObject(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (contentType !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(contentType)) {
    throw new HttpError(415, 'Content-Type must be application/json.');
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'Request body is required and must be a JSON object.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'Request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Key-sorted JSON, so that two bodies that differ only in key order count as the same payload. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
