import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  dependenciesFromEnv, keyProviderFromEnv, measuredPacer, quotaSettingsFromEnv, readingKeyAlongside, type StepTelemetry,
} from '../../functions/commons/dependencies.ts';
import { noStepMetrics, type StepMetrics } from '../../functions/commons/step-metrics.ts';
import { startSandbox } from '../../dev/sandbox/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { createQuotaPacer, MemoryPacerStore, type QuotaPacer } from '../../lib/pacer/index.ts';
import { EnvKeyProvider, SecretsManagerKeyProvider, type ApiKeyProvider } from '../../lib/secrets/index.ts';

/* functions/commons/dependencies.ts: what a deployed step builds from its environment, and how it is instrumented. */

const sm = mockClient(SecretsManagerClient);
afterAll(() => sm.restore());
beforeEach(() => {
  sm.reset();
  clearCaches();
});

describe('keyProviderFromEnv', () => {
  it('uses Secrets Manager when HIRINGCENTER_SECRET_ID is set, even if HIRINGCENTER_API_KEY is too', async () => {
    sm.on(GetSecretValueCommand).resolves({ $metadata: {}, SecretString: '{"apiKey":"from-secret"}' });
    const p = keyProviderFromEnv({ HIRINGCENTER_SECRET_ID: ' hiringcenter/api-key ', HIRINGCENTER_API_KEY: 'from-env' });

    expect(p).toBeInstanceOf(SecretsManagerKeyProvider);
    expect(await p.getApiKey()).toBe('from-secret');
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: 'hiringcenter/api-key' })).toHaveLength(1);
  });

  it('falls back to HIRINGCENTER_API_KEY', async () => {
    const p = keyProviderFromEnv({ HIRINGCENTER_SECRET_ID: '  ', HIRINGCENTER_API_KEY: 'from-env' });
    expect(p).toBeInstanceOf(EnvKeyProvider);
    expect(await p.getApiKey()).toBe('from-env');
  });

  it('names both variables when neither is set', () => {
    expect(() => keyProviderFromEnv({})).toThrow(/HIRINGCENTER_SECRET_ID.*HIRINGCENTER_API_KEY/);
    expect(() => keyProviderFromEnv({ HIRINGCENTER_API_KEY: ' ' })).toThrow(/HIRINGCENTER_SECRET_ID.*HIRINGCENTER_API_KEY/);
  });
});

