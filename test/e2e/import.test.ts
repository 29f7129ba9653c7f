import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { cli } from '../support/cli.ts';
import { USER } from '../support/import-rows.ts';

/*
 * A new user's import, end to end: the CLI as a child process, the synthesized state machine on the local engine, the
 * sandbox API on a loopback socket. The sandbox runs in this process so that a second run meets the same records.
 */
const KEY = 'import-e2e-key';
/** Each CLI run starts Node, loads the CDK app and synthesizes it: seconds, and more on a busy 2-core machine. */
const CLI_TIMEOUT_MS = 90_000;
const dir = mkdtempSync(join(tmpdir(), 'hc-import-e2e-'));

const HEADER = 'prospect.firstName,prospect.lastName,prospect.email,prospect.labels,prospect.company,note.body,note.pin,task.task,task.assignedTo,task.dueAt,meeting.meetingDate,meeting.timeZone,meeting.meetingType,meeting.ownerId';
const PRIYA = `Priya,Natarajan,priya@example.com,Career Fair 2025;Spring,"Lakeside Insurance, LLC","Met at booth 14, wants the ""team lead"" track.\r\nLicensed in Ohio.",true,Send the job description,${USER},1760000000000,2025-10-14T15:00:00Z,America/New_York,virtual,${USER}`;
const MARCUS = `Marcus,O'Neill,marcus@example.com,Career Fair 2025,,Prefers texts,false,Text about the cohort,${USER},2025-12-19T17:00:00Z,,,,`;
const SOFIA = `Sofía,Ramírez,sofia@example.com,Bilingual; Career Fair 2025 ,,,,,,,1761000000000,America/Chicago,phone,${USER}`;
const BAD_EMAIL = `Bad,Email,bad.example.com,,,,,,,,,,,`;
const BAD_CELLS = `Tim,Typo,tim@example.com,,,Hello,yes,,,,2025-10-20T09:00,Mars/Olympus,virtual,${USER}`;

/** Row numbers as a spreadsheet shows them: Priya's note has a line break inside quotes and is still one row (2). */
const SHEET = [
  HEADER,
  PRIYA, // 2
  MARCUS, // 3
  BAD_EMAIL, // 4: invalid email
  PRIYA, // 5: exact duplicate of row 2
  '', // 6: blank
  SOFIA, // 7
  BAD_CELLS, // 8: boolean "yes", unknown time zone
  MARCUS, // 9: exact duplicate of row 3
].join('\r\n');

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ apiKey: KEY });
});
afterAll(async () => sandbox.close());

const importFile = (path: string, ...flags: string[]) => cli(['import', path, '--base-url', sandbox.url, ...flags], { HIRINGCENTER_API_KEY: KEY });

