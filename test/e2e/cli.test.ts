import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { cli } from '../support/cli.ts';

/* The CLI contract of ARCHITECTURE.md §3, exercised as a user runs it: a child process, stdout, stderr, exit code. */
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: 'cli-test-key' });
});
afterAll(async () => sandbox.close());

describe('hc-workflow run', () => {
  it('runs the quickstart against a given base URL and prints only the output contract with --json', async () => {
    const result = await cli(['run', 'examples/quickstart.json', '--json', '--base-url', sandbox.url], { HIRINGCENTER_API_KEY: 'cli-test-key' });
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(output).sort()).toEqual(['idempotencyKey', 'meetingId', 'noteId', 'prospectId', 'taskId', 'warnings']);
    expect(sandbox.counts()).toMatchObject({ notes: 1, tasks: 1, meetings: 1 });
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('starts the embedded sandbox when no base URL is given and shows progress on stderr', async () => {
    const result = await cli(['run', 'examples/quickstart.json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Started the embedded HiringCenter sandbox at http:\/\/127\.0\.0\.1:\d+\/v2/);
    for (const state of ['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting']) expect(result.stderr).toMatch(new RegExp(`✓ ${state} \\(\\d+ ms\\)`));
    expect(JSON.parse(result.stdout)).toHaveProperty('meetingId');
  });

  it('exits non-zero and names the failed state and error on a failed execution, reading stdin with -', async () => {
    const result = await cli(['run', '-', '--json'], {}, JSON.stringify({ prospect: { firstName: 'A', lastName: 'B', email: 'no-at-sign' } }));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/failed at state UpsertProspect: Input\.Invalid: .*prospect\.email/);
    expect(result.stderr).not.toContain('no-at-sign');
  });

  it('explains usage errors with exit code 2: missing file, invalid JSON, bad option', async () => {
    const missing = await cli(['run', 'does-not-exist.json']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read does-not-exist.json: no such file') });
    const notJson = await cli(['run', '-'], {}, '{ "prospect": ');
    expect(notJson).toMatchObject({ code: 2, stderr: expect.stringContaining('is not valid JSON') });
    // V8's syntax error quotes the text around the mistake; the message keeps only the position.
    const quoting = await cli(['run', '-'], {}, '{"prospect":{"firstName":"Jo","email":jo.doe@example.com,"phone":+1 555 123 4567}}');
    expect(quoting).toMatchObject({ code: 2, stderr: expect.stringContaining('is not valid JSON') });
    expect(quoting.stderr).not.toMatch(/jo\.doe|example\.com|555/);
    const badOption = await cli(['run', '--base-url', 'ftp://x']);
    expect(badOption).toMatchObject({ code: 2, stderr: expect.stringContaining('--base-url') });
  });
});

describe('the other commands', () => {
  it('schema prints a draft-04 JSON Schema of the input; graph prints Mermaid; --help helps', async () => {
    const schema = await cli(['schema']);
    expect(JSON.parse(schema.stdout)).toMatchObject({ $schema: 'http://json-schema.org/draft-04/schema#', required: ['prospect'], additionalProperties: false });
    const graph = await cli(['graph']);
    expect(graph.stdout).toMatch(/^flowchart TD\n/);
    const help = await cli(['run', '--help']);
    expect(help.stdout).toMatch(/--base-url URL/);
    const unknown = await cli(['frobnicate']);
    expect(unknown).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown command "frobnicate"') });
  });

  it('doctor checks the key with GET /auth, and fails clearly on a wrong key without printing it', async () => {
    const ok = await cli(['doctor', '--base-url', sandbox.url], { HIRINGCENTER_API_KEY: 'cli-test-key' });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('key accepted');
    expect(JSON.parse(ok.stdout.slice(ok.stdout.indexOf('{')))).toMatchObject({ accountId: expect.any(String), active: true });
    const wrong = await cli(['doctor', '--base-url', sandbox.url], { HIRINGCENTER_API_KEY: 'wrong-key-123456' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('HiringCenter.Unauthorized');
    expect(wrong.stderr + wrong.stdout).not.toContain('wrong-key-123456');
    const badUrl = await cli(['doctor', '--base-url', 'notaurl'], { HIRINGCENTER_API_KEY: 'cli-test-key' });
    expect(badUrl).toMatchObject({ code: 2, stderr: expect.stringContaining('--base-url') });
  });
});
