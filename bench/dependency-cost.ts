// What each library a Lambda loads costs at cold start: `node bench/dependency-cost.ts [--cold-runs N] [--json]`, or
// `npm run bench:deps`. Each variant in bench/dependency-cost/ loads one library and uses it once the way the project
// does; they are bundled as infra/bundling.ts bundles a Lambda (bench/lambda-esbuild.ts) and measured in fresh Node
// processes with bench/harness.ts (the same child, environment and stand-ins as `npm run bench`), round-robin so that
// machine load hits all alike. Each row is compared with the variant it builds on (the empty handler, or middy, or the
// bare Secrets Manager client). A second table does the same inside a real step: createNote as deployed, without
// Powertools Logger, and without Logger and Metrics, against the minimal baseline, because a library that shares Node
// built-ins and SDK code with the rest of a bundle costs less there than alone. Results are recorded in bench/README.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../functions/commons/constants.ts';
import { buildLambdaBundles } from './lambda-esbuild.ts';
import { load, measureCold, median, progress, quantile, round, startFixtures, type ColdTarget } from './harness.ts';

interface Variant {
  name: string;
  library: string;
  /** The variant this one adds its library to. */
  over: string;
  /** Which of the project's Lambdas load it. */
  loadedBy: string;
  /** In the second table: a whole step, also compared with the minimal baseline. */
  step?: true;
}

const STEPS = 'the four steps';
const VARIANTS: readonly Variant[] = [
  { name: 'empty', library: '(nothing: the empty handler)', over: 'empty', loadedBy: '' },
  { name: 'zod-mini', library: 'zod/mini', over: 'empty', loadedBy: STEPS },
  { name: 'middy-core', library: '@middy/core', over: 'empty', loadedBy: STEPS },
  { name: 'undici-subset', library: 'undici (Agent + request API) + one GET', over: 'empty', loadedBy: STEPS },
  { name: 'secrets-manager', library: '@aws-sdk/client-secrets-manager + GetSecretValue', over: 'empty', loadedBy: STEPS },
  { name: 'dynamodb', library: '@aws-sdk/client-dynamodb + UpdateItem', over: 'empty', loadedBy: STEPS },
  { name: 'eventbridge', library: '@aws-sdk/client-eventbridge (client built, nothing sent)', over: 'empty', loadedBy: 'publish-activity-event' },
  { name: 'powertools-logger', library: '@aws-lambda-powertools/logger + injectLambdaContext', over: 'middy-core', loadedBy: STEPS },
  { name: 'powertools-metrics', library: '@aws-lambda-powertools/metrics + logMetrics', over: 'middy-core', loadedBy: STEPS },
  { name: 'powertools-parameters', library: '@aws-lambda-powertools/parameters getSecret', over: 'secrets-manager', loadedBy: STEPS },
  { name: 'minimal-step', library: 'minimal baseline (secret read, one UpdateItem, one undici request)', over: 'minimal-step', loadedBy: '', step: true },
  { name: 'step-without-powertools', library: 'createNote with the local JSON logger and no metrics (Parameters kept)', over: 'minimal-step', loadedBy: '', step: true },
  { name: 'step-with-powertools-metrics', library: '+ Powertools Metrics (EMF, logMetrics)', over: 'step-without-powertools', loadedBy: '', step: true },
  { name: 'step', library: '+ Powertools Logger (injectLambdaContext) = createNote as deployed', over: 'step-with-powertools-metrics', loadedBy: STEPS, step: true },
];

const args = parseArgs({ options: { 'cold-runs': { type: 'string', default: '21' }, json: { type: 'boolean', default: false } } }).values;
const coldRuns = Number(args['cold-runs']);
if (!Number.isInteger(coldRuns) || coldRuns < 1) throw new Error('--cold-runs must be a positive integer');
const root = new URL('..', import.meta.url).pathname;

