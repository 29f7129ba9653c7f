// What the quota pacer's DynamoDB side adds to a step's cold start and bundle: `node bench/pacer-cold-start.ts
// [--cold-runs N] [--json]`. Builds the four handlers in bench/pacer-cold-start/ the way infra/bundling.ts bundles a
// Lambda, checks that each bundle holds one copy of the SDK core, then measures fresh-process cold starts with
// bench/harness.ts (the same child process, environment and Secrets Manager stand-in as `npm run bench`), with
// bench/dynamodb-standin.ts as the DynamoDB endpoint (it answers at once, so the figures are the client's). The results
// are recorded in docs/decisions/quota-pacer.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbStandIn } from './dynamodb-standin.ts';
import { buildLambdaBundles } from './lambda-esbuild.ts';
import { measureCold, median, progress, quantile, round, startFixtures, type ColdTarget } from './harness.ts';

const VARIANTS = [
  { name: 'secrets-only', what: 'Secrets Manager client + GetSecretValue (baseline)' },
  { name: 'dynamodb-client', what: '+ DynamoDBClient + one UpdateItem' },
  { name: 'pacer', what: '+ lib/pacer (DynamoDbPacerStore) + reserve()' },
  { name: 'dynamodb-aggregated', what: '+ aggregated DynamoDB client (rate-limiter-flexible needs it) + updateItem' },
] as const;

/** Packages that must appear once per bundle: two copies would mean two SDK cores loaded at every cold start. */
const SINGLE_COPY = ['@smithy/core', '@aws-sdk/core'];

const args = parseArgs({ options: { 'cold-runs': { type: 'string' }, json: { type: 'boolean' } } }).values;
const coldRuns = Number(args['cold-runs'] ?? 21);
const root = new URL('..', import.meta.url).pathname;

const workdir = mkdtempSync(join(tmpdir(), 'pacer-cold-'));
try {
  const bundles = await buildLambdaBundles(root, 'bench/pacer-cold-start', VARIANTS.map(({ name }) => name), workdir, SINGLE_COPY);
  for (const bundle of bundles) {
    for (const [pkg, dirs] of Object.entries(bundle.copies)) {
      if (dirs.length !== 1) throw new Error(`${bundle.name}: expected one copy of ${pkg}, found ${dirs.length}: ${dirs.join(', ')}`);
    }
  }
  progress(`built ${bundles.length} bundles; one copy each of ${SINGLE_COPY.join(' and ')}`);

  const dynamo = await startDynamoDbStandIn();
  const fixtures = await startFixtures(workdir);
  try {
    const environment = { AWS_ENDPOINT_URL_DYNAMODB: dynamo.url, PACER_TABLE_NAME: 'bench-pacer' };
    const targets: ColdTarget[] = bundles.map((bundle) => ({ name: bundle.name, bundlePath: bundle.outfile, kind: 'note', environment }));
    progress(`${coldRuns} cold processes per variant`);
    const samples = await measureCold(fixtures, targets, coldRuns);
    // One DynamoDB request per cold process for each variant but the baseline: the pacer's first guess held.
    const expectedRequests = coldRuns * (bundles.length - 1);
    if (dynamo.requests() !== expectedRequests) throw new Error(`expected ${expectedRequests} DynamoDB requests, the stand-in got ${dynamo.requests()}`);
    const base = samples['secrets-only'];
    const rows = bundles.map((bundle) => {
      const sample = samples[bundle.name];
      if (sample === undefined || base === undefined) throw new Error(`no samples for ${bundle.name}`);
      return {
        variant: bundle.name,
        bytes: bundle.bytes,
        bytesAdded: bundle.bytes - (bundles[0]?.bytes ?? 0),
        coldInitMs: round(median(sample.initMs), 1),
        coldStartMs: round(median(sample.startMs), 1),
        coldStartP25: round(quantile(sample.startMs, 0.25), 1),
        coldStartP75: round(quantile(sample.startMs, 0.75), 1),
        coldStartAddedMs: round(median(sample.startMs) - median(base.startMs), 1),
        // CPU time of the whole cold process (all threads): disturbed less by other load on the machine than wall time.
        coldCpuMs: round(median(sample.cpuMs), 1),
        coldCpuAddedMs: round(median(sample.cpuMs) - median(base.cpuMs), 1),
      };
    });
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ coldRuns, node: process.version, rows })}\n`);
    } else {
      const lines = [
        '| variant | bundle bytes | added bytes | cold init ms | cold start ms (p25–p75) | added cold start ms | cold CPU ms | added CPU ms |',
        '|---|---:|---:|---:|---:|---:|---:|---:|',
      ];
      for (const row of rows) {
        const what = VARIANTS.find((variant) => variant.name === row.variant)?.what ?? '';
        lines.push(`| ${row.variant}: ${what} | ${row.bytes.toLocaleString('en-US')} | ${row.bytesAdded.toLocaleString('en-US')} | ${row.coldInitMs} | ${row.coldStartMs} (${row.coldStartP25}–${row.coldStartP75}) | ${row.coldStartAddedMs} | ${row.coldCpuMs} | ${row.coldCpuAddedMs} |`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    }
  } finally {
    await fixtures.close();
    await dynamo.close();
  }
} finally {
  rmSync(workdir, { recursive: true, force: true });
}
