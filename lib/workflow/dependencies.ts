import { HiringCenterClient } from '../hiringcenter/index.ts';
import { createJsonLogger, type Logger, type LogLevel } from '../log.ts';
import { createKeyProvider } from '../secrets/index.ts';
import type { ApiKeyProvider } from '../secrets/types.ts';
import { DEFAULT_STEP_POLICY, UNPACED, type Clock, type StepPolicy } from './pacing.ts';
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
 * same CDK context: WORKFLOW_EXECUTION_TIMEOUT_SECONDS and API_KEY_RETENTION_HOURS. Nothing is fetched here: the key
 * provider reads the secret on the first request, so a container that never runs pays nothing.
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
    quota: UNPACED,
    policy: policyFromEnv(env),
    clock: systemClock,
    logger: createJsonLogger({ level: parseLogLevel(env.LOG_LEVEL), secrets: () => [knownKey] }),
  };
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
