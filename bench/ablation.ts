// `node bench/ablation.ts [--cold-runs N]`: where the cold-start gains came from. Synthesizes createNote (and the two
// baselines) with CDK under the original bundling settings, then with each change of infra/bundling.ts added one at a
// time, plus a few rejected alternatives, and measures them all in the same run, interleaved. Prints a markdown table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LAMBDA_BUNDLING, LAMBDA_RUNTIME_ENVIRONMENT } from '../infra/bundling.ts';
import { describeFunction } from './build.ts';
import { load, measureCold, median, progress, quantile, startFixtures, type ColdTarget, type EventKind } from './harness.ts';

const { values: args } = parseArgs({ options: { 'cold-runs': { type: 'string', default: '21' } } });
const COLD_RUNS = Number(args['cold-runs']);

/** infra/workflow.ts before this work (git history): ESM with a createRequire banner, minified, source maps on. */
const ORIGINAL_BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
};
const SOURCE_MAPS = { NODE_OPTIONS: '--enable-source-maps' };
const CJS = { ...ORIGINAL_BUNDLING, sourceMap: false, format: OutputFormat.CJS, banner: undefined } satisfies BundlingOptions;
const NO_DYNAMIC_IMPORT = { ...CJS, esbuildArgs: { '--supported:dynamic-import': 'false' } } satisfies BundlingOptions;
/** infra/bundling.ts without the esbuildDetection define, i.e. with undici's Milo parser bundled. */
const WITH_MILO = { ...LAMBDA_BUNDLING, define: {} } satisfies BundlingOptions;
/** Rejected: undici loads node:http2 (about 9 ms) for a client we never use (allowH2: false). */
const WITHOUT_HTTP2 = {
  ...LAMBDA_BUNDLING,
  esbuildArgs: { ...LAMBDA_BUNDLING.esbuildArgs, '--alias': `node:http2=${fileURLToPath(new URL('./variants/http2-unavailable.cjs', import.meta.url))}` },
} satisfies BundlingOptions;

interface Variant {
  name: string;
  entry: 'create-note' | 'floor' | 'naive';
  bundling: BundlingOptions;
  environment: Record<string, string>;
  note: string;
}

const VARIANTS: Variant[] = [
  { name: 'A original', entry: 'create-note', bundling: ORIGINAL_BUNDLING, environment: SOURCE_MAPS, note: 'ESM + banner, minified, source map, NODE_OPTIONS=--enable-source-maps' },
  { name: 'B', entry: 'create-note', bundling: ORIGINAL_BUNDLING, environment: {}, note: 'A without NODE_OPTIONS=--enable-source-maps' },
  { name: 'C', entry: 'create-note', bundling: { ...ORIGINAL_BUNDLING, sourceMap: false }, environment: {}, note: 'B without the source map file' },
  { name: 'D', entry: 'create-note', bundling: CJS, environment: {}, note: 'C as CommonJS (no banner)' },
  { name: 'E', entry: 'create-note', bundling: NO_DYNAMIC_IMPORT, environment: {}, note: 'D with import() turned into require()' },
  { name: 'F', entry: 'create-note', bundling: WITH_MILO, environment: {}, note: 'E without identifier minification' },
  { name: 'I final', entry: 'create-note', bundling: LAMBDA_BUNDLING, environment: { ...LAMBDA_RUNTIME_ENVIRONMENT }, note: "F with esbuildDetection defined (undici's Milo parser left out) = infra/bundling.ts" },
  { name: 'G', entry: 'create-note', bundling: { ...LAMBDA_BUNDLING, mainFields: ['main', 'module'] }, environment: {}, note: 'final from the CommonJS builds (SDK not tree-shaken)' },
  { name: 'H', entry: 'create-note', bundling: { ...LAMBDA_BUNDLING, sourceMap: true }, environment: SOURCE_MAPS, note: 'final with source maps back on' },
  { name: 'J', entry: 'create-note', bundling: WITHOUT_HTTP2, environment: {}, note: 'final with node:http2 replaced by a throwing stub (rejected)' },
  { name: 'floor A', entry: 'floor', bundling: ORIGINAL_BUNDLING, environment: SOURCE_MAPS, note: 'floor baseline, original settings' },
  { name: 'floor final', entry: 'floor', bundling: LAMBDA_BUNDLING, environment: {}, note: 'floor baseline, final settings' },
  { name: 'naive A', entry: 'naive', bundling: ORIGINAL_BUNDLING, environment: SOURCE_MAPS, note: 'naive baseline, original settings' },
  { name: 'naive final', entry: 'naive', bundling: LAMBDA_BUNDLING, environment: {}, note: 'naive baseline, final settings' },
];

const entryPath = (entry: Variant['entry']): string =>
  fileURLToPath(entry === 'create-note' ? new URL('../functions/create-note.ts', import.meta.url) : new URL(`./baselines/${entry}.ts`, import.meta.url));

async function main(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'hc-ablation-'));
  try {
    progress(`synthesizing ${VARIANTS.length} variants with CDK (load ${load()})...`);
    const app = new App({ outdir });
    const stack = new Stack(app, 'BenchAblation');
    const functions = VARIANTS.map((variant, index) =>
      new NodejsFunction(stack, `Variant${index}`, {
        entry: entryPath(variant.entry),
        handler: 'handler',
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        environment: variant.environment,
        bundling: variant.bundling,
      }));
    const assembly = app.synth();
    const built = functions.map((fn) => describeFunction(outdir, assembly, stack, fn));
    const fixtures = await startFixtures(outdir);
    try {
      const targets: ColdTarget[] = VARIANTS.map((variant, index) => ({
        name: variant.name,
        bundlePath: built[index]?.bundlePath ?? '',
        kind: 'note' satisfies EventKind,
        environment: built[index]?.environment ?? {},
        apiKeyInEnv: variant.entry === 'floor',
      }));
      progress(`cold: ${COLD_RUNS} fresh processes per variant`);
      const cold = await measureCold(fixtures, targets, COLD_RUNS);
      const lines = ['| variant | what | bundle bytes | cold init ms | cold start ms (p25–p75) |', '|---|---|---:|---:|---:|'];
      VARIANTS.forEach((variant, index) => {
        const samples = cold[variant.name] ?? { initMs: [], startMs: [], cpuMs: [] };
        lines.push(`| ${variant.name} | ${variant.note} | ${(built[index]?.bundleBytes ?? 0).toLocaleString('en-US')} | ${median(samples.initMs).toFixed(1)} | ${median(samples.startMs).toFixed(1)} (${quantile(samples.startMs, 0.25).toFixed(0)}–${quantile(samples.startMs, 0.75).toFixed(0)}) |`);
      });
      lines.push('', `node ${process.version}; ${COLD_RUNS} cold processes per variant; load average ${load()}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await fixtures.close();
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

await main();
