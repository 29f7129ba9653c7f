import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRecords, countLeaks } from '../../bench/soak/audit.ts';
import { buildWorkload } from '../../bench/soak/workload.ts';
import { createUpsertProspectHandler } from '../../functions/handlers.ts';
import { InputInvalidError } from '../../lib/errors.ts';
import { readInputFile } from '../../dev/input-file.ts';
import type { LocalRunResult } from '../../dev/runner.ts';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { silentLogger } from '../../lib/log.ts';
import { createJsonLogger } from '../../dev/json-logger.ts';
import { localStepDependencies } from '../../dev/local-dependencies.ts';
import { parseNoteSection, parseWorkflowInput } from '../../lib/workflow/input.ts';
import { MAX_INPUT_BYTES } from '../../lib/workflow/limits.ts';
import type { ActivityApi } from '../../lib/workflow/steps.ts';
import { quickstartInput } from '../support/harness.ts';

/* What the reliability proof uncovered, one regression test each, and self-tests of the proof's own instruments. */

function issuesOf(run: () => unknown): Record<string, string> {
  try {
    run();
  } catch (error) {
    if (!(error instanceof InputInvalidError)) throw error;
    return Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
  }
  throw new Error('expected Input.Invalid');
}

const withNote = (note: Record<string, unknown>) => ({ ...quickstartInput(), note });

describe('inputs that passed the schema but could not complete', () => {
  it('refuses an input whose JSON exceeds the byte budget, naming the field that makes it large', () => {
    // 100,000 characters (within the note limit) but 300 KB of UTF-8: more than Step Functions carries per state.
    const issues = issuesOf(() => parseWorkflowInput(withNote({ body: '€'.repeat(100_000) }), {}));
    expect(issues['note.body']).toMatch(/makes the input 29\d KiB of JSON; an input may be at most 200 KiB/);
    expect(() => parseWorkflowInput(withNote({ body: 'x'.repeat(100_000) }), {})).not.toThrow();
    expect(MAX_INPUT_BYTES).toBeLessThan(256 * 1024);
  });

  it('refuses nesting that JSON.stringify cannot walk, instead of failing after the prospect was written', () => {
    let deep: unknown = 1;
    for (let level = 0; level < 6_000; level++) deep = { a: deep };
    const issues = issuesOf(() => parseWorkflowInput(withNote({ body: 'x', mentions: [{ deep }] }), {}));
    expect(Object.entries(issues)).toEqual([[expect.stringMatching(/^note\.mentions\.0\.deep(\.a)+$/), 'nests deeper than 32 levels']]);
  });

  it('refuses a __proto__ key in a mention, which the validator would otherwise drop silently', () => {
    const note = JSON.parse('{"body":"x","mentions":[{"__proto__":{"userId":"u1"}}]}') as Record<string, unknown>;
    expect(issuesOf(() => parseNoteSection(note, {}))).toEqual({ 'note.mentions.0.__proto__': expect.stringMatching(/^is a reserved key/) });
  });

  it('refuses text that cannot travel as UTF-8 (lone surrogates) or that stores refuse (NUL)', () => {
    const input = quickstartInput();
    input.prospect = { firstName: 'Jordan\ud800', lastName: 'Mil\u0000ler' };
    expect(issuesOf(() => parseWorkflowInput(input, {}))).toEqual({
      'prospect.firstName': 'contains a lone UTF-16 surrogate, which cannot be encoded as UTF-8 text',
      'prospect.lastName': 'contains a NUL character (U+0000)',
    });
  });

  it('refuses whitespace-only required text, which the API refuses only at that step (after earlier writes)', () => {
    const input = quickstartInput();
    (input.task as Record<string, unknown>).task = '   ';
    expect(issuesOf(() => parseWorkflowInput(input, {}))).toEqual({ 'task.task': 'must not be blank (whitespace only)' });
    (input.task as Record<string, unknown>).task = '';
    expect(issuesOf(() => parseWorkflowInput(input, {}))).toEqual({ 'task.task': 'must not be empty' });
  });

  it('keeps the message of an input with thousands of unknown keys short, and names an empty key', () => {
    const input: Record<string, unknown> = { ...quickstartInput(), '': 1 };
    for (let i = 0; i < 5_000; i++) input[`field${i}`] = i;
    try {
      parseWorkflowInput(input, {});
      throw new Error('expected Input.Invalid');
    } catch (error) {
      expect(error).toBeInstanceOf(InputInvalidError);
      const { message, issues } = error as InputInvalidError;
      expect(issues).toHaveLength(5_001);
      expect(message.length).toBeLessThan(3_000);
      expect(message).toMatch(/^Invalid workflow input \(5001 issues\): "": unknown field/);
      expect(message).toMatch(/; and 4981 more$/);
    }
  });

  it('reports a bad idempotencyKey under its own name, not as the internal executionKey', async () => {
    const api = {} as ActivityApi;
    const handler = createUpsertProspectHandler(() => localStepDependencies({ api, logger: silentLogger }));
    const input = { ...quickstartInput(), idempotencyKey: 'k'.repeat(201) };
    await expect(handler({ state: input, execution: { name: 'findings', startTime: new Date().toISOString() } }))
      .rejects.toThrow(/^UpsertProspect: Invalid workflow input \(1 issue\): idempotencyKey: must be at most 200 characters$/);
  });
});

