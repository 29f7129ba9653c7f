import { keyProviderFromEnv } from '../functions/commons/dependencies.ts';
import { StaticKeyProvider } from '../lib/secrets/index.ts';
import type { ApiKeyProvider } from '../lib/secrets/types.ts';
import { startSandbox, type Sandbox } from './sandbox/index.ts';

/** The HiringCenter API a local command talks to. */
export interface ApiTarget {
  url: string;
  keys: ApiKeyProvider;
  /** Set when no base URL was given and an embedded sandbox was started; close() stops it. */
  sandbox?: Sandbox;
  close(): Promise<void>;
}

/**
 * The base URL with the key from the environment (HIRINGCENTER_API_KEY or HIRINGCENTER_SECRET_ID), or, with no base
 * URL, an embedded sandbox on a free loopback port, so nothing leaves the machine. Throws when a base URL is given but
 * no key is configured.
 */
export async function openApiTarget(baseUrl: string | undefined, env: NodeJS.ProcessEnv): Promise<ApiTarget> {
  if (baseUrl !== undefined) return { url: baseUrl, keys: keyProviderFromEnv(env), close: async () => undefined };
  const sandbox = await startSandbox();
  return { url: sandbox.url, keys: new StaticKeyProvider(sandbox.apiKey), sandbox, close: () => sandbox.close() };
}
