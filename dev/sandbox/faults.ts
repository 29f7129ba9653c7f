/**
 * Fault injection: scripted faults (queued, matched by method/path, one per request) take precedence; otherwise a
 * random fault is drawn from a seeded PRNG, so that the same seed and request sequence give the same faults.
 */
import type { FaultKind, OutageKind, RandomFaults, ScriptedFault } from './types.ts';

export const FAULT_KINDS: readonly FaultKind[] = ['rateLimit', 'serverError', 'resetAfterCommit', 'hang', 'latency'];
const SERVER_ERROR_STATUSES = [500, 502, 503] as const;

export const FAULT_DEFAULTS = { retryAfterSeconds: 1, hangMs: 3000, latencyMs: 50 } as const;

export type ResolvedFault =
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: 500 | 502 | 503 }
  | { kind: 'resetAfterCommit' }
  | { kind: 'hang'; ms: number; afterDisconnectMs?: number }
  | { kind: 'latency'; ms: number }
  | { kind: 'reject'; status: 400 | 404 | 422; message: string };

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateRandomFaults(faults: RandomFaults): void {
  if (!(faults.rate >= 0 && faults.rate <= 1)) throw new RangeError('faults.rate must be between 0 and 1');
  for (const [kind, weight] of Object.entries(faults.mix ?? {})) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new RangeError(`unknown fault kind '${kind}'`);
    if (!(typeof weight === 'number' && weight >= 0 && Number.isFinite(weight))) {
      throw new RangeError(`faults.mix.${kind} must be a non-negative number`);
    }
  }
  for (const key of ['retryAfterSeconds', 'hangMs', 'latencyMs', 'hangAfterDisconnectMs'] as const) {
    const v = faults[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new RangeError(`faults.${key} must be >= 0`);
  }
}

/** Paths are matched relative to /v2, without a trailing slash: '/v2/meetings/' and '/meetings' are the same. */
export function normalizeApiPath(path: string): string {
  let p = path.startsWith('/v2/') || path === '/v2' ? path.slice(3) : path;
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p === '' ? '/' : p;
}

interface Queued {
  fault: ScriptedFault;
  method: string | undefined;
  path: string | undefined;
}

export class FaultInjector {
  private readonly seed: number;
  private random: () => number;
  private config: RandomFaults | undefined;
  private queue: Queued[] = [];
  private outages: Queued[] = [];

  constructor(seed: number, config: RandomFaults | undefined) {
    this.seed = seed;
    this.random = mulberry32(seed);
    this.setRandom(config);
  }

  setRandom(config: RandomFaults | undefined): void {
    if (config !== undefined) validateRandomFaults(config);
    this.config = config === undefined ? undefined : structuredClone(config);
  }

  inject(faults: ScriptedFault[], match: { method?: string; path?: string } = {}): void {
    const method = match.method?.toUpperCase();
    const path = match.path === undefined ? undefined : normalizeApiPath(match.path);
    for (const fault of faults) {
      if (!(FAULT_KINDS as readonly string[]).includes(fault.kind) && fault.kind !== 'reject') {
        throw new RangeError(`unknown fault kind '${fault.kind}'`);
      }
      this.queue.push({ fault: { ...fault }, method, path });
    }
  }

  /** Until endOutages(), every matching request gets this fault (an outage of a route; see Sandbox.startOutage). */
  startOutage(kind: OutageKind, match: { method?: string; path?: string } = {}): void {
    const method = match.method?.toUpperCase();
    const path = match.path === undefined ? undefined : normalizeApiPath(match.path);
    const fault: ScriptedFault = kind === 'resetAfterCommit' ? { kind } : { kind: 'serverError', status: kind };
    this.outages.push({ fault, method, path });
  }

  endOutages(): void {
    this.outages = [];
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Clears queued faults and restarts the PRNG from the seed. */
  reset(): void {
    this.queue = [];
    this.outages = [];
    this.random = mulberry32(this.seed);
  }

  /** The fault for this API request, if any (path relative to /v2). */
  next(method: string, path: string): ResolvedFault | undefined {
    const outage = this.outages.find((o) => (o.method === undefined || o.method === method) && (o.path === undefined || o.path === path));
    if (outage !== undefined) return this.resolve(outage.fault);
    const index = this.queue.findIndex(
      (q) => (q.method === undefined || q.method === method) && (q.path === undefined || q.path === path),
    );
    if (index >= 0) {
      const [queued] = this.queue.splice(index, 1);
      if (queued !== undefined) return this.resolve(queued.fault);
    }
    return this.draw();
  }

  private draw(): ResolvedFault | undefined {
    const config = this.config;
    if (config === undefined || config.rate <= 0) return undefined;
    if (this.random() >= config.rate) return undefined;
    const weights = FAULT_KINDS.map((k) => config.mix?.[k] ?? 1);
    const total = weights.reduce((a, b) => a + b, 0);
    if (total <= 0) return undefined;
    let pick = this.random() * total;
    let kind: FaultKind = FAULT_KINDS[FAULT_KINDS.length - 1] ?? 'latency';
    for (let i = 0; i < FAULT_KINDS.length; i++) {
      pick -= weights[i] ?? 0;
      if (pick < 0 && (weights[i] ?? 0) > 0) {
        kind = FAULT_KINDS[i] ?? kind;
        break;
      }
    }
    return this.resolve({ kind } as ScriptedFault);
  }

  private resolve(fault: ScriptedFault): ResolvedFault {
    const c = this.config;
    switch (fault.kind) {
      case 'rateLimit':
        return {
          kind: 'rateLimit',
          retryAfterSeconds: fault.retryAfterSeconds ?? c?.retryAfterSeconds ?? FAULT_DEFAULTS.retryAfterSeconds,
        };
      case 'serverError':
        // `??` short-circuits: the PRNG is only consumed when no status was given.
        return {
          kind: 'serverError',
          status: fault.status ?? SERVER_ERROR_STATUSES[Math.floor(this.random() * 3)] ?? 500,
        };
      case 'resetAfterCommit':
        return { kind: 'resetAfterCommit' };
      case 'hang': {
        const afterDisconnectMs = fault.afterDisconnectMs ?? c?.hangAfterDisconnectMs;
        return { kind: 'hang', ms: fault.ms ?? c?.hangMs ?? FAULT_DEFAULTS.hangMs, ...(afterDisconnectMs === undefined ? {} : { afterDisconnectMs }) };
      }
      case 'latency':
        return { kind: 'latency', ms: fault.ms ?? c?.latencyMs ?? FAULT_DEFAULTS.latencyMs };
      case 'reject':
        return { kind: 'reject', status: fault.status ?? 422, message: fault.message ?? 'Simulated validation error (sandbox fault injection). Nothing was written.' };
    }
  }
}