describe('quotaSettingsFromEnv', () => {
  it('reads the three settings, and leaves unset ones to the pacer defaults', () => {
    expect(quotaSettingsFromEnv({ API_QUOTA_PER_MINUTE: '50', API_QUOTA_PER_HOUR: ' 1000 ', API_QUOTA_SHARE: '0.5' })).toEqual({ perMinute: 50, perHour: 1000, share: 0.5 });
    expect(quotaSettingsFromEnv({})).toEqual({});
  });

  it.each([
    ['API_QUOTA_PER_MINUTE', 'lots', /API_QUOTA_PER_MINUTE must be a positive number, got "lots"/],
    ['API_QUOTA_PER_HOUR', '-5', /API_QUOTA_PER_HOUR must be a positive number/],
    ['API_QUOTA_SHARE', '1.5', /API_QUOTA_SHARE must be a fraction of the key's quota, from 0 to 1/],
  ])('names %s and what it must be when it is %s', (name, value, message) => {
    expect(() => quotaSettingsFromEnv({ [name]: value })).toThrow(message);
  });
});

function recordingMetrics(): StepMetrics & { waits: number[]; routes: string[] } {
  const waits: number[] = [];
  const routes: string[] = [];
  return { ...noStepMetrics, waits, routes, quotaWaited: (ms) => waits.push(ms), apiResponded: (response) => routes.push(`${response.method} ${response.path} ${response.status}`) };
}

describe('measuredPacer', () => {
  it('records the wait of each slot reserved, and of a confirm only when it had to take a new slot', async () => {
    let now = 1_000_000;
    const pacer = createQuotaPacer({ store: new MemoryPacerStore(), quotaKey: 'q', perMinute: 60, share: 1, minuteBurst: 1, now: () => now });
    const metrics = recordingMetrics();
    const measured = measuredPacer(pacer, metrics);

    const first = await measured.reserve();
    const second = await measured.reserve();
    expect(metrics.waits).toEqual([0, pacer.schedule.minute.intervalMs]);
    if (!second.reserved || !first.reserved) throw new Error('expected two reservations');
    now = second.slotAt;
    expect(await measured.confirm({ slotAt: second.slotAt, generation: second.generation })).toMatchObject({ reserved: true, slotAt: second.slotAt });
    expect(metrics.waits).toEqual([0, pacer.schedule.minute.intervalMs]);
  });
});

describe('readingKeyAlongside', () => {
  function slowPacer(log: string[]): QuotaPacer {
    const pacer = createQuotaPacer({ store: new MemoryPacerStore(), quotaKey: 'q' });
    return { ...pacer, reserve: async (options) => {
      log.push('reserve started');
      await new Promise((resolve) => setTimeout(resolve, 20));
      log.push('reserve done');
      return pacer.reserve(options);
    } };
  }

  it('starts reading the key while the slot is reserved, not after', async () => {
    const log: string[] = [];
    const keys: ApiKeyProvider = { getApiKey: async () => (log.push('key read'), 'k'), refreshApiKey: async () => 'k' };
    const decision = await readingKeyAlongside(slowPacer(log), keys).reserve();
    expect(decision.reserved).toBe(true);
    expect(log).toEqual(['reserve started', 'key read', 'reserve done']);
  });

  it('leaves a failed key read to the request: the reservation still succeeds', async () => {
    const keys: ApiKeyProvider = { getApiKey: async () => { throw new Error('AccessDenied'); }, refreshApiKey: async () => 'k' };
    await expect(readingKeyAlongside(slowPacer([]), keys).reserve()).resolves.toMatchObject({ reserved: true });
  });
});

describe('dependenciesFromEnv', () => {
  it('reads the secret once, masks the key in logs, and reports every API response to the metrics', async () => {
    const sandbox = await startSandbox({ apiKey: 'hc_live_key_123' });
    try {
      sm.on(GetSecretValueCommand).resolves({ $metadata: {}, SecretString: 'hc_live_key_123' });
      const masked: string[] = [];
      const metrics = recordingMetrics();
      const telemetry: StepTelemetry = { logger: silentLogger, metrics, maskInLogs: (secret) => masked.push(secret) };
      const deps = dependenciesFromEnv({ HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_BASE_URL: sandbox.url, API_QUOTA_PER_MINUTE: '100' }, telemetry);

      expect(deps.pacer.schedule.perMinute).toBe(100);
      await deps.pacer.reserve();
      // The reservation read the key alongside; the client's own reads hit the cache.
      expect(masked).toEqual(['hc_live_key_123']);
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
      expect(metrics.waits).toEqual([0]);
      const prospect = await deps.api.upsertProspect({ firstName: 'Ada', lastName: 'Lovelace' }, { idempotencyKey: 'k-prospect' });
      await deps.api.createNote({ prospectId: prospect.item.id, body: 'b' }, { idempotencyKey: 'k-note' });
      expect(metrics.routes).toEqual(['POST /prospects 201', 'POST /notes 201']);
      expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    } finally {
      await sandbox.close();
    }
  });

  it('reports no latency for a request that got no response: the error is the client\'s', async () => {
    sm.on(GetSecretValueCommand).resolves({ $metadata: {}, SecretString: 'hc_live_key_123' });
    const metrics = recordingMetrics();
    const deps = dependenciesFromEnv({ HIRINGCENTER_SECRET_ID: 's', HIRINGCENTER_BASE_URL: 'http://127.0.0.1:9/v2' }, { logger: silentLogger, metrics, maskInLogs: () => undefined });
    // Port 9 (discard) refuses the connection.
    await expect(deps.api.createNote({ prospectId: 'p', body: 'b' }, { idempotencyKey: 'k' })).rejects.toMatchObject({ name: 'HiringCenter.Unavailable' });
    expect(metrics.routes).toEqual([]);
  });
});
