import { HiringCenterClient } from '../../lib/hiringcenter/index.ts';
import type { Logger } from '../../lib/log.ts';
import { createQuotaPacer, DynamoDbPacerStore, MemoryPacerStore, quotaKeyForSecret, type QuotaPacer, type QuotaSettings, type SlotDecision } from '../../lib/pacer/index.ts';
import { EnvKeyProvider, noticingKeys, SecretsManagerKeyProvider, type ApiKeyProvider, type Env } from '../../lib/secrets/index.ts';
import { DEFAULT_STEP_POLICY, systemClock, type Clock, type StepPolicy } from '../../lib/workflow/pacing.ts';
import { workflowConfigFromEnv } from './workflow-config.ts';
import type { StepDependencies } from '../handlers.ts';
import type { StepMetrics } from './step-metrics.ts';

/*
 * Everything that reads the environment to build a step's collaborators. lib/ never reads process.env: the functions
 * (and the CLI, for the same variables) do it here.
 */

export const DEFAULT_BASE_URL = 'https://api.hiringcenterpro.com/v2';

/** Where a step's logs and metrics go, and how it learns which secret to mask in them. */
export interface StepTelemetry {
  logger: Logger;
  metrics: StepMetrics;
  /** Masks this exact value in every later log line: the API key, once read. */
  maskInLogs(secret: string): void;
}

/**
 * Collaborators built from the environment: HIRINGCENTER_BASE_URL, HIRINGCENTER_SECRET_ID or HIRINGCENTER_API_KEY,
 * HIRINGCENTER_DEFAULT_USER_ID, and the state machine's own settings, which infra/workflow.ts passes from the same CDK
 * context: WORKFLOW_EXECUTION_TIMEOUT_SECONDS, API_KEY_RETENTION_HOURS, and the quota pacer's PACER_TABLE_NAME,
 * API_QUOTA_PER_MINUTE, API_QUOTA_PER_HOUR and API_QUOTA_SHARE. Nothing is fetched here: the key is read, and the
 * pacer's client connects, with the first reservation.
 */
export function dependenciesFromEnv(env: Env, telemetry: StepTelemetry): StepDependencies {
  const maskedKeys = noticingKeys(keyProviderFromEnv(env), telemetry.maskInLogs);
  return {
    api: new HiringCenterClient({
      baseUrl: env.HIRINGCENTER_BASE_URL?.trim() || DEFAULT_BASE_URL,
      keys: maskedKeys,
      onResponse: (response) => telemetry.metrics.apiResponded(response),
    }),
    config: workflowConfigFromEnv(env),
    pacer: readingKeyAlongside(measuredPacer(pacerFromEnv(env), telemetry.metrics), maskedKeys),
    policy: policyFromEnv(env),
    clock: systemClock,
    logger: telemetry.logger,
    metrics: telemetry.metrics,
  };
}

/**
 * The key source: `HIRINGCENTER_SECRET_ID` (Lambda) wins, read through Powertools Parameters; otherwise
 * `HIRINGCENTER_API_KEY` (CLI / local). Neither is an error that names both.
 */
export function keyProviderFromEnv(env: Env): ApiKeyProvider {
  const secretId = env.HIRINGCENTER_SECRET_ID?.trim() ?? '';
  if (secretId !== '') return new SecretsManagerKeyProvider(secretId);
  if ((env.HIRINGCENTER_API_KEY?.trim() ?? '') !== '') return new EnvKeyProvider(env);
  throw new Error(
    'No HiringCenter API key configured: set HIRINGCENTER_SECRET_ID to a Secrets Manager secret ARN or name ' +
      '(Lambda), or HIRINGCENTER_API_KEY to the key itself (CLI / local runs)',
  );
}

/**
 * The fleet's shared pacer: the DynamoDB table when PACER_TABLE_NAME is set (every deployed step has it), else one in
 * this process's memory (the CLI and local runs, where all steps share the process). The quota is named after the
 * secret that holds the key, never after the key.
 */
