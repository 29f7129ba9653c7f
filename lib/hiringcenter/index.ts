export {
  HiringCenterClient,
  DEFAULT_USER_AGENT,
  type HiringCenterClientOptions,
  type ResponseEvent,
} from './client.ts';
export { MAX_IDEMPOTENCY_KEY_LENGTH, MAX_LABELS_PER_QUERY, prospectQueryString } from './request-checks.ts';
export { DEFAULT_TIMEOUTS, closeSharedAgents } from './agent.ts';
export { classifyConflict, summarizeErrorBody } from './errors.ts';
export {
  parseRateLimitHeaders,
  parseRetryAfter,
  resolveRetryAfterSeconds,
  MAX_RETRY_AFTER_SECONDS,
  MIN_RETRY_AFTER_SECONDS,
  type HeaderBag,
  type RateLimitInfo,
} from './rate-limit.ts';
export {
  AuthResponseSchema,
  ItemEnvelopeSchema,
  ListEnvelopeSchema,
  RecordSchema,
  type ActivityQuery,
  type ApiRecord,
  type AuthInfo,
  type CreateMeetingRequest,
  type CreateNoteRequest,
  type CreateTaskRequest,
  type LicenseStatus,
  type Meeting,
  type Note,
  type Page,
  type Prospect,
  type ProspectQuery,
  type Task,
  type UpsertProspectRequest,
  type UpsertResult,
  type WriteOptions,
  type WriteResult,
} from './schemas.ts';
