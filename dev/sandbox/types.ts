/** Public types of the HiringCenter API v2 sandbox. Record shapes follow hiringcenter-api.md (newest generation). */

export type FaultKind = 'rateLimit' | 'serverError' | 'resetAfterCommit' | 'hang' | 'latency';

export type ScriptedFault =
  | { kind: 'rateLimit'; retryAfterSeconds?: number }
  | { kind: 'serverError'; status?: 500 | 502 | 503 }
  | { kind: 'resetAfterCommit' }
  | { kind: 'hang'; ms?: number; afterDisconnectMs?: number }
  | { kind: 'latency'; ms?: number }
  /** Scripted only: the API refuses the request (default 422) with this message, before anything is written. */
  | { kind: 'reject'; status?: 400 | 404 | 422; message?: string };

export interface RandomFaults {
  /** 0..1 probability that an API request gets a fault. */
  rate: number;
  /** Relative weights, default all 1. */
  mix?: Partial<Record<FaultKind, number>>;
  /** Default 1. */
  retryAfterSeconds?: number;
  /** Default 3000. */
  hangMs?: number;
  /**
   * When set, a hang ends this long after the client disconnects (gives up on its timeout), or after hangMs if it never
   * does: "the API finished N ms after the client stopped waiting", whatever the client's timer resolution.
   * Extension: not in the original brief.
   */
  hangAfterDisconnectMs?: number;
  /** Default 50. */
  latencyMs?: number;
}

/** One line of the access log. Holds no body, query string or header value (they carry emails, phones, keys). */
export interface AccessLogEntry {
  method: string;
  /** Request path without the query string. */
  path: string;
  /** HTTP status, or 'reset' when the socket was destroyed instead of answering. */
  status: number | 'reset';
  ms: number;
  replayed: boolean;
  fault?: FaultKind | 'reject';
}

export interface SandboxOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 0 = a free port. */
  port?: number;
  /** Default: a generated 'hc_sandbox_<hex>' key. */
  apiKey?: string;
  /** PRNG seed for random faults and nothing else; default 1. */
  seed?: number;
  /** Default none. */
  faults?: RandomFaults;
  /** Fixed latency added to every API response (for benchmarks), default 0. */
  latencyMs?: number;
  /** Default 500 / 10000. */
  rateLimits?: { perMinute: number; perHour: number };
  /** Serve the /__sandbox/* read-only routes, default true. */
  inspection?: boolean;
  /** Clock (ms) for rate windows and timestamps, default Date.now. */
  now?: () => number;
  /** Called once per API request when it is answered (or reset). Extension: not in the original brief. */
  onResponse?: (entry: AccessLogEntry) => void;
}

export type LicenseStatus = 'not_started' | 'in_progress' | 'licensed';

export interface Prospect {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  labels: string[];
  title: string | null;
  company: string | null;
  currentStage: string | null;
  currentStageId: string | null;
  pipelineId: string | null;
  licenseStatus: LicenseStatus | null;
  notes: string | null;
  streetAddress: string | null;
  city: string | null;
  state: string | null;
  postalCode: string | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdByApi: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface Note {
  id: string;
  prospectId: string;
  body: string;
  date: number;
  userId: string | null;
  createdByApi: boolean;
  createdByApiKeyId: string | null;
  createdByApiKeyName: string | null;
  mentions: Record<string, unknown>[];
  pin: boolean;
  fileUrl: string | null;
  createdAt: number;
  updatedAt: number | null;
}

export interface Task {
  id: string;
  prospectId: string;
  task: string;
  assignedTo: string;
  assignedBy: string | null;
  createdBy: string | null;
  createdByApi: boolean;
  createdByApiKeyId: string | null;
  createdByApiKeyName: string | null;
  dueAt: number | null;
  completedAt: number | null;
  createdAt: number;
  updatedAt: number | null;
}

export interface Meeting {
  id: string;
  prospectId: string;
  meetingDate: number;
  timeZone: string;
  meetingType: string;
  ownerId: string;
  location: string | null;
  notes: string | null;
  createdBy: string | null;
  createdByApi: boolean;
  createdByApiKeyId: string | null;
  createdByApiKeyName: string | null;
  createdAt: number;
  updatedAt: number | null;
}

export interface SandboxRecords {
  prospects: Prospect[];
  notes: Note[];
  tasks: Task[];
  meetings: Meeting[];
}

export interface SandboxCounts {
  prospects: number;
  notes: number;
  tasks: number;
  meetings: number;
}

export interface SandboxStats {
  requests: number;
  /** Keyed by method and route template, e.g. 'POST /prospects', 'GET /prospects/{id}'. */
  byRoute: Record<string, number>;
  faults: Record<FaultKind, number>;
  replays: number;
  conflicts: number;
  inFlightConflicts: number;
  rateLimited: number;
}

/** What an outage does to each matching request. */
export type OutageKind = 500 | 502 | 503 | 'resetAfterCommit';

export interface Sandbox {
  /** Base URL including /v2, e.g. http://127.0.0.1:4010/v2 */
  readonly url: string;
  /** e.g. http://127.0.0.1:4010 */
  readonly origin: string;
  readonly port: number;
  readonly apiKey: string;
  /** Deep copies. */
  records(): SandboxRecords;
  counts(): SandboxCounts;
  /**
   * Queue faults for the next API requests that match (method/path exact, e.g. {method:'POST', path:'/meetings'}),
   * in order, one per request.
   */
  injectFaults(faults: ScriptedFault[], match?: { method?: string; path?: string }): void;
  setRandomFaults(faults: RandomFaults | undefined): void;
  /**
   * Start an outage: until endOutages(), every matching API request (method/path as for injectFaults) gets `kind`:
   * a 5xx before anything is written (default 503), or `resetAfterCommit`: the write commits (or replays) and the
   * connection is reset before the answer, so the client never learns the record exists. Queued and random faults
   * wait. For redrive drills: an outage that outlasts the state machine's retries.
   */
  startOutage(match: { method?: string; path?: string }, kind?: OutageKind): void;
  endOutages(): void;
  stats(): SandboxStats;
  /** Clear records, idempotency store, rate windows, queued faults, stats (and re-seed the fault PRNG). */
  reset(): void;
  /** Resolves promptly even if requests are hanging (open sockets are destroyed). */
  close(): Promise<void>;
}
