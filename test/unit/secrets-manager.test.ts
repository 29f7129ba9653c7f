import { inspect } from 'node:util';
import { clearCaches } from '@aws-lambda-powertools/parameters';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import * as fc from 'fast-check';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SECRET_MAX_AGE_SECONDS, SecretsManagerKeyProvider, parseApiKeySecret } from '../../lib/secrets/secrets-manager.ts';

/* lib/secrets/secrets-manager.ts: the API key through Powertools Parameters' getSecret (its cache, maxAge, forceFetch). */

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hiringcenter/api-key-AbCdEf';
const KEY = 'hc_live_9f8e7d6c5b4a3f2e1d0c';

// The prototype mock also answers the client that Parameters creates inside getSecret.
const sm = mockClient(SecretsManagerClient);
afterAll(() => sm.restore());
beforeEach(() => {
  sm.reset();
  // getSecret keeps its cache per process; each test starts cold, as a new container does.
  clearCaches();
});
afterEach(() => {
  vi.useRealTimers();
});

const fetches = (): number => sm.commandCalls(GetSecretValueCommand).length;

function output(fields: Partial<GetSecretValueCommandOutput>): GetSecretValueCommandOutput {
  return { $metadata: {}, ...fields };
}

function provider(): SecretsManagerKeyProvider {
  return new SecretsManagerKeyProvider(SECRET_ID);
}

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`, { cause: error });
  }
  throw new Error('expected a rejection');
}

describe('SecretsManagerKeyProvider caching', () => {
  it('makes one GetSecretValue for 100 getApiKey() calls, 50 of them concurrent and cold', async () => {
    sm.on(GetSecretValueCommand).resolves(output({ SecretString: KEY }));
    const p = provider();

    const cold = await Promise.all(Array.from({ length: 50 }, () => p.getApiKey()));
    for (let i = 0; i < 50; i++) expect(await p.getApiKey()).toBe(KEY);

    expect(cold.every((k) => k === KEY)).toBe(true);
    expect(fetches()).toBe(1);
    expect(sm.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it(`keeps the key for ${SECRET_MAX_AGE_SECONDS} s, then reads it again`, async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: 1_760_000_000_000 });
    sm.on(GetSecretValueCommand).resolvesOnce(output({ SecretString: 'old-key' })).resolves(output({ SecretString: 'new-key' }));
    const p = provider();

    expect(await p.getApiKey()).toBe('old-key');
    vi.advanceTimersByTime(SECRET_MAX_AGE_SECONDS * 1000 - 1);
    expect(await p.getApiKey()).toBe('old-key');
    expect(fetches()).toBe(1);

    vi.advanceTimersByTime(2);
    expect(await Promise.all([p.getApiKey(), p.getApiKey(), p.getApiKey()])).toEqual(['new-key', 'new-key', 'new-key']);
    expect(fetches()).toBe(2);
  });

  it('refreshApiKey() reads past the cache (forceFetch), and later calls get the rotated key', async () => {
    sm.on(GetSecretValueCommand).resolvesOnce(output({ SecretString: 'old-key' })).resolves(output({ SecretString: 'rotated' }));
    const p = provider();

    expect(await p.getApiKey()).toBe('old-key');
    expect(await p.refreshApiKey()).toBe('rotated');
    expect(await p.getApiKey()).toBe('rotated');
    expect(fetches()).toBe(2);
  });

  it('does not let a refresh reuse a read that began before it', async () => {
    let answer!: (value: GetSecretValueCommandOutput) => void;
    sm.on(GetSecretValueCommand)
      .callsFakeOnce(() => new Promise((resolve) => (answer = resolve)))
      .resolves(output({ SecretString: 'rotated' }));
    const p = provider();

    const early = p.getApiKey();
    const refreshed = p.refreshApiKey();
    expect(await refreshed).toBe('rotated');
    answer(output({ SecretString: 'stale' }));
    expect(await early).toBe('stale');
    expect(fetches()).toBe(2);
  });
});

describe('SecretsManagerKeyProvider failures', () => {
  it('does not cache a failed fetch: every waiter gets the rejection and the next call retries', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(awsError('InternalServiceError', 'try again'))
      .resolves(output({ SecretString: KEY }));
    const p = provider();

    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => p.getApiKey()));
    expect(settled.every((s) => s.status === 'rejected')).toBe(true);
    expect(fetches()).toBe(1);

    expect(await p.getApiKey()).toBe(KEY);
    expect(fetches()).toBe(2);
  });

  it('names the secret and the fix when the secret does not exist', async () => {
    const sdkError = new ResourceNotFoundException({
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400 },
    });
    sm.on(GetSecretValueCommand).rejects(sdkError);

    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('not found');
    expect(error.message).toContain('{"apiKey":"..."}');
    expect(error.cause).toBe(sdkError);
  });

  it('names the secret and the missing permission when access is denied', async () => {
    const sdkError = awsError('AccessDeniedException', 'User: arn:aws:sts::123456789012:assumed-role/fn is not authorized');
    sm.on(GetSecretValueCommand).rejects(sdkError);

    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('secretsmanager:GetSecretValue');
    expect(error.cause).toBe(sdkError);
  });

  it('names kms:Decrypt when the secret cannot be decrypted', async () => {
    sm.on(GetSecretValueCommand).rejects(awsError('DecryptionFailure', 'KMS access denied'));
    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('kms:Decrypt');
  });

  it.each([
    ['no SecretString', output({})],
    ['an empty SecretString', output({ SecretString: '' })],
    ['a whitespace-only SecretString', output({ SecretString: ' \n\t ' })],
  ])('reports a secret with %s as empty, with the expected formats', async (_label, response) => {
    sm.on(GetSecretValueCommand).resolves(response);
    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(`Secret ${SECRET_ID} has no value`);
    expect(error.message).toContain('plain text');
    expect(error.message).toContain('{"apiKey":"..."}');
  });

  it('rejects SecretBinary clearly', async () => {
    sm.on(GetSecretValueCommand).resolves(output({ SecretBinary: new TextEncoder().encode(KEY) }));
    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('SecretBinary');
    expect(error.message).not.toContain(KEY);
  });

  it.each([
    ['no apiKey', { key: KEY }],
    ['an empty apiKey', { apiKey: '  ' }],
    ['a non-string apiKey', { apiKey: 42 }],
  ])('rejects JSON with %s, naming the expected shape', async (_label, json) => {
    sm.on(GetSecretValueCommand).resolves(output({ SecretString: JSON.stringify(json) }));
    const error = await rejection(provider().getApiKey());
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain('"apiKey"');
    expect(error.message).toContain('{"apiKey":"..."}');
  });
});

describe('secret formats', () => {
  it.each([
    ['plain', KEY],
    ['plain with surrounding whitespace', `\n  ${KEY}\t\n`],
    ['JSON', JSON.stringify({ apiKey: KEY })],
    ['JSON with whitespace and extra fields', `  { "apiKey" : " ${KEY} ", "rotatedAt": "2026-01-01" }\n`],
  ])('reads the %s form', async (_label, secretString) => {
    sm.on(GetSecretValueCommand).resolves(output({ SecretString: secretString }));
    expect(await provider().getApiKey()).toBe(KEY);
  });

  it('keeps a plain key that merely looks like another JSON value', () => {
    expect(parseApiKeySecret(SECRET_ID, '1234567890')).toBe('1234567890');
    expect(parseApiKeySecret(SECRET_ID, '"quoted"')).toBe('"quoted"');
    expect(parseApiKeySecret(SECRET_ID, '[1,2]')).toBe('[1,2]');
  });

  it('reads a value starting with { as JSON and reports a typo instead of sending it as the key', () => {
    expect(() => parseApiKeySecret(SECRET_ID, '{"apiKey":"abc"')).toThrow(/looks like JSON but does not parse/);
  });

  it('property: any non-empty key without surrounding whitespace round-trips through both formats', () => {
    // A value starting with { is read as JSON by design, so such keys are not plain keys.
    const key = fc
      .string({ unit: 'binary', minLength: 1 })
      .filter((k) => k.trim() === k && k !== '' && !k.startsWith('{'));
    fc.assert(
      fc.property(key, (k) => {
        expect(parseApiKeySecret(SECRET_ID, k)).toBe(k);
        expect(parseApiKeySecret(SECRET_ID, JSON.stringify({ apiKey: k }))).toBe(k);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the key never leaks', () => {
  const leakyInputs: Array<[string, () => void]> = [
    ['malformed JSON', () => sm.on(GetSecretValueCommand).resolves(output({ SecretString: `{"apiKey":"${KEY}"` }))],
    ['malformed JSON without quotes', () => sm.on(GetSecretValueCommand).resolves(output({ SecretString: `{${KEY}}` }))],
    ['JSON under the wrong field', () => sm.on(GetSecretValueCommand).resolves(output({ SecretString: JSON.stringify({ key: KEY }) }))],
    ['JSON with a non-string apiKey', () => sm.on(GetSecretValueCommand).resolves(output({ SecretString: JSON.stringify({ apiKey: [KEY] }) }))],
    ['SecretBinary', () => sm.on(GetSecretValueCommand).resolves(output({ SecretBinary: new TextEncoder().encode(KEY) }))],
  ];

  it.each(leakyInputs)('%s: neither the message nor the inspected error contains the key', async (_label, arrange) => {
    arrange();
    const error = await rejection(provider().getApiKey());
    expect(error.message).not.toContain(KEY);
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(KEY);
  });

  it('property: no parse error message contains the secret text', () => {
    const secret = fc.string({ minLength: 8 }).map((s) => `KEY${s}KEY`);
    const badSecret = fc.oneof(
      secret.map((s) => `{${s}}`),
      secret.map((s) => `{"apiKey":${JSON.stringify(s)}`),
      secret.map((s) => JSON.stringify({ apiKey: [s] })),
      secret.map((s) => JSON.stringify({ other: s })),
    );
    fc.assert(
      fc.property(badSecret, (value) => {
        let thrown: unknown;
        try {
          parseApiKeySecret(SECRET_ID, value);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(Error);
        const message = (thrown as Error).message;
        expect(message).not.toContain('KEY');
        expect(inspect(thrown, { depth: 10 })).not.toContain('KEY');
      }),
    );
  });

  it('does not show the cached key when the provider is logged', async () => {
    sm.on(GetSecretValueCommand).resolves(output({ SecretString: KEY }));
    const p = provider();
    await p.getApiKey();
    expect(inspect(p, { depth: 10, showHidden: true })).not.toContain(KEY);
    expect(JSON.stringify(p)).not.toContain(KEY);
  });
});

describe('construction', () => {
  it('rejects an empty secret id, naming the variable that holds it', () => {
    expect(() => new SecretsManagerKeyProvider(' ')).toThrow(/secretId.*HIRINGCENTER_SECRET_ID/);
  });
});