describe('hc-workflow import against the sandbox', () => {
  const sheet = join(dir, 'career-fair.csv');
  writeFileSync(sheet, SHEET);

  it('imports every valid row exactly once, reports invalid rows by spreadsheet row with nothing written, and exits 1', async () => {
    const results = join(dir, 'results.csv');
    const result = await importFile(sheet, '--json', '--results', results);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { failures: { row: number; error: string; message: string }[] };
    expect(report).toMatchObject({ rows: 7, succeeded: 3, failed: 2, skipped: 2, workflows: 3, blankRows: 1, duplicates: [{ row: 5, sameAs: 2 }, { row: 9, sameAs: 3 }] });
    expect(report.failures).toEqual([
      { row: 4, error: 'Input.Invalid', message: 'Invalid row (1 issue): prospect.email: must be a valid email address, like name@example.com' },
      { row: 8, error: 'Input.Invalid', message: expect.stringMatching(/^Invalid row \(2 issues\): note\.pin: must be true or false.*; meeting\.timeZone: must be an IANA time zone/) },
    ]);
    expect(result.stdout).not.toMatch(/bad\.example\.com|tim@example|Olympus/);

    const { prospects, notes, tasks, meetings } = sandbox.records();
    expect(prospects.map((prospect) => prospect.email).sort()).toEqual(['marcus@example.com', 'priya@example.com', 'sofia@example.com']);
    const priya = prospects.find((prospect) => prospect.email === 'priya@example.com');
    expect(priya).toMatchObject({ firstName: 'Priya', labels: ['Career Fair 2025', 'Spring'], company: 'Lakeside Insurance, LLC' });
    expect(prospects.find((prospect) => prospect.lastName === 'Ramírez')?.labels).toEqual(['Bilingual', 'Career Fair 2025']);
    expect(notes.map((note) => [note.prospectId === priya?.id, note.pin, note.body]).sort()).toEqual([
      [false, false, '<p>Prefers texts</p>'],
      [true, true, '<p>Met at booth 14, wants the &quot;team lead&quot; track.<br>Licensed in Ohio.</p>'],
    ]);
    expect(tasks.map((task) => task.dueAt).sort()).toEqual([1760000000000, Date.parse('2025-12-19T17:00:00Z')]);
    expect(meetings.map((meeting) => meeting.meetingDate).sort()).toEqual([Date.parse('2025-10-14T15:00:00Z'), 1761000000000].sort());

    const lines = parse(readFileSync(results, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(lines.map((line) => `${line.row}:${line.status}`)).toEqual(['2:succeeded', '3:succeeded', '4:failed', '5:duplicate', '7:succeeded', '8:failed', '9:duplicate']);
    expect(lines[0]).toMatchObject({ prospectId: priya?.id, noteId: expect.any(String), taskId: expect.any(String), meetingId: expect.any(String) });
  }, CLI_TIMEOUT_MS);

  it('writes nothing new when the same file runs again, and only the fixed rows from a corrected copy', async () => {
    const before = sandbox.counts();
    const replaysBefore = sandbox.stats().replays;
    const again = await importFile(sheet, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ succeeded: 3, failed: 2 });
    expect(sandbox.counts()).toEqual(before);
    // Priya: prospect, note, task, meeting; Marcus: prospect, note, task; Sofía: prospect, meeting. All replayed.
    expect(sandbox.stats().replays - replaysBefore).toBe(9);

    const corrected = join(dir, 'career-fair-fixed.csv');
    writeFileSync(corrected, SHEET.replace('bad.example.com', 'bad@example.com').replace(',yes,', ',true,').replace('Mars/Olympus', 'America/Denver'));
    const fixed = await importFile(corrected);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/7 row\(s\) → 5 succeeded, 0 failed, 2 duplicate row\(s\) skipped/);
    expect(fixed.stderr).toMatch(/… 5\/5 rows done, 0 failed/);
    expect(sandbox.counts()).toEqual({ prospects: before.prospects + 2, notes: before.notes + 1, tasks: before.tasks, meetings: before.meetings + 1 });
  }, 3 * CLI_TIMEOUT_MS);
});

describe('hc-workflow import of the examples, on the embedded sandbox', () => {
  it('imports examples/career-fair.csv with every row succeeding', async () => {
    const csv = await cli(['import', 'examples/career-fair.csv']);
    expect(csv.code).toBe(0);
    expect(csv.stderr).toMatch(/Started the embedded HiringCenter sandbox at http:\/\/127\.0\.0\.1:\d+\/v2/);
    expect(csv.stderr).toMatch(/the sandbox now holds 6 prospect\(s\), 5 note\(s\), 4 task\(s\), 3 meeting\(s\)/);
    expect(csv.stdout).toMatch(/6 row\(s\) → 6 succeeded, 0 failed/);
  }, CLI_TIMEOUT_MS);

  it('imports examples/career-fair.jsonl with every line succeeding', async () => {
    const jsonl = await cli(['import', 'examples/career-fair.jsonl', '--json']);
    expect(jsonl.code).toBe(0);
    expect(JSON.parse(jsonl.stdout)).toMatchObject({ rows: 3, succeeded: 3, failed: 0, failures: [] });
  }, CLI_TIMEOUT_MS);
});
