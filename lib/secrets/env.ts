import type { ApiKeyProvider } from './types.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads `HIRINGCENTER_API_KEY` from the environment it is given (the CLI and local runs pass theirs) on every call (it is
 * cheap), so `refreshApiKey()` sees a changed value. Importing this file does not load the AWS SDK.
 */
export class EnvKeyProvider implements ApiKeyProvider {
  readonly #env: Env;

  constructor(env: Env) {
    this.#env = env;
  }

  getApiKey(): Promise<string> {
    return this.#read();
  }

  refreshApiKey(): Promise<string> {
    return this.#read();
  }

  async #read(): Promise<string> {
    const key = this.#env.HIRINGCENTER_API_KEY?.trim() ?? '';
    if (key === '') {
      throw new Error(
        'HIRINGCENTER_API_KEY is not set or empty: export HIRINGCENTER_API_KEY=<your HiringCenter API key>, ' +
          'or run `hc-workflow run` without a base URL to use the embedded sandbox',
      );
    }
    return key;
  }
}

/** A fixed key, for tests and the local runner's embedded sandbox. */
export class StaticKeyProvider implements ApiKeyProvider {
  readonly #key: string;

  constructor(key: string) {
    const trimmed = key.trim();
    if (trimmed === '') throw new Error('StaticKeyProvider needs a non-empty API key');
    this.#key = trimmed;
  }

  getApiKey(): Promise<string> {
    return Promise.resolve(this.#key);
  }

  refreshApiKey(): Promise<string> {
    return Promise.resolve(this.#key);
  }
}
