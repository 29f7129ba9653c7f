import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod/mini';
import type { ApiKeyProvider } from './types.ts';

/** How long a read key is served from Powertools Parameters' cache before Secrets Manager is asked again. */
export const SECRET_MAX_AGE_SECONDS = 300;

const EXPECTED_SHAPE = 'plain text (the key itself) or JSON {"apiKey":"..."}';

const SecretJson = z.object({ apiKey: z.string().check(z.trim(), z.minLength(1)) });

/**
 * The API key from Secrets Manager through Powertools Parameters' `getSecret`, which keeps the value for
 * SECRET_MAX_AGE_SECONDS; `refreshApiKey()` (after a 401) reads it again with `forceFetch`. A read already under way is
 * shared: a step starts one next to its first quota reservation (functions/commons/dependencies.ts) and its request
 * asks for the key before that read is back. The key is never held here, so logging the provider cannot show it.
 */
export class SecretsManagerKeyProvider implements ApiKeyProvider {
  readonly secretId: string;
  #pending: Promise<string> | undefined;

  constructor(secretId: string) {
    const trimmed = typeof secretId === 'string' ? secretId.trim() : '';
    if (trimmed === '') {
      throw new Error('SecretsManagerKeyProvider needs a secretId (the secret ARN or name), e.g. HIRINGCENTER_SECRET_ID');
    }
    this.secretId = trimmed;
  }

  getApiKey(): Promise<string> {
    if (this.#pending) return this.#pending;
    const pending = this.#read(false).finally(() => {
      if (this.#pending === pending) this.#pending = undefined;
    });
    this.#pending = pending;
    return pending;
  }

  refreshApiKey(): Promise<string> {
    // A read begun before the 401 may return the rotated-out key: this one starts afresh and is not shared with it.
    this.#pending = undefined;
    return this.#read(true);
  }

  async #read(forceFetch: boolean): Promise<string> {
    let value: unknown;
    try {
      value = await getSecret(this.secretId, { maxAge: SECRET_MAX_AGE_SECONDS, forceFetch });
    } catch (error) {
      throw describeReadError(this.secretId, error);
    }
    if (value instanceof Uint8Array) {
      throw new Error(
        `Secret ${this.secretId} holds SecretBinary, which is not supported: store the HiringCenter API key as ` +
          `SecretString, ${EXPECTED_SHAPE}`,
      );
    }
    if (typeof value !== 'string') throw emptySecretError(this.secretId);
    return parseApiKeySecret(this.secretId, value);
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

/**
 * Names the secret and the fix. Parameters wraps the SDK's error in a GetParameterError whose `cause` is the SDK error;
 * that error stays as `cause` here too.
 */
function describeReadError(secretId: string, error: unknown): Error {
  const sdkError = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const name = sdkError instanceof Error ? sdkError.name : '';
  const detail = sdkError instanceof Error ? `${sdkError.name}: ${sdkError.message}` : String(sdkError);
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
  return new Error(message, { cause: sdkError });
}
