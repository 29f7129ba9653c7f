import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EnvKeyProvider } from './env.ts';
import type { Env } from './env.ts';
import { SecretsManagerKeyProvider } from './secrets-manager.ts';
import type { ApiKeyProvider } from './types.ts';

export type { ApiKeyProvider } from './types.ts';
export { EnvKeyProvider, StaticKeyProvider } from './env.ts';
export type { Env } from './env.ts';
export { DEFAULT_SECRET_TTL_MS, SecretsManagerKeyProvider, parseApiKeySecret } from './secrets-manager.ts';
export type { SecretsManagerKeyProviderOptions } from './secrets-manager.ts';

export interface CreateKeyProviderOptions {
  /** Passed to SecretsManagerKeyProvider (tests, or a handler factory that shares one client). */
  client?: SecretsManagerClient;
  now?: () => number;
}

/**
 * Picks the key source from the environment (ARCHITECTURE.md §3): `HIRINGCENTER_SECRET_ID` (Lambda) wins, with an
 * optional `HIRINGCENTER_SECRET_TTL_SECONDS`; otherwise `HIRINGCENTER_API_KEY` (CLI / local). Neither is an error.
 */
export function createKeyProvider(env: Env = process.env, options: CreateKeyProviderOptions = {}): ApiKeyProvider {
  const secretId = env.HIRINGCENTER_SECRET_ID?.trim() ?? '';
  if (secretId !== '') {
    const ttlSeconds = parseTtlSeconds(env.HIRINGCENTER_SECRET_TTL_SECONDS);
    return new SecretsManagerKeyProvider({
      secretId,
      ttlMs: ttlSeconds === undefined ? undefined : ttlSeconds * 1000,
      client: options.client,
      now: options.now,
    });
  }
  if ((env.HIRINGCENTER_API_KEY?.trim() ?? '') !== '') return new EnvKeyProvider(env);
  throw new Error(
    'No HiringCenter API key configured: set HIRINGCENTER_SECRET_ID to a Secrets Manager secret ARN or name ' +
      '(Lambda), or HIRINGCENTER_API_KEY to the key itself (CLI / local runs)',
  );
}

function parseTtlSeconds(raw: string | undefined): number | undefined {
  const value = raw?.trim() ?? '';
  if (value === '') return undefined;
  if (!/^\d+$/.test(value)) {
    throw new Error(
      `HIRINGCENTER_SECRET_TTL_SECONDS must be a whole number of seconds >= 0 (0 disables the cache), got "${value}"`,
    );
  }
  return Number(value);
}
