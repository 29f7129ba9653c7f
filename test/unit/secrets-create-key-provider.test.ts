import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { EnvKeyProvider, SecretsManagerKeyProvider, createKeyProvider } from '../../lib/secrets/index.ts';

const sm = mockClient(SecretsManagerClient);
afterAll(() => sm.restore());
beforeEach(() => sm.reset());

describe('createKeyProvider', () => {
  it('uses Secrets Manager when HIRINGCENTER_SECRET_ID is set, even if HIRINGCENTER_API_KEY is too', async () => {
    sm.on(GetSecretValueCommand).resolves({ $metadata: {}, SecretString: '{"apiKey":"from-secret"}' });
    const p = createKeyProvider({ HIRINGCENTER_SECRET_ID: ' hiringcenter/api-key ', HIRINGCENTER_API_KEY: 'from-env' });

    expect(p).toBeInstanceOf(SecretsManagerKeyProvider);
    expect((p as SecretsManagerKeyProvider).secretId).toBe('hiringcenter/api-key');
    expect((p as SecretsManagerKeyProvider).ttlMs).toBe(300_000);
    expect(await p.getApiKey()).toBe('from-secret');
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: 'hiringcenter/api-key' })).toHaveLength(1);
  });

  it('takes the TTL from HIRINGCENTER_SECRET_TTL_SECONDS', () => {
    const p = createKeyProvider({ HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_SECRET_TTL_SECONDS: ' 60 ' });
    expect((p as SecretsManagerKeyProvider).ttlMs).toBe(60_000);
    const noCache = createKeyProvider({ HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_SECRET_TTL_SECONDS: '0' });
    expect((noCache as SecretsManagerKeyProvider).ttlMs).toBe(0);
  });

  it.each(['-1', '1.5', 'abc', '5m', '1e3'])('rejects HIRINGCENTER_SECRET_TTL_SECONDS=%s', (ttl) => {
    expect(() => createKeyProvider({ HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_SECRET_TTL_SECONDS: ttl })).toThrow(
      /HIRINGCENTER_SECRET_TTL_SECONDS must be a whole number/,
    );
  });

  it('passes a given client and clock through', async () => {
    sm.on(GetSecretValueCommand).resolves({ $metadata: {}, SecretString: 'k' });
    let clock = 0;
    const p = createKeyProvider(
      { HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_SECRET_TTL_SECONDS: '10' },
      { client: new SecretsManagerClient({}), now: () => clock },
    );
    await p.getApiKey();
    clock = 10_000;
    await p.getApiKey();
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('falls back to HIRINGCENTER_API_KEY', async () => {
    const p = createKeyProvider({ HIRINGCENTER_SECRET_ID: '  ', HIRINGCENTER_API_KEY: 'from-env' });
    expect(p).toBeInstanceOf(EnvKeyProvider);
    expect(await p.getApiKey()).toBe('from-env');
  });

  it('names both variables when neither is set', () => {
    expect(() => createKeyProvider({})).toThrow(/HIRINGCENTER_SECRET_ID.*HIRINGCENTER_API_KEY/);
    expect(() => createKeyProvider({ HIRINGCENTER_API_KEY: ' ' })).toThrow(/HIRINGCENTER_SECRET_ID.*HIRINGCENTER_API_KEY/);
  });
});
