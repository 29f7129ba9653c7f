import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerIdOf, type CallerIdentitySource, executionNameFor } from '../../lib/webhook/execution-name.ts';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { synthesizeWebhook } from '../support/webhook-stack.ts';

/*
 * POST /activities names executions in its request template; lib/webhook/execution-name.ts states the same rule in
 * TypeScript, where its properties (collision-free, caller-scoped) are proven (test/unit/webhook-execution-name.test.ts).
 * The synthesized template and the library function are run side by side on hostile keys and callers.
 */
const REQUEST_ID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
const templates: Partial<Record<CallerIdentitySource, string>> = {};
beforeAll(() => {
  templates.apiKey = synthesizeWebhook().post.request;
  templates.iam = synthesizeWebhook({ webhookAuth: 'iam' }).post.request;
});

function bothNames(source: CallerIdentitySource, identity: { apiKeyId?: string; caller?: string }, key: string | undefined) {
  const headers: Record<string, string> = key === undefined ? {} : { 'Idempotency-Key': key };
  const request = JSON.parse(renderMappingTemplate(templates[source] as string, { body: { prospect: {} }, headers, identity, requestId: REQUEST_ID }).output) as { input: string };
  const door = JSON.parse(request.input) as { name?: string; problem?: string };
  const lib = executionNameFor({ callerId: callerIdOf(source, identity), idempotencyKey: key, requestId: REQUEST_ID });
  return { template: door.name ?? `refused: ${door.problem}`, lib: lib.ok ? lib.name : `refused: ${lib.problem}` };
}

const hostileKey = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 90 }),
  fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '-', '.', ' ', '+', '/', '=', 'é', '😀', '"', "'", '\\', '$', '#'), maxLength: 80 }),
  fc.stringMatching(/^[0-9A-Za-z_-]{60,75}$/),
  fc.uuid(),
);

describe('execution names: the mapping template and lib/webhook agree', () => {
  it('for API-key callers, on hostile keys and on ordinary ones', () => {
    let refused = 0;
    let named = 0;
    fc.assert(fc.property(fc.stringMatching(/^[0-9a-z]{10}$/), fc.option(hostileKey, { nil: undefined }), (apiKeyId, key) => {
      const names = bothNames('apiKey', { apiKeyId }, key);
      expect(names.template).toBe(names.lib);
      if (names.lib === 'refused: key') refused++;
      else named++;
    }), { numRuns: 1500 });
    expect(named).toBeGreaterThan(1000);
    expect(refused).toBeGreaterThan(20);
  });

  it('for IAM callers, whose role sessions share one caller id, and for callers that cannot be told apart', () => {
    const caller = fc.oneof(
      fc.stringMatching(/^A(IDA|ROA)[A-Z0-9]{17}$/),
      fc.tuple(fc.stringMatching(/^AROA[A-Z0-9]{17}$/), fc.string({ maxLength: 30 })).map(([id, session]) => `${id}:${session}`),
      fc.string({ maxLength: 50 }),
    );
    let named = 0;
    fc.assert(fc.property(caller, fc.option(hostileKey, { nil: undefined }), (callerId, key) => {
      const names = bothNames('iam', { caller: callerId }, key);
      expect(names.template).toBe(names.lib);
      if (!names.lib.startsWith('refused')) named++;
    }), { numRuns: 1000 });
    expect(named).toBeGreaterThan(400);
    expect(bothNames('iam', { caller: 'AROAEXAMPLEID12345678:zap-1' }, 'k').template).toBe(bothNames('iam', { caller: 'AROAEXAMPLEID12345678:zap-2' }, 'k').template);
  });

  it('leaves out only what HTTP cannot carry: a lone surrogate, which Java would encode as "?" and the library refuses', () => {
    const names = bothNames('apiKey', { apiKeyId: 'a1b2c3d4e5' }, 'a\uD800');
    expect(names.lib).toBe('refused: key');
    expect(names.template).toBe(bothNames('apiKey', { apiKeyId: 'a1b2c3d4e5' }, 'a?').template);
  });
});