describe('hc-workflow run FILE', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hc-findings-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const read = async (bytes: Uint8Array) => {
    const file = join(dir, 'input.json');
    await writeFile(file, bytes);
    return { file, result: await readInputFile(file) };
  };
  const json = JSON.stringify({ prospect: { firstName: 'José', lastName: 'Miller' } });

  it('refuses bytes that are not UTF-8 instead of turning them into U+FFFD in a name', async () => {
    const { file, result } = await read(Buffer.from(json, 'latin1'));
    expect(result).toEqual({ ok: false, message: `hc-workflow run: ${file} is not UTF-8 text (byte 29 is not valid UTF-8). Save it as UTF-8 JSON.` });
  });

  it('accepts a UTF-8 BOM, which editors write and JSON.parse refuses', async () => {
    const { result } = await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json, 'utf8')]));
    expect(result).toEqual({ ok: true, value: JSON.parse(json) });
  });

  it('refuses a document that is not an object, and nesting the engine could not copy, with one line each', async () => {
    expect((await read(Buffer.from('null'))).result).toMatchObject({ ok: false, message: expect.stringMatching(/must hold one JSON object \(a workflow input\), not null/) });
    const deep = await read(Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`));
    expect(deep.result).toMatchObject({ ok: false, message: expect.stringMatching(/nests 100000 levels deep; a workflow input nests at most 32/) });
  });
});

describe('log redaction', () => {
  it('masks a phone anywhere but keeps the timestamp and request id, which the phone pattern used to eat', () => {
    const lines: string[] = [];
    createJsonLogger({ write: (line) => lines.push(line) }).log('warn', 'step failed', { awsRequestId: '9037f9c0-1234-4abc-8def-0123456789ab', errorMessage: 'API said: phone +1 (555) 123-4567 is invalid' });
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, string>;
    expect(entry.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(entry.awsRequestId).toBe('9037f9c0-1234-4abc-8def-0123456789ab');
    expect(entry.errorMessage).toBe('API said: phone [phone] is invalid');
  });

  it("skips only its own level and time: a caller's fields of those names are still redacted", () => {
    const lines: string[] = [];
    const logger = createJsonLogger({ write: (line) => lines.push(line), secrets: () => ['hc_live_secret'], fields: { time: 'jordan@example.com' } });
    logger.log('info', 'key hc_live_secret for +1 555 123 4567', { level: 'call +15551234567' });
    const entry = JSON.parse(lines[0] ?? '{}') as Record<string, string>;
    expect(entry).toMatchObject({ time: '[email]', level: 'call [phone]', message: 'key [redacted] for [phone]' });
    expect(lines[0]).not.toMatch(/jordan|hc_live_secret|555/);
  });
});

describe('the sandbox route outage used by the redrive drill', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it('answers every matching request with the 5xx until it ends, and leaves other routes alone', async () => {
    const post = (path: string, body: unknown) => fetch(`${sandbox.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    sandbox.startOutage({ method: 'POST', path: '/prospects' }, 502);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/prospects', { firstName: 'A', lastName: 'B' })).status);
    expect(statuses).toEqual([502, 502, 502]);
    expect((await fetch(`${sandbox.url}/prospects`, { headers: { authorization: `Bearer ${sandbox.apiKey}` } })).status).toBe(200);
    sandbox.endOutages();
    expect((await post('/prospects', { firstName: 'A', lastName: 'B' })).status).toBe(201);
    expect(sandbox.counts().prospects).toBe(1);
  });

  it('ends a hang a set time after the client gave up, not after a fixed delay (the soak\'s scaled hang)', async () => {
    sandbox.reset();
    sandbox.injectFaults([{ kind: 'hang', ms: 10_000, afterDisconnectMs: 300 }], { method: 'POST', path: '/prospects' });
    const request = fetch(`${sandbox.url}/prospects`, {
      method: 'POST', signal: AbortSignal.timeout(100),
      headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json', 'x-idempotency-key': 'k1' }, body: JSON.stringify({ firstName: 'A', lastName: 'B' }),
    });
    await expect(request).rejects.toThrow();
    expect(sandbox.counts().prospects).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(sandbox.counts().prospects).toBe(1);
  });
});

