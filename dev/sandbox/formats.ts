/** Value formats shared by body and query validation: dates, IANA zones, email, phone, labels. */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const EMAIL = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
const PHONE = /^\+?[1-9]\d{6,14}$/;
const MAX_EPOCH_MS = 8.64e15;

/** Epoch ms from an integer or an ISO 8601 string (no offset = UTC); undefined when neither. */
export function parseDateInput(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS ? value : undefined;
  }
  if (typeof value !== 'string') return undefined;
  const m = ISO_8601.exec(value.trim());
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) return undefined;
  let text = value.trim().replace(' ', 'T');
  if (h === undefined) text += 'T00:00:00Z';
  else if (offset === undefined) text += 'Z';
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

const zoneCache = new Map<string, boolean>();

/** A real IANA zone name (Intl's tz database; case-insensitive); UTC-offset strings such as '+01:00' are refused. */
export function isIanaTimeZone(value: string): boolean {
  const cached = zoneCache.get(value);
  if (cached !== undefined) return cached;
  let ok = /^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value) && value.length <= 64;
  if (ok) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
    } catch {
      ok = false;
    }
  }
  if (zoneCache.size < 10_000) zoneCache.set(value, ok);
  return ok;
}

export function isEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

/** The phone with spaces, dashes, dots and parentheses removed, or null when it is not E.164-like. */
export function normalizePhone(value: string): string | null {
  const stripped = value.replace(/[\s\-.()]/g, '');
  return PHONE.test(stripped) ? stripped : null;
}

/** Labels from an array of strings or a comma-separated string: trimmed, empties dropped, duplicates removed. */
export function parseLabels(value: unknown): string[] | undefined {
  let parts: unknown[];
  if (typeof value === 'string') parts = value.split(',');
  else if (Array.isArray(value)) parts = value;
  else return undefined;
  if (!parts.every((p) => typeof p === 'string')) return undefined;
  const seen = new Set<string>();
  for (const p of parts as string[]) {
    const label = p.trim();
    if (label !== '') seen.add(label);
  }
  return [...seen];
}
