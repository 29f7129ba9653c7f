// Argument checks that run before anything is sent: a refused call never reaches the network or the key provider.
import type { ActivityQuery, ProspectQuery, WriteOptions } from './schemas.ts';

export const MAX_IDEMPOTENCY_KEY_LENGTH = 512;
export const MAX_LABELS_PER_QUERY = 10;

/** Visible ASCII plus space: anything else is refused by undici as a header value or would be mangled. */
export const HEADER_SAFE = /^[\x20-\x7e]+$/;

export function checkIdempotencyKey(options: WriteOptions | undefined, where: string): string {
  const key: unknown = options?.idempotencyKey;
  if (typeof key !== 'string' || key.trim() === '') {
    throw new TypeError(`${where}: options.idempotencyKey is required for writes; nothing was sent`);
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new TypeError(
      `${where}: options.idempotencyKey is ${key.length} characters, the API allows at most ${MAX_IDEMPOTENCY_KEY_LENGTH}; nothing was sent`,
    );
  }
  if (!HEADER_SAFE.test(key)) {
    throw new TypeError(`${where}: options.idempotencyKey must be printable ASCII; nothing was sent`);
  }
  return key;
}

const QUERY_FILTERS = ['email', 'phone', 'name', 'title', 'company', 'stage'] as const;

/** `?email=...&label=a&label=b&limit=5`; throws before anything is sent when a filter is out of range. */
export function prospectQueryString(query: ProspectQuery): string {
  const parts: string[] = [];
  const add = (name: string, value: string): void => {
    parts.push(`${name}=${encodeURIComponent(value)}`);
  };
  for (const name of QUERY_FILTERS) {
    const value: unknown = query[name];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new TypeError(`listProspects: ${name} must be a string`);
    add(name, value);
  }
  const labels: unknown = typeof query.label === 'string' ? [query.label] : (query.label ?? []);
  if (!Array.isArray(labels)) throw new TypeError('listProspects: label must be a string or an array of strings');
  if (labels.length > MAX_LABELS_PER_QUERY) {
    throw new RangeError(
      `listProspects: at most ${MAX_LABELS_PER_QUERY} labels per request (got ${labels.length}); nothing was sent`,
    );
  }
  for (const label of labels) {
    if (typeof label !== 'string' || label === '') throw new TypeError('listProspects: every label must be a non-empty string');
    add('label', label);
  }
  if (query.limit !== undefined && query.limit !== null) {
    if (!Number.isInteger(query.limit) || query.limit < 1) {
      throw new RangeError(`listProspects: limit must be a positive integer (got ${String(query.limit)})`);
    }
    add('limit', String(query.limit));
  }
  if (query.pageToken !== undefined && query.pageToken !== null && query.pageToken !== '') {
    if (typeof query.pageToken !== 'string') throw new TypeError('listProspects: pageToken must be a string');
    add('pageToken', query.pageToken);
  }
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** `?prospectId=...&dueAfter=...`: strings and whole numbers only, so a caller's mistake fails before anything is sent. */
export function activityQueryString(route: string, query: ActivityQuery): string {
  if (typeof query.prospectId !== 'string' || query.prospectId === '') throw new TypeError(`GET ${route}: prospectId is required`);
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    if (typeof value === 'number' ? !Number.isSafeInteger(value) || value < 0 : typeof value !== 'string') {
      throw new TypeError(`GET ${route}: ${name} must be a string or a whole number`);
    }
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return `?${parts.join('&')}`;
}
