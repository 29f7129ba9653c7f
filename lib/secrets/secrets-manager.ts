import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import type { ApiKeyProvider } from './types.ts';

export const DEFAULT_SECRET_TTL_MS = 300_000;

export interface SecretsManagerKeyProviderOptions {
  /** Secret ARN or name. */
  secretId: string;
  /** Created lazily on the first fetch when omitted, so constructing the provider costs nothing at cold start. */
  client?: SecretsManagerClient;
  /** How long a fetched key is served from memory. Default 300_000 (5 minutes); 0 disables the cache. */
  ttlMs?: number;
  /** Clock in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

const EXPECTED_SHAPE = 'plain text (the key itself) or JSON {"apiKey":"..."}';

const SecretJson = z.object({ apiKey: z.string().check(z.trim(), z.minLength(1)) });

interface Fetch {
  promise: Promise<string>;
  /** Started by `refreshApiKey()`, i.e. after a 401: only such a fetch may answer another refresh. */
  forRefresh: boolean;
}

/**
 * Reads the HiringCenter API key from Secrets Manager and keeps it per container for `ttlMs`.
 *
 * Every concurrent caller shares one in-flight `GetSecretValue`; a failed fetch is never cached. The key lives in
 * private fields only, so logging the provider (or any error it throws) never prints it.
 */
export class SecretsManagerKeyProvider implements ApiKeyProvider {
  readonly secretId: string;
  readonly ttlMs: number;
  readonly #now: () => number;
  #client: SecretsManagerClient | undefined;
  #cached: { key: string; expiresAt: number } | undefined;
  #inFlight: Fetch | undefined;

  constructor(options: SecretsManagerKeyProviderOptions) {
    const secretId = typeof options.secretId === 'string' ? options.secretId.trim() : '';
    if (secretId === '') {
      throw new Error('SecretsManagerKeyProvider needs a secretId (the secret ARN or name), e.g. HIRINGCENTER_SECRET_ID');
    }
    const ttlMs = options.ttlMs ?? DEFAULT_SECRET_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) {
      throw new Error(`SecretsManagerKeyProvider ttlMs must be a finite number >= 0, got ${String(ttlMs)}`);
    }
    this.secretId = secretId;
    this.ttlMs = ttlMs;
    this.#now = options.now ?? Date.now;
    this.#client = options.client;
  }

  getApiKey(): Promise<string> {
    const cached = this.#cached;
    if (cached !== undefined && this.#now() < cached.expiresAt) return Promise.resolve(cached.key);
    return (this.#inFlight ?? this.#startFetch(false)).promise;
  }

  refreshApiKey(): Promise<string> {
    this.#cached = undefined;
    // A fetch that began before the 401 may still return the rotated-out key, so only join one begun by a refresh.
    const inFlight = this.#inFlight;
    if (inFlight?.forRefresh) return inFlight.promise;
    return this.#startFetch(true).promise;
  }

  #startFetch(forRefresh: boolean): Fetch {
    const current: Fetch = { forRefresh, promise: this.#fetch() };
    this.#inFlight = current;
    current.promise.then(
      (key) => {
        // A newer fetch (a refresh that overtook this one) owns the cache; don't overwrite it with an older read.
        if (this.#inFlight !== current) return;
        this.#inFlight = undefined;
        if (this.ttlMs > 0) this.#cached = { key, expiresAt: this.#now() + this.ttlMs };
      },
      () => {
        if (this.#inFlight === current) this.#inFlight = undefined;
      },
    );
    return current;
  }

  async #fetch(): Promise<string> {
    this.#client ??= new SecretsManagerClient({});
    const output = await this.#client
      .send(new GetSecretValueCommand({ SecretId: this.secretId }))
      .catch((error: unknown) => {
        throw describeSdkError(this.secretId, error);
      });
    if (output.SecretString === undefined) {
      if (output.SecretBinary !== undefined) {
        throw new Error(
          `Secret ${this.secretId} holds SecretBinary, which is not supported: store the HiringCenter API key as ` +
            `SecretString, ${EXPECTED_SHAPE}`,
        );
      }
      throw emptySecretError(this.secretId);
    }
    return parseApiKeySecret(this.secretId, output.SecretString);
  }
}

/**
 * Decodes a secret value: the key itself (trimmed), or JSON `{"apiKey": "..."}`. A value starting with `{` is read as
 * JSON, so a typo there is reported instead of sending the raw JSON as the key. Error messages never echo the value.
 */
export function parseApiKeySecret(secretId: string, secretString: string): string {
  const value = secretString.trim();
  if (value === '') throw emptySecretError(secretId);
  if (!value.startsWith('{')) return value;

  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    // No `cause`: V8's SyntaxError message can quote the secret text.
    throw new Error(
      `Secret ${secretId} looks like JSON but does not parse: put the HiringCenter API key into secret ${secretId} ` +
        `as ${EXPECTED_SHAPE}`,
    );
  }
  const parsed = SecretJson.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `Secret ${secretId} is JSON without a non-empty string "apiKey": put the HiringCenter API key into secret ` +
        `${secretId} as ${EXPECTED_SHAPE}`,
    );
  }
  return parsed.data.apiKey;
}

function emptySecretError(secretId: string): Error {
  return new Error(
    `Secret ${secretId} has no value: put the HiringCenter API key into secret ${secretId} as ${EXPECTED_SHAPE}`,
  );
}

/** Turns an SDK failure into a message that names the secret and the fix. The SDK error stays as `cause`. */
function describeSdkError(secretId: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : '';
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  let message: string;
  switch (name) {
    case 'ResourceNotFoundException':
      message =
        `Secret ${secretId} was not found in Secrets Manager (${detail}). Create it, or set HIRINGCENTER_SECRET_ID ` +
        `to the right ARN or name in this account and region, then put the HiringCenter API key into it as ` +
        EXPECTED_SHAPE;
      break;
    case 'AccessDeniedException':
    case 'AccessDenied':
      message =
        `Access denied reading secret ${secretId} (${detail}). Grant secretsmanager:GetSecretValue on the secret to ` +
        `this function's role (and kms:Decrypt if it uses a customer-managed KMS key)`;
      break;
    case 'DecryptionFailure':
      message =
        `Secrets Manager could not decrypt secret ${secretId} (${detail}). Grant kms:Decrypt on the secret's KMS key ` +
        `to this function's role`;
      break;
    case 'InvalidRequestException':
      message =
        `Secrets Manager refused to read secret ${secretId} (${detail}). Check that it is not scheduled for ` +
        `deletion and has a current version (AWSCURRENT)`;
      break;
    default:
      message = `Could not read secret ${secretId} from Secrets Manager (${detail})`;
  }
  return new Error(message, { cause: error });
}
