import { HiringCenterClient } from '../hiringcenter/index.ts';
import { createJsonLogger, type Logger, type LogLevel } from '../log.ts';
import { createKeyProvider } from '../secrets/index.ts';
import type { ApiKeyProvider } from '../secrets/types.ts';
import { createQuotaPacer, DynamoDbPacerStore, MemoryPacerStore, quotaKeyForSecret, type QuotaPacer, type QuotaSettings } from '../pacer/index.ts';
import { DEFAULT_STEP_POLICY, type Clock, type StepPolicy } from './pacing.ts';
import type { StepRuntime } from './steps.ts';

export const DEFAULT_BASE_URL = 'https://api.hiringcenterpro.com/v2';

/** What a step handler needs from the outside world; tests and the local runner pass their own. */
export interface StepDependencies extends StepRuntime {
  logger: Logger;
}

export const systemClock: Clock = {
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Collaborators built from the environment: HIRINGCENTER_BASE_URL, HIRINGCENTER_SECRET_ID or HIRINGCENTER_API_KEY,
 * HIRINGCENTER_DEFAULT_USER_ID, LOG_LEVEL, and the state machine's own settings, which infra/workflow.ts passes from the
 * same CDK context: WORKFLOW_EXECUTION_TIMEOUT_SECONDS, API_KEY_RETENTION_HOURS, and the quota pacer's PACER_TABLE_NAME,
 * API_QUOTA_PER_MINUTE, API_QUOTA_PER_HOUR and API_QUOTA_SHARE. Nothing is fetched here: the key provider reads the
 * secret on the first request, and the pacer's client connects on the first reservation.
 */
export function dependenciesFromEnv(env: NodeJS.ProcessEnv = process.env): StepDependencies {
  const keys: ApiKeyProvider = createKeyProvider(env);
  let knownKey = '';
  const trackingKeys: ApiKeyProvider = {
    getApiKey: async () => (knownKey = await keys.getApiKey()),
    refreshApiKey: async () => (knownKey = await keys.refreshApiKey()),
  };
  const defaultUserId = env.HIRINGCENTER_DEFAULT_USER_ID?.trim();
  return {
    api: new HiringCenterClient({ baseUrl: env.HIRINGCENTER_BASE_URL?.trim() || DEFAULT_BASE_URL, keys: trackingKeys }),
    config: defaultUserId ? { defaultUserId } : {},
    pacer: pacerFromEnv(env),
    policy: policyFromEnv(env),
    clock: systemClock,
    logger: createJsonLogger({ level: parseLogLevel(env.LOG_LEVEL), secrets: () => [knownKey] }),
  };
}

/**
 * The fleet's shared pacer: the DynamoDB table when PACER_TABLE_NAME is set (every deployed step has it), else one in
 * this process's memory (the CLI and local runs, where all steps share the process). The quota is named after the
 * secret that holds the key, never after the key.
 */
export function pacerFromEnv(env: NodeJS.ProcessEnv, clock: Clock = systemClock, memory: MemoryPacerStore = new MemoryPacerStore()): QuotaPacer {
  const table = env.PACER_TABLE_NAME?.trim();
  return createQuotaPacer({
    store: table ? new DynamoDbPacerStore({ tableName: table }) : memory,
    quotaKey: quotaKeyForSecret(env.HIRINGCENTER_SECRET_ID?.trim() || env.HIRINGCENTER_BASE_URL?.trim() || 'local'),
    ...quotaSettingsFromEnv(env),
    now: clock.now,
  });
}

/** API_QUOTA_PER_MINUTE, API_QUOTA_PER_HOUR and API_QUOTA_SHARE (CDK context apiQuotaPerMinute, -PerHour, -Share). */
export function quotaSettingsFromEnv(env: NodeJS.ProcessEnv): QuotaSettings {
  const settings: QuotaSettings = {};
  if (env.API_QUOTA_PER_MINUTE?.trim()) settings.perMinute = positiveNumber(env, 'API_QUOTA_PER_MINUTE', 0);
  if (env.API_QUOTA_PER_HOUR?.trim()) settings.perHour = positiveNumber(env, 'API_QUOTA_PER_HOUR', 0);
  if (env.API_QUOTA_SHARE?.trim()) {
    const share = positiveNumber(env, 'API_QUOTA_SHARE', 0);
    if (share > 1) throw new Error(`API_QUOTA_SHARE must be a fraction of the key's quota, from 0 to 1, got "${env.API_QUOTA_SHARE}"`);
    settings.share = share;
  }
  return settings;
}

function policyFromEnv(env: NodeJS.ProcessEnv): StepPolicy {
  return {
    ...DEFAULT_STEP_POLICY,
    executionTimeoutMs: positiveNumber(env, 'WORKFLOW_EXECUTION_TIMEOUT_SECONDS', DEFAULT_STEP_POLICY.executionTimeoutMs / 1000) * 1000,
    keyRetentionMs: positiveNumber(env, 'API_KEY_RETENTION_HOURS', DEFAULT_STEP_POLICY.keyRetentionMs / 3_600_000) * 3_600_000,
  };
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

function parseLogLevel(value: string | undefined): LogLevel {
  const level = value?.toLowerCase();
  return level === 'debug' || level === 'warn' || level === 'error' ? level : 'info';
}

/** One set of collaborators per container, built on first use (not at import, so importing a handler is cheap). */
export function lazyDependencies(build: () => StepDependencies = dependenciesFromEnv): () => StepDependencies {
  let deps: StepDependencies | undefined;
  return () => (deps ??= build());
}
