/**
 * Date and time-zone normalisation. The API accepts epoch ms or ISO 8601 everywhere; we always send epoch ms, the one
 * form every endpoint documents, so a retried step sends byte-identical payloads.
 */

/** ISO 8601 calendar date with optional time and optional offset. Also used as the JSON Schema `pattern`. */
export const ISO_DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch values below this (1973-03-03) are almost always epoch *seconds* pasted by mistake. */
const SMALLEST_PLAUSIBLE_EPOCH_MS = 100_000_000_000;
const LARGEST_EPOCH_MS = 8.64e15;

export type DateInput = number | string;

export class DateParseError extends Error {}

/**
 * Epoch ms for a date input. Strings without an offset are wall-clock times in `zoneForLocalTimes` (the meeting's
 * time zone; UTC elsewhere), which is what a person typing "2025-10-10T14:00" for a New York meeting means.
 */
export function toEpochMs(value: DateInput, zoneForLocalTimes = 'UTC'): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0 || value > LARGEST_EPOCH_MS) {
      throw new DateParseError('must be a whole number of epoch milliseconds or an ISO 8601 string');
    }
    if (value < SMALLEST_PLAUSIBLE_EPOCH_MS) {
      throw new DateParseError('looks like epoch seconds; send epoch milliseconds (multiply by 1000) or an ISO 8601 string');
    }
    return value;
  }
  const match = ISO_DATE_TIME_PATTERN.exec(value);
  if (!match) throw new DateParseError('must be an ISO 8601 date like 2025-10-10T14:00:00Z, or epoch milliseconds');
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0', offset] = match;
  const fields = [Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), Number(frac.padEnd(3, '0').slice(0, 3))] as const;
  const wallClockAsUtc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], fields[6]);
  const back = new Date(wallClockAsUtc);
  if (
    back.getUTCFullYear() !== fields[0] || back.getUTCMonth() !== fields[1] - 1 || back.getUTCDate() !== fields[2] ||
    back.getUTCHours() !== fields[3] || back.getUTCMinutes() !== fields[4] || back.getUTCSeconds() !== fields[5]
  ) {
    throw new DateParseError('is not a real calendar date or time');
  }
  if (offset !== undefined) return wallClockAsUtc - offsetMinutes(offset) * 60_000;
  // UTC has no offset at any instant; skipping the formatter spares a first call the ICU load (see canonicalTimeZone).
  if (zoneForLocalTimes === 'UTC') return wallClockAsUtc;
  return wallClockAsUtc - zoneOffsetMs(wallClockAsUtc, zoneForLocalTimes, true);
}

function offsetMinutes(offset: string): number {
  if (offset === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Offset of `zone` from UTC at instant `epochMs`; with `fromWallClock`, `epochMs` is a wall-clock time read as UTC. */
function zoneOffsetMs(epochMs: number, zone: string, fromWallClock: boolean): number {
  const offsetAt = (instant: number): number => {
    const parts: Record<string, number> = {};
    for (const part of formatterFor(zone).formatToParts(instant)) parts[part.type] = Number(part.value);
    const asUtc = Date.UTC(parts.year ?? 0, (parts.month ?? 1) - 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0);
    return asUtc - Math.floor(instant / 1000) * 1000;
  };
  if (!fromWallClock) return offsetAt(epochMs);
  // Two passes settle the offset across a DST change; a wall-clock time inside a spring-forward gap moves forward.
  const first = offsetAt(epochMs);
  return offsetAt(epochMs - first);
}

/**
 * The canonical IANA name for `zone`, or undefined when it is not one. Intl also accepts UTC offsets such as "+05:00",
 * which are not zones (they have no DST rules), so those are refused.
 */
export function canonicalTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return undefined;
  // Fast path: a name ICU lists as canonical resolves to itself (test/unit/workflow-dates-keys.test.ts checks every
  // one). Listing the names costs about 2 ms in a fresh process; the first Intl.DateTimeFormat costs about 20 ms (ICU
  // loads its locale and calendar data), and that was most of the extra cold start of upsertProspect and createMeeting.
  if (listedZones().has(zone)) return zone;
  if (canonicalZones.has(zone)) return canonicalZones.get(zone);
  // Aliases ("US/Eastern", "Asia/Kolkata"), other spellings ("america/new_york") and unknown names.
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  // Building an Intl.DateTimeFormat costs far more than the rest of a warm invocation; a container sees few zones.
  if (canonicalZones.size < MAX_CACHED_ZONES) canonicalZones.set(zone, canonical);
  return canonical;
}

const MAX_CACHED_ZONES = 1000;
const canonicalZones = new Map<string, string | undefined>();

let canonicalZoneNames: ReadonlySet<string> | undefined;

/** ICU's canonical zone names, plus "UTC", which Intl resolves to itself but does not list. */
export function listedZones(): ReadonlySet<string> {
  canonicalZoneNames ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC']);
  return canonicalZoneNames;
}
