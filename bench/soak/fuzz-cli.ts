/**
 * Fuzz target for `hc-workflow run FILE`: the file reader for every case, and the whole command in-process for the
 * first cases, against one sandbox, so that "a rejected input creates no record and calls no API" is observable.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readInputFile } from '../../dev/input-file.ts';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { describeError, jsonBytes, Violation, type FuzzTarget, type Verdict } from './fuzz.ts';
import { inputFileCase } from './hostile.ts';

/**
 * `hc-workflow run FILE`: the file reader for every case, and the whole command in-process for the first `fullRuns`
 * cases, against one sandbox (so that "no record is created by a rejected input" is observable).
 */
export async function cliFileTarget(fullRuns: number): Promise<FuzzTarget<Uint8Array>> {
  const dir = await mkdtemp(join(tmpdir(), 'hc-fuzz-'));
  const sandbox = await startSandbox();
  const { run } = await import('../../dev/commands/run.ts');
  let index = 0;
  return {
    name: 'cli-file',
    arbitrary: inputFileCase,
    async check(bytes) {
      const file = join(dir, `case-${index}.json`);
      index += 1;
      await writeFile(file, bytes);
      let read;
      try {
        read = await readInputFile(file);
      } catch (error) {
        throw new Violation(`reading the file crashed: ${describeError(error)}`);
      }
      if (read.ok) {
        let decoded: string;
        try {
          decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          throw new Violation('accepted a file that is not UTF-8 (its bytes were silently replaced)');
        }
        jsonBytes(read.value, 'the value read from the file');
        if (!isDeepStrictEqual(read.value, JSON.parse(decoded.replace(/^\uFEFF/, '')))) throw new Violation('the value read differs from the file');
      } else if (!read.message.includes(file) || read.message.includes('\n') || read.message.length > 1_000) {
        throw new Violation(`an unclear rejection: ${read.message.slice(0, 200)}`);
      }
      if (index > fullRuns) return read.ok ? 'accepted' : 'rejected';
      return runCli(run, sandbox, file, read.ok);
    },
    async close() {
      await sandbox.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function runCli(run: (argv: string[]) => Promise<number>, sandbox: Sandbox, file: string, readable: boolean): Promise<Verdict> {
  sandbox.reset(); // cases are independent: two cases that happen to share an idempotencyKey must not conflict
  const before = sandbox.counts();
  const requestsBefore = sandbox.stats().requests;
  const out: string[] = [];
  const err: string[] = [];
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const savedKey = process.env.HIRINGCENTER_API_KEY;
  const savedUser = process.env.HIRINGCENTER_DEFAULT_USER_ID;
  process.env.HIRINGCENTER_API_KEY = sandbox.apiKey;
  delete process.env.HIRINGCENTER_DEFAULT_USER_ID;
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  let code: number;
  try {
    code = await run([file, '--json', '--base-url', sandbox.url]);
  } catch (error) {
    throw new Violation(`hc-workflow run crashed: ${describeError(error)}`);
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    if (savedKey === undefined) delete process.env.HIRINGCENTER_API_KEY;
    else process.env.HIRINGCENTER_API_KEY = savedKey;
    if (savedUser !== undefined) process.env.HIRINGCENTER_DEFAULT_USER_ID = savedUser;
  }
  const after = sandbox.counts();
  const unchanged = isDeepStrictEqual(before, after) && sandbox.stats().requests === requestsBefore;
  const stderr = err.join('');
  if (code === 0) {
    const output = JSON.parse(out.join('')) as { prospectId?: unknown };
    if (typeof output.prospectId !== 'string') throw new Violation('exit 0 without a prospectId in the output');
    if (!sandbox.records().prospects.some((prospect) => prospect.id === output.prospectId)) throw new Violation('exit 0 but the prospect does not exist');
    return 'accepted';
  }
  if (!unchanged) throw new Violation(`exit ${code} after calling the API (${stderr.trim().slice(0, 200)})`);
  if (code === 2 && !readable && stderr.includes(file)) return 'rejected';
  if (code === 1 && /failed at state UpsertProspect: Input\.Invalid: Invalid workflow input/.test(stderr)) return 'rejected';
  throw new Violation(`exit ${code} with stderr: ${stderr.trim().slice(0, 300)}`);
}
