import { describe, expect, it } from 'vitest';
import { EnvKeyProvider, StaticKeyProvider } from '../../lib/secrets/env.ts';

describe('EnvKeyProvider', () => {
  it('reads HIRINGCENTER_API_KEY, trimmed', async () => {
    const p = new EnvKeyProvider({ HIRINGCENTER_API_KEY: '  hc_test_key\n' });
    expect(await p.getApiKey()).toBe('hc_test_key');
  });

  it.each([[{}], [{ HIRINGCENTER_API_KEY: '' }], [{ HIRINGCENTER_API_KEY: '   ' }]])(
    'tells the user what to export when the key is missing or empty (%j)',
    async (env) => {
      const p = new EnvKeyProvider(env);
      await expect(p.getApiKey()).rejects.toThrow(/export HIRINGCENTER_API_KEY=/);
      await expect(p.refreshApiKey()).rejects.toThrow(/sandbox/);
    },
  );

  it('refreshApiKey() re-reads the environment', async () => {
    const env: Record<string, string | undefined> = { HIRINGCENTER_API_KEY: 'first' };
    const p = new EnvKeyProvider(env);
    expect(await p.getApiKey()).toBe('first');
    env.HIRINGCENTER_API_KEY = 'second';
    expect(await p.refreshApiKey()).toBe('second');
  });
});

describe('StaticKeyProvider', () => {
  it('returns the same key from getApiKey() and refreshApiKey()', async () => {
    const p = new StaticKeyProvider('sandbox-key');
    expect(await p.getApiKey()).toBe('sandbox-key');
    expect(await p.refreshApiKey()).toBe('sandbox-key');
  });

  it('refuses an empty key', () => {
    expect(() => new StaticKeyProvider(' ')).toThrow(/non-empty/);
  });
});
