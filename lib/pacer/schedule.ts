// From the configured quota to the two GCRA windows the pacer enforces. Pure; see docs/decisions/quota-pacer.md for
// why the intervals and tolerances are chosen this way.

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** What a deployment configures (CDK context apiQuotaPerMinute / apiQuotaPerHour / apiQuotaShare). */
export interface QuotaSettings {
  /** The API's per-minute quota for the key. Default 500. */
  perMinute?: number;
  /** The API's per-hour quota for the key. Default 10,000. */
  perHour?: number;
  /** The fraction of each quota this fleet may use (the key may be shared). Default 0.9. */
  share?: number;
  /** Requests that may share one instant (the minute window's burst). Default 1 per 50 of the minute's share, >= 1. */
  minuteBurst?: number;
  /**
   * The hour window's burst, in requests: how much of a backlog may run at the minute pace before the hour's even pace
   * takes over. Every request of burst costs one request of sustained hourly throughput. Default: a quarter of the
   * hour's share (docs/decisions/quota-pacer.md has the trade-off).
   */
  hourBurst?: number;
  /** After a cut, the rate doubles every this many ms without a 429, up to the configured rate. Default 600,000. */
  recoveryDoublingMs?: number;
  /**
   * The most requests one reservation may cover, all sent from its slot on (a step that looks a record up before it
   * writes makes 2). Each window keeps maxCost − 1 requests of headroom for it. Default 2.
   */
  maxCost?: number;
  /**
   * A reservation whose slot is more than this far away must be confirmed (`QuotaPacer.confirm`) when its slot comes,
   * instead of being sent blindly. Cuts rely on it to drop the far reservations. Default 1,000.
   */
  inProcessWaitMs?: number;
}

export const DEFAULT_QUOTA = { perMinute: 500, perHour: 10_000, share: 0.9 } as const;
const DEFAULT_RECOVERY_DOUBLING_MS = 600_000;
const DEFAULT_IN_PROCESS_WAIT_MS = 1_000;
const DEFAULT_MAX_COST = 2;

/** One GCRA window. All values are whole milliseconds or whole requests. */
export interface WindowSchedule {
  readonly periodMs: number;
  /** floor(share × quota): never more reserved requests than this in any sliding period. */
  readonly limit: number;
  readonly burst: number;
  /** Emission interval at the full rate: ceil(period / (limit − (maxCost − 1) − burst + 1)). */
  readonly intervalMs: number;
  /** Burst tolerance τ = (burst − 1) × interval. */
  readonly toleranceMs: number;
}

export interface QuotaSchedule {
  readonly perMinute: number;
  readonly perHour: number;
  readonly share: number;
  readonly minute: WindowSchedule;
  readonly hour: WindowSchedule;
  readonly recoveryDoublingMs: number;
  readonly inProcessWaitMs: number;
  readonly maxCost: number;
  /** Fingerprint of everything above that shapes the stored state; a store re-syncs an item written under another. */
  readonly id: string;
}

function positiveInteger(name: string, value: number, fix: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Quota pacer: ${name} must be a whole number >= 1 (${fix})`);
  return value;
}

function windowSchedule(name: string, periodMs: number, limit: number, maxCost: number, burst: number | undefined, defaultBurst: number): WindowSchedule {
  // Headroom for the last reservation in a window, which may carry up to maxCost requests at its one slot.
  const usable = limit - (maxCost - 1);
  const chosen = burst ?? Math.min(defaultBurst, usable);
  if (!Number.isInteger(chosen) || chosen < 1 || chosen > usable) {
    throw new RangeError(`Quota pacer: ${name} must be a whole number from 1 to ${usable} (the window's share of the quota, less maxCost − 1)`);
  }
  // The sliding-window bound (docs/decisions/quota-pacer.md): a GCRA with interval I and tolerance τ = (burst − 1)·I
  // admits at most (T − 1 + τ) / I requests plus the last reservation's cost in any T ms, which stays <= limit when
  // I × (usable − burst + 1) >= T.
  const intervalMs = Math.ceil(periodMs / (usable - chosen + 1));
  return { periodMs, limit, burst: chosen, intervalMs, toleranceMs: (chosen - 1) * intervalMs };
}

/** Validates the settings (errors name the field and the allowed range) and derives both windows. */
export function quotaSchedule(settings: QuotaSettings = {}): QuotaSchedule {
  const perMinute = positiveInteger('perMinute', settings.perMinute ?? DEFAULT_QUOTA.perMinute, 'the API quota per minute, e.g. 500');
  const perHour = positiveInteger('perHour', settings.perHour ?? DEFAULT_QUOTA.perHour, 'the API quota per hour, e.g. 10000');
  const share = settings.share ?? DEFAULT_QUOTA.share;
  if (!(typeof share === 'number' && share > 0 && share <= 1)) throw new RangeError('Quota pacer: share must be a number in (0, 1], e.g. 0.9');
  const maxCost = positiveInteger('maxCost', settings.maxCost ?? DEFAULT_MAX_COST, 'the most API requests one reservation covers, e.g. 2');
  const minuteLimit = Math.floor(perMinute * share);
  const hourLimit = Math.floor(perHour * share);
  if (minuteLimit < maxCost || hourLimit < maxCost) {
    throw new RangeError(`Quota pacer: share × perMinute and share × perHour must each allow at least maxCost (${maxCost}) requests; raise share or the quota`);
  }
  const minute = windowSchedule('minuteBurst', MINUTE_MS, minuteLimit, maxCost, settings.minuteBurst, Math.max(1, Math.floor(minuteLimit / 50)));
  const hour = windowSchedule('hourBurst', HOUR_MS, hourLimit, maxCost, settings.hourBurst, Math.max(1, Math.floor(hourLimit / 4)));
  const recoveryDoublingMs = settings.recoveryDoublingMs ?? DEFAULT_RECOVERY_DOUBLING_MS;
  if (!(recoveryDoublingMs > 0 && Number.isFinite(recoveryDoublingMs))) {
    throw new RangeError('Quota pacer: recoveryDoublingMs must be a finite number of milliseconds > 0, e.g. 600000');
  }
  const inProcessWaitMs = settings.inProcessWaitMs ?? DEFAULT_IN_PROCESS_WAIT_MS;
  if (!(Number.isInteger(inProcessWaitMs) && inProcessWaitMs >= 0)) {
    throw new RangeError('Quota pacer: inProcessWaitMs must be a whole number of milliseconds >= 0, e.g. 1000');
  }
  const id = [perMinute, perHour, minute.intervalMs, minute.toleranceMs, hour.intervalMs, hour.toleranceMs, recoveryDoublingMs, inProcessWaitMs].join('/');
  return { perMinute, perHour, share, minute, hour, recoveryDoublingMs, inProcessWaitMs, maxCost, id };
}