export function pacerFromEnv(env: Env, clock: Clock = systemClock, memory: MemoryPacerStore = new MemoryPacerStore()): QuotaPacer {
  const table = env.PACER_TABLE_NAME?.trim();
  return createQuotaPacer({
    store: table ? new DynamoDbPacerStore({ tableName: table }) : memory,
    quotaKey: quotaKeyForSecret(env.HIRINGCENTER_SECRET_ID?.trim() || env.HIRINGCENTER_BASE_URL?.trim() || 'local'),
    ...quotaSettingsFromEnv(env),
    now: clock.now,
  });
}

/** API_QUOTA_PER_MINUTE, API_QUOTA_PER_HOUR and API_QUOTA_SHARE (CDK context apiQuotaPerMinute, -PerHour, -Share). */
export function quotaSettingsFromEnv(env: Env): QuotaSettings {
  const settings: QuotaSettings = {};
  const perMinute = positiveNumber(env, 'API_QUOTA_PER_MINUTE');
  const perHour = positiveNumber(env, 'API_QUOTA_PER_HOUR');
  const share = positiveNumber(env, 'API_QUOTA_SHARE');
  if (perMinute !== undefined) settings.perMinute = perMinute;
  if (perHour !== undefined) settings.perHour = perHour;
  if (share !== undefined) {
    if (share > 1) throw new Error(`API_QUOTA_SHARE must be a fraction of the key's quota, from 0 to 1, got "${env.API_QUOTA_SHARE}"`);
    settings.share = share;
  }
  return settings;
}

function policyFromEnv(env: Env): StepPolicy {
  return {
    ...DEFAULT_STEP_POLICY,
    executionTimeoutMs: (positiveNumber(env, 'WORKFLOW_EXECUTION_TIMEOUT_SECONDS') ?? DEFAULT_STEP_POLICY.executionTimeoutMs / 1000) * 1000,
    keyRetentionMs: (positiveNumber(env, 'API_KEY_RETENTION_HOURS') ?? DEFAULT_STEP_POLICY.keyRetentionMs / 3_600_000) * 3_600_000,
  };
}

/** The variable as a positive number, or undefined when it is unset or blank. */
function positiveNumber(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** QuotaWait for each slot a step reserves: a fresh reservation, or the new slot of a confirm whose slot was voided. */
export function measuredPacer(pacer: QuotaPacer, metrics: StepMetrics): QuotaPacer {
  const measured = (decision: SlotDecision): SlotDecision => {
    if (decision.reserved) metrics.quotaWaited(decision.waitMs);
    return decision;
  };
  return {
    schedule: pacer.schedule,
    reserve: async (options) => measured(await pacer.reserve(options)),
    confirm: async (held, options) => {
      const decision = await pacer.confirm(held, options);
      return decision.reserved && decision.slotAt === held.slotAt && decision.generation === held.generation ? decision : measured(decision);
    },
    reportRateLimited: (signal) => pacer.reportRateLimited(signal),
  };
}

/**
 * Reads the API key while the pacer reserves the slot, instead of after it: on a cold start both are a first AWS
 * request (Secrets Manager and DynamoDB), each mostly waiting. Later reads hit the key cache. A failed read is left to
 * the request, which reads the key again (sharing a read still under way) and reports the failure as the client does.
 */
export function readingKeyAlongside(pacer: QuotaPacer, keys: ApiKeyProvider): QuotaPacer {
  const alongside = async <T>(work: Promise<T>): Promise<T> => (await Promise.all([work, keys.getApiKey().catch(() => undefined)]))[0];
  return {
    schedule: pacer.schedule,
    reserve: (options) => alongside(pacer.reserve(options)),
    confirm: (held, options) => alongside(pacer.confirm(held, options)),
    reportRateLimited: (signal) => pacer.reportRateLimited(signal),
  };
}
