import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLER_NAMES, synthesizeBundles, type SynthesizedBundles } from '../../bench/build.ts';

/*
 * The handler bundles, built exactly as `cdk synth` builds them (a real synth with bundling on, same LAMBDA_BUNDLING),
 * must not grow more than 20 % over the budget recorded in bench/bundle-budget.json. A bigger bundle is slower to load
 * at every cold start; when growth is deliberate, re-measure with `npm run bench` and update the budget file.
 */
const GROWTH_ALLOWED = 1.2;
const budgetFile = new URL('../../bench/bundle-budget.json', import.meta.url);
const budget = JSON.parse(readFileSync(budgetFile, 'utf8')) as { bytes: Record<string, number> };

let outdir: string;
let built: SynthesizedBundles;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'hc-bundle-size-'));
  built = synthesizeBundles(outdir);
}, 60_000);

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

describe('Lambda bundle size', () => {
  it.each(HANDLER_NAMES)('%s stays under 1.2× its recorded budget', (name) => {
    const recorded = budget.bytes[name];
    expect(recorded, `no budget recorded for ${name} in bench/bundle-budget.json`).toBeTypeOf('number');
    const { bundleBytes } = built.handlers[name];
    expect(
      bundleBytes,
      `${name} is ${bundleBytes} bytes, more than ${GROWTH_ALLOWED}× its budget of ${recorded}: find what grew (esbuild --metafile), or re-measure and update bench/bundle-budget.json`,
    ).toBeLessThanOrEqual(Math.floor((recorded ?? 0) * GROWTH_ALLOWED));
  });

  it.each(HANDLER_NAMES)('%s bundles zod/mini and undici internals only, not classic zod, the whole undici or its Milo parser', (name) => {
    const code = readFileSync(built.handlers[name].bundlePath, 'utf8');
    // Classic zod registers its schema classes under these names; zod/mini's are "ZodMiniString" and so on.
    expect(code).not.toContain('"ZodString"');
    // Only undici's root module (fetch, MockAgent, ...) brings these; lib/hiringcenter/agent.ts imports the Agent alone.
    expect(code).not.toContain('MockAgent');
    expect(code).not.toContain('fetch failed');
    // infra/bundling.ts defines esbuildDetection, so undici's experimental Milo parser (WebAssembly) stays out. Module
    // paths survive in the bundle because identifiers are not minified (they name esbuild's module wrappers).
    expect(code).toContain('node_modules/undici/lib/dispatcher/client-h1.js');
    expect(code).not.toContain('undici/lib/milo/');
  });

  it.each(HANDLER_NAMES)('%s runs on Powertools Logger, Metrics and Parameters through middy, without Tracer', (name) => {
    const code = readFileSync(built.handlers[name].bundlePath, 'utf8');
    for (const used of ['injectLambdaContext', 'logMetrics', 'SecretsProvider']) expect(code, `${name} lacks ${used}`).toContain(used);
    // functions/commons/emf-step-metrics.ts flushes a second Metrics instead: singleMetric() builds one per call.
    expect(code).not.toContain('captureLambdaHandler');
  });

  it("leaves the first step's own work (import rows, the prospect write) out of the other steps' bundles", () => {
    // functions/handlers.ts marks the factories pure, so esbuild keeps only the step an entry uses.
    expect(readFileSync(built.handlers.upsertProspect.bundlePath, 'utf8')).toContain('rowToWorkflowInput');
    for (const name of ['createNote', 'createTask', 'createMeeting'] as const) {
      const code = readFileSync(built.handlers[name].bundlePath, 'utf8');
      expect(code, name).not.toContain('rowToWorkflowInput');
      expect(code, name).not.toContain('upsertProspectStep');
    }
  });
});
