import { afterAll, describe, expect, it } from 'vitest';
import { cliFileTarget } from '../../bench/soak/fuzz-cli.ts';
import { handlerTarget, runFuzzTarget, schemaTarget, webhookModelTarget, type FuzzResult, type FuzzTarget } from '../../bench/soak/fuzz.ts';

/*
 * 1,000 generated cases per input path (near-valid inputs with hostile mutations: 300 KB strings, 6,000-level nesting,
 * __proto__/constructor/prototype keys, control characters, lone surrogates, files that are not UTF-8). Each case must be
 * accepted and valid, or rejected with Input.Invalid naming the field; nothing may crash, and a rejected case calls no
 * API. The soak command runs 10,000 per target.
 */
const CASES = 1_000;
const SEED = 20_261_101;

function expectSound(result: FuzzResult): void {
  expect(result.examples).toEqual([]);
  expect(result.violations).toBe(0);
  expect(result.cases).toBe(CASES);
  // Both verdicts must be well represented, or the generator has drifted and the property proves little.
  expect(result.accepted).toBeGreaterThan(CASES * 0.1);
  expect(result.rejected).toBeGreaterThan(CASES * 0.1);
}

const opened: FuzzTarget<never>[] = [];
afterAll(async () => {
  for (const target of opened) await target.close?.();
});

describe('fuzzed input', () => {
  it('the workflow input schema accepts only inputs that can complete, and names the field of every rejection', async () => {
    expectSound(await runFuzzTarget(schemaTarget(), CASES, SEED));
  });

  it('each step handler either calls the API once with a valid request or rejects without calling it', async () => {
    expectSound(await runFuzzTarget(handlerTarget(), CASES, SEED));
  });

  it('the API Gateway model is never stricter than the workflow, and never crashes on hostile bodies', async () => {
    expectSound(await runFuzzTarget(webhookModelTarget(), CASES, SEED));
  });

  it('hc-workflow run FILE refuses damaged files with one clear line, and creates no record for a rejected input', async () => {
    const target = await cliFileTarget(300);
    opened.push(target as FuzzTarget<never>);
    expectSound(await runFuzzTarget(target, CASES, SEED));
  });
});
