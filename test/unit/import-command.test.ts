import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { run as importCommand, type ImportIo } from '../../dev/commands/import.ts';
import type { RowExecutor } from '../../dev/import/executor.ts';
import { executionNameForKey } from '../../dev/import/plan.ts';
import { parse } from 'csv-parse/sync';

const dir = mkdtempSync(join(tmpdir(), 'hc-import-cmd-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const SHEET = [
  'prospect.firstName,prospect.lastName,prospect.email,note.body,note.pin',
  'Ann,Lee,ann@example.com,"Hello, world",true', // row 2
  'Bo,Ray,bo.example.com,,', // row 3: invalid email
  'Ann,Lee,ann@example.com,"Hello, world",true', // row 4: duplicate of row 2
  'Cy,Dee,,,maybe', // row 5: invalid boolean
  'Di,Fox,di@example.com,,', // row 6
].join('\n');

interface Captured {
  io: ImportIo;
  stdout: () => string;
  stderr: () => string;
}

function capture(options: { executor?: RowExecutor; tty?: boolean; env?: NodeJS.ProcessEnv } = {}): Captured {
  let out = '';
  let err = '';
  const io: ImportIo = {
    stdout: (text) => void (out += text),
    stderr: { write: (text: string) => (err += text), isTTY: options.tty ?? false },
    env: options.env ?? {},
    ...(options.executor ? { executor: options.executor } : {}),
  };
  return { io, stdout: () => out, stderr: () => err };
}

/** A stand-in for the workflow: succeeds (or fails for chosen first names) after a short wait, and records calls. */
function fakeExecutor(options: { failFor?: string[]; throwFor?: string[]; delayMs?: number } = {}) {
  const calls: { firstName: string; executionName: string; key: string }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const executor: RowExecutor = async (input, executionName) => {
    calls.push({ firstName: input.prospect.firstName, executionName, key: input.idempotencyKey });
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((resolve) => setTimeout(resolve, options.delayMs ?? 5));
    inFlight--;
    if (options.throwFor?.includes(input.prospect.firstName)) throw new TypeError('engine exploded');
    const base = { executionName, executionArn: `arn:aws:states:us-east-1:123456789012:execution:HiringCenterWorkflow:${executionName}`, activityEvents: [], retries: {}, transitions: 4, durationMs: 5 };
    if (options.failFor?.includes(input.prospect.firstName)) {
      return { ...base, status: 'FAILED' as const, failure: { error: 'HiringCenter.Rejected', message: 'stage not found', state: 'UpsertProspect' } };
    }
    return { ...base, status: 'SUCCEEDED' as const, output: { prospectId: `p-${input.prospect.firstName}`, idempotencyKey: input.idempotencyKey, warnings: [], ...(input.note ? { noteId: `n-${input.prospect.firstName}` } : {}) } };
  };
  return { executor, calls, maxInFlight: () => maxInFlight };
}

describe('hc-workflow import --dry-run', () => {
  it('validates and keys every row, reports invalid rows by spreadsheet row and duplicates, and runs nothing', async () => {
    const never: RowExecutor = () => Promise.reject(new Error('a dry run must not run a workflow'));
    const results = join(dir, 'dry-results.csv');
    const io = capture({ executor: never });
    const code = await importCommand([file('dry.csv', SHEET), '--dry-run', '--json', '--results', results], io.io);
    expect(code).toBe(1);
    expect(io.stderr()).toBe('');
    expect(JSON.parse(io.stdout())).toEqual({
      rows: 5, succeeded: 0, failed: 2, skipped: 1, workflows: 2, blankRows: 0, dryRun: true, durationMs: expect.any(Number), runMs: 0,
      failures: [
        { row: 3, error: 'Input.Invalid', message: expect.stringContaining('prospect.email: must be a valid email address') },
        { row: 5, error: 'Input.Invalid', message: expect.stringContaining('note.pin: must be true or false') },
      ],
      duplicates: [{ row: 4, sameAs: 2 }],
    });
    const lines = parse(readFileSync(results, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(lines.map((line) => [line.row, line.status])).toEqual([['2', 'valid'], ['3', 'failed'], ['4', 'duplicate'], ['5', 'failed'], ['6', 'valid']]);
  });

  it('exits 0 when every row is valid, with a human summary on stdout', async () => {
    const io = capture();
    expect(await importCommand([file('ok.csv', 'prospect.firstName,prospect.lastName\nAnn,Lee\n'), '--dry-run'], io.io)).toBe(0);
    expect(io.stdout()).toMatch(/^Checked .*ok\.csv: 1 row\(s\) → 1 valid workflow\(s\), 0 invalid row\(s\), nothing written \(dry run\)/);
  });

  it('lists at most 50 invalid rows in the human summary and says how many more there are', async () => {
    const sheet = ['prospect.firstName,prospect.lastName,note.body,note.pin', ...Array.from({ length: 60 }, (_, index) => `A${index},B,Hi,maybe`)].join('\n');
    const io = capture();
    expect(await importCommand([file('broken-column.csv', sheet), '--dry-run'], io.io)).toBe(1);
    expect(io.stdout().match(/^ {2}row \d+: Input\.Invalid/gm)).toHaveLength(50);
    expect(io.stdout()).toContain('… and 10 more (--results FILE or --json lists them all)');
  });
});

describe('hc-workflow import (with an injected executor)', () => {
  it('runs each distinct valid row exactly once, never more than --concurrency at a time, and reports the rest', async () => {
    const names = Array.from({ length: 40 }, (_, index) => `N${index}`);
    const sheet = ['prospect.firstName,prospect.lastName', ...names.map((name) => `${name},Lee`), 'N0,Lee', 'N1,Lee'].join('\n');
    const fake = fakeExecutor({ failFor: ['N7'], throwFor: ['N9'], delayMs: 10 });
    const io = capture({ executor: fake.executor });
    const results = join(dir, 'results.csv');
    const code = await importCommand([file('many.csv', sheet), '--concurrency', '3', '--json', '--results', results], io.io);
    expect(code).toBe(1);
    expect(fake.calls.map((call) => call.firstName).sort()).toEqual([...names].sort());
    expect(fake.maxInFlight()).toBe(3);
    expect(new Set(fake.calls.map((call) => call.executionName)).size).toBe(40);
    for (const call of fake.calls) expect(call.executionName).toBe(executionNameForKey(call.key));
    const report = JSON.parse(io.stdout()) as Record<string, unknown>;
    expect(report).toMatchObject({
      rows: 42, succeeded: 38, failed: 2, skipped: 2, workflows: 40,
      failures: [{ row: 9, error: 'HiringCenter.Rejected', message: 'stage not found' }, { row: 11, error: 'TypeError', message: 'engine exploded' }],
      duplicates: [{ row: 42, sameAs: 2 }, { row: 43, sameAs: 3 }],
    });
    expect(io.stdout().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toBe('');
    const lines = parse(readFileSync(results, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(lines[0] ?? {})).toEqual(['row', 'status', 'prospectId', 'noteId', 'taskId', 'meetingId', 'error', 'message']);
    expect(lines).toHaveLength(42);
    expect(lines.find((line) => line.row === '2')).toMatchObject({ status: 'succeeded', prospectId: 'p-N0' });
    expect(lines.find((line) => line.row === '9')).toMatchObject({ status: 'failed', error: 'HiringCenter.Rejected', message: 'stage not found' });
    expect(lines.find((line) => line.row === '42')).toMatchObject({ status: 'duplicate', prospectId: 'p-N0', message: 'identical to row 2; imported once, as that row' });
  });

  it('exits 0 when every row succeeds, with plain progress lines on stderr when it is not a terminal', async () => {
    const fake = fakeExecutor();
    const io = capture({ executor: fake.executor });
    const code = await importCommand([file('two.jsonl', '{"prospect":{"firstName":"A","lastName":"B"}}\n{"prospect":{"firstName":"C","lastName":"D"},"note":{"body":"x"}}\n')], io.io);
    expect(code).toBe(0);
    expect(io.stderr()).toMatch(/Validated 2 row\(s\) of .*two\.jsonl: 2 workflow\(s\) to run, 0 invalid, 0 duplicate\(s\)\./);
    expect(io.stderr()).toMatch(/… 2\/2 rows done, 0 failed, [\d.]+ rows\/s/);
    expect(io.stdout()).toMatch(/2 succeeded, 0 failed, 0 duplicate row\(s\) skipped/);
  });

  it('draws a live progress bar when stderr is a terminal', async () => {
    const io = capture({ executor: fakeExecutor().executor, tty: true });
    expect(await importCommand([file('bar.csv', 'prospect.firstName,prospect.lastName\nA,B\nC,D\n')], io.io)).toBe(0);
    expect(io.stderr()).toMatch(/Importing \|[█░]+\| 2\/2 rows \| 0 failed \| [\d.]+ rows\/s \| ETA/);
  });
});

describe('hc-workflow import usage errors (exit code 2, nothing run)', () => {
  const cases: [string, string[], RegExp][] = [
    ['no file', [], /expected one FILE/],
    ['two files', ['a.csv', 'b.csv'], /expected one FILE/],
    ['a bad option', ['x.csv', '--frobnicate'], /frobnicate/],
    ['a bad concurrency', ['x.csv', '--concurrency', '0'], /--concurrency must be a whole number from 1 to 1000/],
    ['a bad base URL', ['x.csv', '--base-url', 'ftp://x'], /--base-url "ftp:\/\/x" is not an http\(s\) URL/],
    ['an unsupported file type', ['people.xlsx'], /unsupported file type/],
    ['a missing file', ['nope.csv'], /cannot read nope\.csv: no such file/],
  ];
  it.each(cases)('%s', async (_name, argv, message) => {
    const io = capture({ executor: () => Promise.reject(new Error('must not run')) });
    expect(await importCommand(argv, io.io)).toBe(2);
    expect(io.stderr()).toMatch(message);
    expect(io.stdout()).toBe('');
  });

  it('an empty file, a header problem, and a results file that cannot be written or is the input itself', async () => {
    for (const [argv, message] of [
      [[file('empty.csv', '')], /empty\.csv is empty/],
      [[file('bad-header.csv', 'prospect.firstName,prospect.lastName,prospect.emial\nA,B,c\n')], /header problem in row 1: .*prospect\.emial: is not a known column/],
      [[file('fine.csv', 'prospect.firstName,prospect.lastName\nA,B\n'), '--results', join(dir, 'no-such-dir', 'r.csv')], /cannot write --results .*ENOENT/],
      [[file('same.csv', 'prospect.firstName,prospect.lastName\nA,B\n'), '--results', join(dir, '.', 'same.csv')], /--results must name another file than the one imported/],
    ] as [string[], RegExp][]) {
      const io = capture({ executor: () => Promise.reject(new Error('must not run')) });
      expect(await importCommand(argv, io.io)).toBe(2);
      expect(io.stderr()).toMatch(message);
    }
  });

  it('leaves an existing results file as it was when the import stops at a usage error (a mistyped FILE)', async () => {
    const kept = join(dir, 'kept-results.csv');
    writeFileSync(kept, 'row,status\r\n2,succeeded\r\n');
    const io = capture({ executor: () => Promise.reject(new Error('must not run')) });
    expect(await importCommand([join(dir, 'career-fiar.csv'), '--results', kept], io.io)).toBe(2);
    expect(io.stderr()).toMatch(/no such file/);
    expect(readFileSync(kept, 'utf8')).toBe('row,status\r\n2,succeeded\r\n');
  });

  it('--help says how rows are numbered and what is emulated locally', async () => {
    const io = capture();
    expect(await importCommand(['--help'], io.io)).toBe(0);
    expect(io.stdout()).toMatch(/the header is row 1 and the first data row is row 2/);
    expect(io.stdout()).toMatch(/cell with line breaks\s+inside quotes is still one row/);
    expect(io.stdout()).toMatch(/aws-local-stepfunctions has neither/);
  });
});

describe('execution names', () => {
  it('are valid Step Functions names, the same for the same key and different for different keys', () => {
    let checked = 0;
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ minLength: 1, maxLength: 200 }), (a, b) => {
      expect(executionNameForKey(a)).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
      expect(executionNameForKey(a)).toBe(executionNameForKey(a));
      if (a !== b) expect(executionNameForKey(a)).not.toBe(executionNameForKey(b));
      checked++;
    }), { numRuns: 300 });
    expect(checked).toBe(300);
  });
});