const workdir = mkdtempSync(join(tmpdir(), 'dependency-cost-'));
try {
  progress(`node ${process.version}, load average ${load()}`);
  const bundles = await buildLambdaBundles(root, 'bench/dependency-cost', VARIANTS.map(({ name }) => name), workdir);
  const fixtures = await startFixtures(workdir);
  try {
    // As infra/workflow-function.ts sets them on every step; the library variants ignore them.
    const environment = { POWERTOOLS_SERVICE_NAME: SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE };
    const targets: ColdTarget[] = bundles.map((bundle) => ({ name: bundle.name, bundlePath: bundle.outfile, kind: 'note', environment }));
    progress(`${coldRuns} cold processes for each of ${targets.length} variants`);
    const samples = await measureCold(fixtures, targets, coldRuns);
    const figures = Object.fromEntries(bundles.map((bundle) => {
      const sample = samples[bundle.name];
      if (sample === undefined) throw new Error(`no samples for ${bundle.name}`);
      return [bundle.name, {
        bytes: bundle.bytes,
        coldInitMs: median(sample.initMs),
        coldStartMs: median(sample.startMs),
        p25: quantile(sample.startMs, 0.25),
        p75: quantile(sample.startMs, 0.75),
        cpuMs: median(sample.cpuMs),
        startMs: sample.startMs,
      }];
    }));
    const rows = VARIANTS.map((variant) => {
      const own = figures[variant.name];
      const base = figures[variant.over];
      if (own === undefined || base === undefined) throw new Error(`no figures for ${variant.name} or ${variant.over}`);
      return {
        variant: variant.name,
        library: variant.library,
        over: variant.over,
        loadedBy: variant.loadedBy,
        bundleBytes: own.bytes,
        addedBytes: own.bytes - base.bytes,
        coldInitMs: round(own.coldInitMs, 1),
        coldStartMs: round(own.coldStartMs, 1),
        coldStartP25: round(own.p25, 1),
        coldStartP75: round(own.p75, 1),
        addedColdInitMs: round(own.coldInitMs - base.coldInitMs, 1),
        addedColdStartMs: round(own.coldStartMs - base.coldStartMs, 1),
        addedCpuMs: round(own.cpuMs - base.cpuMs, 1),
        // Paired within each round (as `npm run bench` does), the median over rounds.
        ...(variant.step ? { coldStartVsMinimal: round(median(own.startMs.map((ms, i) => ms / (figures['minimal-step']?.startMs[i] ?? NaN))), 3) } : {}),
      };
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ coldRuns, node: process.version, rows })}\n`);
    } else {
      const added = (row: (typeof rows)[number], value: number | string) => (row.variant === row.over ? '' : value);
      const lines = [
        '| library | loaded by | bundle bytes | cold init ms | cold start ms (p25–p75) | added over | added init ms | added cold start ms | added CPU ms |',
        '|---|---|---:|---:|---:|---|---:|---:|---:|',
        ...rows.filter((row) => row.coldStartVsMinimal === undefined).map((row) => `| ${row.library} | ${row.loadedBy} | ${row.bundleBytes.toLocaleString('en-US')} | ${row.coldInitMs} | ${row.coldStartMs} (${row.coldStartP25}–${row.coldStartP75}) | ${added(row, row.over)} | ${added(row, row.addedColdInitMs)} | ${added(row, row.addedColdStartMs)} | ${added(row, row.addedCpuMs)} |`),
        '',
        '| in a step | bundle bytes | cold start ms (p25–p75) | added cold start ms | added CPU ms | cold start / minimal (paired) |',
        '|---|---:|---:|---:|---:|---:|',
        ...rows.filter((row) => row.coldStartVsMinimal !== undefined).map((row) => `| ${row.library} | ${row.bundleBytes.toLocaleString('en-US')} | ${row.coldStartMs} (${row.coldStartP25}–${row.coldStartP75}) | ${added(row, row.addedColdStartMs)} | ${added(row, row.addedCpuMs)} | ${row.coldStartVsMinimal}× |`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await fixtures.close();
  }
} finally {
  rmSync(workdir, { recursive: true, force: true });
}