describe("the proof's instruments", () => {
  const [workflow] = buildWorkload({ workflows: 1, seed: 1, redeliveryRate: 0 });
  const prospect = { id: 'p1', email: workflow?.email ?? null, phone: workflow?.phone ?? null };
  const child = (id: string) => ({ id, prospectId: 'p1' });
  const succeeded = (output: Record<string, unknown>) => ({ status: 'SUCCEEDED', output }) as unknown as LocalRunResult;
  const records = (extra: { notes?: number; tasks?: number; meetings?: number } = {}) => ({
    prospects: [prospect],
    notes: Array.from({ length: extra.notes ?? 1 }, (_, i) => child(`n${i}`)),
    tasks: Array.from({ length: extra.tasks ?? 1 }, (_, i) => child(`t${i}`)),
    meetings: Array.from({ length: extra.meetings ?? 1 }, (_, i) => child(`m${i}`)),
  }) as unknown as Parameters<typeof auditRecords>[2];

  it('the audit counts a second note as a duplicate and a missing meeting of a succeeded workflow as lost', () => {
    if (!workflow) throw new Error('no workflow');
    workflow.expected = { prospects: 1, notes: 1, tasks: 1, meetings: 1 };
    const output = { prospectId: 'p1', noteId: 'n0', taskId: 't0', meetingId: 'm0', idempotencyKey: 'k', warnings: [] };
    expect(auditRecords([workflow], [[succeeded(output)]], records())).toMatchObject({ duplicates: 0, lost: 0, outputMismatches: 0 });
    expect(auditRecords([workflow], [[succeeded(output)]], records({ notes: 2 }))).toMatchObject({ duplicates: 1, duplicatesByKind: { notes: 1 } });
    expect(auditRecords([workflow], [[succeeded(output)]], records({ meetings: 0 }))).toMatchObject({ lost: 1, lostByKind: { meetings: 1 }, outputMismatches: 1 });
  });

  it('the leak counter finds the key, an email in any case, and a phone with or without its +', () => {
    const leaks = countLeaks(['{"key":"hc_sandbox_abc"}', 'mail JORDAN@Example.com', 'called 15551234567', 'called +15551234567'], ['hc_sandbox_abc'], ['jordan@example.com'], ['+15551234567']);
    expect(leaks).toMatchObject({ secretLeaks: 1, piiLeaks: 3 });
  });
});
