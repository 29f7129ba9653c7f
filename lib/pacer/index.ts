export { createQuotaPacer, quotaKeyForSecret } from './pacer.ts';
export type { QuotaPacer, QuotaPacerOptions, QuotaRefusal, Reservation, ReservationRef, SlotDecision, SlotOptions } from './pacer.ts';
export { quotaSchedule, DEFAULT_QUOTA, type QuotaSchedule, type QuotaSettings, type WindowSchedule } from './schedule.ts';
export type { PacerState, RateLimitSignal } from './gcra.ts';
export type { PacerStore } from './store.ts';
export { MemoryPacerStore } from './memory-store.ts';
export { DynamoDbPacerStore, type DynamoDbPacerStoreOptions } from './dynamodb-store.ts';
export { PARTITION_KEY, TTL_ATTRIBUTE } from './table-schema.ts';
