/** HiringCenter API v2 sandbox: an in-memory HTTP server for tests, the local runner and the soak test. */
export { startSandbox, generateApiKey, API_PREFIX, INSPECTION_PREFIX } from './server.ts';
export { mulberry32, FAULT_KINDS, FAULT_DEFAULTS } from './faults.ts';
export { REPLAY_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency.ts';
export { DEFAULT_RATE_LIMITS } from './rate-limit.ts';
export { INVALID_PHONE_WARNING, STAGES } from './store.ts';
export type {
  AccessLogEntry,
  FaultKind,
  LicenseStatus,
  Meeting,
  Note,
  Prospect,
  RandomFaults,
  Sandbox,
  SandboxCounts,
  SandboxOptions,
  SandboxRecords,
  SandboxStats,
  ScriptedFault,
  Task,
} from './types.ts';
