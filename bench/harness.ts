// Shared by bench/run.ts and bench/ablation.ts: the loopback fixtures (HiringCenter sandbox, Secrets Manager and DynamoDB
// stand-ins), the handlers' events, the environment a Lambda would see, and the fresh child processes that do the
// measuring.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { quotaSettingsFromEnv } from '../functions/commons/dependencies.ts';
import { HiringCenterClient, closeSharedAgents } from '../lib/hiringcenter/index.ts';
import { startSandbox, type Sandbox } from '../dev/sandbox/index.ts';
import { createQuotaPacer, DynamoDbPacerStore, quotaKeyForSecret } from '../lib/pacer/index.ts';
import { StaticKeyProvider } from '../lib/secrets/index.ts';
import { startDynamoDbStandIn, type DynamoDbStandIn } from './dynamodb-standin.ts';
import { COUNT_PATH, startSecretsManagerStandIn, type SecretsManagerStandIn } from './secrets-manager-standin.ts';

export const progress = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

export const load = (): string => loadavg().map((value) => value.toFixed(2)).join(' ');

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))] ?? NaN;
}

export const round = (value: number, digits: number): number => Number(value.toFixed(digits));

/** Which event a bundle gets: the upsert step's, an activity step's (the baselines take createNote's). */
export type EventKind = 'upsert' | 'note' | 'task' | 'meeting';

/** The API routes the four steps write to; a bare request can be sent to any of them. */
export type Route = 'prospects' | 'notes' | 'tasks' | 'meetings';

export interface ChildJob {
  mode: 'cold' | 'warm' | 'bare';
  bundlePath?: string;
  kind?: EventKind;
  /** bare: which route, with the body the matching step sends there (default notes, createNote's request). */
  route?: Route;
  keyPrefix: string;
  warmup?: number;
  iterations?: number;
}

export interface Fixtures {
  readonly sandbox: Sandbox;
  readonly standIn: SecretsManagerStandIn;
  readonly dynamo: DynamoDbStandIn;
  readonly apiKey: string;
  readonly quickstart: Record<string, unknown>;
  /**
   * Runs bench/child.ts in a fresh Node process whose environment is exactly what a Lambda with `environment` would
   * have, with the AWS endpoint, credentials and region pointing at the stand-in (nothing else is inherited).
   */
  run(job: ChildJob, environment: Record<string, string>, options?: { apiKeyInEnv?: boolean }): Promise<Record<string, number>>;
  close(): Promise<void>;
}

const SECRET_ID = 'hiringcenter/bench-api-key';
const PACER_TABLE = 'bench-pacer';
/**
 * The quota the pacer is configured with, as the sandbox's: lifted, so that a warm loop of thousands of calls measures
 * a reservation per call (one UpdateItem) and never a wait. The deployed default (500/min) would pace it at 137 ms.
 */
export const BENCH_QUOTA_ENV = { API_QUOTA_PER_MINUTE: '1000000000', API_QUOTA_PER_HOUR: '1000000000' } as const;

/** A workflow step's event as its Task state builds it (lib/workflow/state.ts); `execution.name` is set per call. */
function stepEvent(state: unknown, startTime: string): unknown {
  return { state, execution: { name: 'replaced-per-call', startTime } };
}

