import { HiringCenterClient } from '../hiringcenter/index.ts';
import { createJsonLogger, type Logger, type LogLevel } from '../log.ts';
import { createKeyProvider } from '../secrets/index.ts';
import type { ApiKeyProvider } from '../secrets/types.ts';
import type { WorkflowConfig } from './input.ts';
import type { ActivityApi } from './steps.ts';

export const DEFAULT_BASE_URL = 'https://api.hiringcenterpro.com/v2';

/** What a step handler needs from the outside world; tests and the local runner pass their own. */
export interface StepDependencies {
  api: ActivityApi;
  config: WorkflowConfig;
  logger: Logger;
  now: () => number;
}

/**
 * Collaborators built from the environment (ARCHITECTURE.md §3): HIRINGCENTER_BASE_URL, HIRINGCENTER_SECRET_ID or
 * HIRINGCENTER_API_KEY, HIRINGCENTER_DEFAULT_USER_ID, LOG_LEVEL. Nothing is fetched here: the key provider reads the
 * secret on the first request, so a container that never runs pays nothing.
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
    logger: createJsonLogger({ level: parseLogLevel(env.LOG_LEVEL), secrets: () => [knownKey] }),
    now: Date.now,
  };
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