/** Starts the loopback servers and seeds the prospect that the activity steps attach to. `workdir` must be writable. */
export async function startFixtures(workdir: string): Promise<Fixtures> {
  const apiKey = `hc_bench_${randomUUID().replaceAll('-', '')}`;
  const sandbox = await startSandbox({ apiKey, rateLimits: { perMinute: 1e9, perHour: 1e9 } });
  const standIn = await startSecretsManagerStandIn({ secretId: SECRET_ID, secretString: JSON.stringify({ apiKey }) });
  const quickstart = JSON.parse(readFileSync(new URL('../examples/quickstart.json', import.meta.url), 'utf8')) as Record<string, unknown>;
  // The upsert step matches this prospect by email on every call (an update), so all steps work on one record.
  const client = new HiringCenterClient({ baseUrl: sandbox.url, keys: new StaticKeyProvider(apiKey) });
  const prospect = await client.upsertProspect(quickstart.prospect as never, { idempotencyKey: `bench-seed-${randomUUID()}` });
  await closeSharedAgents();
  const run = { prospectId: prospect.item.id, idempotencyKey: 'replaced-per-call', warnings: [] as string[] };
  // Each activity step gets the state with only its own section left to write, as after the previous steps.
  const activity = (section: 'note' | 'task' | 'meeting') => ({ sections: { note: null, task: null, meeting: null, [section]: quickstart[section] }, run });
  // Minutes before the run, as for an execution that just started: no quota wait ends past its timeout.
  const startTime = new Date().toISOString();
  const events: Record<EventKind, unknown> = {
    upsert: stepEvent(quickstart, startTime),
    note: stepEvent(activity('note'), startTime),
    task: stepEvent(activity('task'), startTime),
    meeting: stepEvent(activity('meeting'), startTime),
  };

  // The pacer's item exists in a deployed table (every step writes it), so a new container's first guess of an idle
  // schedule holds and its first reservation is one UpdateItem. Written here once, with the children's own settings.
  const dynamo = await startDynamoDbStandIn({ mode: 'table' });
  const seedClient = new DynamoDBClient({ endpoint: dynamo.url, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  await createQuotaPacer({
    store: new DynamoDbPacerStore({ tableName: PACER_TABLE, client: seedClient }), quotaKey: quotaKeyForSecret(SECRET_ID), ...quotaSettingsFromEnv(BENCH_QUOTA_ENV),
  }).reserve();
  seedClient.destroy();

  // Types stripped once, up front: run as .ts, every child would first load Node's type stripper, whose work and
  // garbage would land in the process whose cold start is being measured.
  const childScript = join(workdir, 'child.mjs');
  writeFileSync(childScript, stripTypeScriptTypes(readFileSync(new URL('./child.ts', import.meta.url), 'utf8')));
  // An empty home: no ~/.aws files for the SDK to find, as in Lambda.
  const home = join(workdir, 'home');
  mkdirSync(home, { recursive: true });

  // The bodies the steps send for the quickstart input (its dates are already epoch ms, its zone canonical).
  const bareBodies: Record<Route, string> = {
    prospects: JSON.stringify({ update: true, ...(quickstart.prospect as object) }),
    notes: JSON.stringify({ ...(quickstart.note as object), prospectId: run.prospectId }),
    tasks: JSON.stringify({ ...(quickstart.task as object), prospectId: run.prospectId }),
    meetings: JSON.stringify({ ...(quickstart.meeting as object), prospectId: run.prospectId }),
  };
  const run_ = (job: ChildJob, environment: Record<string, string>, options: { apiKeyInEnv?: boolean } = {}) => {
    const env: Record<string, string> = {
      ...environment,
      ...BENCH_QUOTA_ENV,
      // A caller measuring its own DynamoDB set-up (bench/pacer-cold-start.ts) passes its endpoint and table.
      PACER_TABLE_NAME: environment.PACER_TABLE_NAME ?? PACER_TABLE,
      PATH: process.env.PATH ?? '',
      HOME: home,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIABENCHDUMMYKEY000',
      AWS_SECRET_ACCESS_KEY: 'bench-dummy-secret-access-key',
      AWS_SESSION_TOKEN: 'bench-dummy-session-token',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: standIn.url,
      AWS_ENDPOINT_URL_DYNAMODB: environment.AWS_ENDPOINT_URL_DYNAMODB ?? dynamo.url,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      TZ: ':UTC',
      AWS_LAMBDA_FUNCTION_NAME: 'bench',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      HIRINGCENTER_SECRET_ID: SECRET_ID,
      HIRINGCENTER_BASE_URL: sandbox.url,
      ...(options.apiKeyInEnv ? { HIRINGCENTER_API_KEY: apiKey } : {}),
    };
    const payload = {
      ...job,
      event: events[job.kind ?? 'note'],
      countUrl: `${standIn.url}${COUNT_PATH}`,
      bare: { url: `${sandbox.url}/${job.route ?? 'notes'}`, apiKey, body: bareBodies[job.route ?? 'notes'], undiciUrl: import.meta.resolve('undici') },
    };
    return runChild(childScript, payload, env);
  };

  return {
    sandbox,
    standIn,
    dynamo,
    apiKey,
    quickstart,
    run: run_,
    close: async () => {
      await dynamo.close();
      await standIn.close();
      await sandbox.close();
    },
  };
}

function runChild(script: string, job: { mode: string }, env: Record<string, string>): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], {
      env: { ...env, BENCH_JOB: JSON.stringify(job) },
      // The handler's log lines go to /dev/null: written for real (a syscall each), as to a Lambda's log pipe.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let result = '';
    let errors = '';
    child.stdio[3]?.on('data', (chunk: Buffer) => (result += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || result.trim() === '') return reject(new Error(`bench child (${job.mode}) exited ${code}: ${errors.trim().slice(-3000)}`));
      resolve(JSON.parse(result) as Record<string, number>);
    });
  });
}

export interface ColdTarget {
  name: string;
  bundlePath: string;
  kind: EventKind;
  environment: Record<string, string>;
  apiKeyInEnv?: boolean;
}

export interface ColdSamples {
  initMs: number[];
  startMs: number[];
  cpuMs: number[];
}

/** `runs` fresh processes per target, round-robin with a rotating start, so drift in machine load hits all alike. */
export async function measureCold(fixtures: Fixtures, targets: readonly ColdTarget[], runs: number): Promise<Record<string, ColdSamples>> {
  const samples: Record<string, ColdSamples> = Object.fromEntries(targets.map((target) => [target.name, { initMs: [], startMs: [], cpuMs: [] }]));
  for (let runIndex = 0; runIndex < runs; runIndex += 1) {
    for (let i = 0; i < targets.length; i += 1) {
      const target = targets[(runIndex + i) % targets.length] as ColdTarget;
      const job: ChildJob = { mode: 'cold', bundlePath: target.bundlePath, kind: target.kind, keyPrefix: `${target.name}-cold-${randomUUID()}` };
      const sample = await fixtures.run(job, target.environment, { apiKeyInEnv: target.apiKeyInEnv ?? false });
      const bucket = samples[target.name] as ColdSamples;
      bucket.initMs.push(sample.initMs ?? NaN);
      bucket.startMs.push(sample.startMs ?? NaN);
      bucket.cpuMs.push(sample.cpuMs ?? NaN);
    }
    if ((runIndex + 1) % 5 === 0 || runIndex + 1 === runs) progress(`  cold run ${runIndex + 1}/${runs} (load ${load()})`);
  }
  return samples;
}
