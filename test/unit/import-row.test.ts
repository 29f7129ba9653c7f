import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../lib/errors.ts';
import { canonicalJson, columnLetter, importColumnList, importColumnIssues, jsonLineToWorkflowInput, rowToWorkflowInput } from '../../lib/workflow/import-row.ts';
import { workflowInputSchema } from '../../lib/workflow/input.ts';
import { toCells, typedInput, USER } from '../support/import-rows.ts';

const HASH_KEY = /^import-v1-[0-9a-f]{64}$/;
const base = { 'prospect.firstName': 'Ann', 'prospect.lastName': 'Lee' };

function rowIssues(row: Record<string, string>, config = {}): InputInvalidError {
  try {
    rowToWorkflowInput(row, config);
  } catch (error) {
    if (error instanceof InputInvalidError) return error;
    throw error;
  }
  throw new Error('expected the row to be refused');
}

const withoutKey = (input: Record<string, unknown>) => Object.fromEntries(Object.entries(input).filter(([key]) => key !== 'idempotencyKey'));

describe('columns derived from the workflow schema', () => {
  it('offers every field of every section as a dotted column, typed by its schema', () => {
    const shapeFields = Object.entries(workflowInputSchema().shape).flatMap(([key, schema]) => {
      const inner = (schema as unknown as { _zod: { def: { innerType?: { shape?: object }; shape?: object } } })._zod.def;
      const shape = inner.shape ?? inner.innerType?.shape;
      return shape ? Object.keys(shape).map((field) => `${key}.${field}`) : [key];
    });
    expect(importColumnList().map((column) => column.header)).toEqual(shapeFields);
    const byKind = (kind: string) => importColumnList().filter((column) => column.kind === kind).map((column) => column.header).sort();
    expect(byKind('date')).toEqual(['meeting.meetingDate', 'note.date', 'task.dueAt']);
    expect(byKind('boolean')).toEqual(['note.pin', 'prospect.update']);
    expect(byKind('list')).toEqual(['prospect.labels']);
    expect(byKind('unsupported')).toEqual(['note.mentions']);
    expect(importColumnList().filter((column) => column.required).map((column) => column.header)).toEqual([
      'prospect.firstName', 'prospect.lastName', 'note.body', 'task.task', 'meeting.meetingDate', 'meeting.timeZone', 'meeting.meetingType',
    ]);
  });
});

describe('rowToWorkflowInput: typing', () => {
  it('round-trips every generated input through its cells, with a content key when the row has none', () => {
    let accepted = 0;
    fc.assert(fc.property(typedInput, (input) => {
      const { input: typed } = rowToWorkflowInput(toCells(input), {});
      expect(withoutKey(typed)).toEqual(withoutKey(input));
      expect(typed.idempotencyKey).toEqual(input.idempotencyKey ?? expect.stringMatching(HASH_KEY));
      accepted++;
    }), { numRuns: 300 });
    expect(accepted).toBe(300);
  });

  it('treats empty (or blank) cells as absent fields, and a section whose cells are all empty as absent', () => {
    const { input } = rowToWorkflowInput({ ...base, 'prospect.email': '', 'prospect.labels': ' ', 'note.body': '', 'note.pin': '', 'task.task': '  ', 'task.dueAt': '', 'meeting.timeZone': '' }, {});
    expect(withoutKey(input)).toEqual({ prospect: { firstName: 'Ann', lastName: 'Lee' } });
  });

  it('reports a section with some cells filled as present, naming the columns it still needs', () => {
    const error = rowIssues({ ...base, 'meeting.location': 'Zoom', 'note.pin': 'true' });
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['meeting.meetingDate', 'meeting.meetingType', 'meeting.timeZone', 'note.body']);
  });

  it('splits lists on ";" and trims the items; keeps text exactly as written, commas, quotes and line breaks included', () => {
    const body = ' Met at booth 14, said "call me"\r\nafter finals. ';
    const { input } = rowToWorkflowInput({ ...base, 'prospect.labels': 'Career Fair 2025; Spring ;;Licensed, Ohio', 'note.body': body }, {});
    expect(input.prospect.labels).toEqual(['Career Fair 2025', 'Spring', 'Licensed, Ohio']);
    expect(input.note?.body).toBe(body);
  });

  it('accepts exactly true and false for booleans and refuses anything else, naming the column', () => {
    let accepted = 0;
    fc.assert(fc.property(fc.oneof(fc.constantFrom('true', 'false', ' true', 'TRUE', 'False', 'yes', '1', '0'), fc.string({ minLength: 1, maxLength: 6 })), (cell) => {
      const expected = cell.trim() === 'true' ? true : cell.trim() === 'false' ? false : undefined;
      if (expected === undefined && cell.trim() !== '') {
        expect(rowIssues({ ...base, 'note.body': 'x', 'note.pin': cell }).issues).toEqual([{ path: 'note.pin', message: 'must be true or false (in lower case), or left empty' }]);
      } else if (expected !== undefined) {
        expect(rowToWorkflowInput({ ...base, 'note.body': 'x', 'note.pin': cell }, {}).input.note?.pin).toBe(expected);
        accepted++;
      }
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(30);
  });

  it('reads digit-only date cells as epoch milliseconds and everything else as ISO 8601, refusing what is neither', () => {
    let accepted = 0;
    let refused = 0;
    const cell = fc.oneof(
      fc.integer({ min: 100_000_000_000, max: 4_000_000_000_000 }).map(String),
      fc.date({ min: new Date('1990-01-01'), max: new Date('2080-01-01'), noInvalidDate: true }).map((date) => date.toISOString()),
      fc.constantFrom('2025-11-01', '2025-10-10T14:00', '10/14/2025', 'next Tuesday', '1760000000', '-5', '1e12'),
    );
    fc.assert(fc.property(cell, (value) => {
      const row = { ...base, 'task.task': 'Call', 'task.assignedTo': USER, 'task.dueAt': value };
      if (/^\d{12,13}$/.test(value)) {
        expect(rowToWorkflowInput(row, {}).input.task?.dueAt).toBe(Number(value));
        accepted++;
      } else if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
        expect(rowToWorkflowInput(row, {}).input.task?.dueAt).toBe(value);
        accepted++;
      } else {
        const issues = rowIssues(row).issues;
        expect(issues).toHaveLength(1);
        expect(issues[0]?.path).toBe('task.dueAt');
        expect(issues[0]?.message).toMatch(/ISO 8601|epoch (milli)?seconds/);
        refused++;
      }
    }), { numRuns: 300 });
    expect(accepted).toBeGreaterThan(150);
    expect(refused).toBeGreaterThan(10);
  });

  it('validates the row as the workflow does, listing every issue by its column and never echoing a value', () => {
    let refused = 0;
    fc.assert(fc.property(fc.stringMatching(/^[a-z]{10,20}$/), (secret) => {
      const error = rowIssues({ 'prospect.firstName': secret, 'prospect.lastName': '', 'prospect.email': `${secret}.example.com`, 'note.pin': `${secret}`, 'meeting.timeZone': `Mars/${secret}` });
      expect(error.message).not.toContain(secret);
      expect(error.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['prospect.lastName', 'prospect.email', 'note.pin', 'note.body', 'meeting.timeZone', 'meeting.meetingDate']));
      expect(error.message).toMatch(/^Invalid row \(\d+ issues\): /);
      refused++;
    }), { numRuns: 100 });
    expect(refused).toBe(100);
  });

  it('applies the configured default user, like the workflow, and refuses a task without an assignee otherwise', () => {
    const row = { ...base, 'task.task': 'Call back' };
    expect(rowIssues(row).issues).toEqual([{ path: 'task.assignedTo', message: expect.stringContaining('HIRINGCENTER_DEFAULT_USER_ID') }]);
    expect(rowToWorkflowInput(row, { defaultUserId: USER }).input.task).toEqual({ task: 'Call back' });
  });

  it('rejects unknown columns by name, with a hint, but never echoes a header that looks like contact data', () => {
    const error = rowIssues({ ...base, 'prospect.fistName': 'x', 'Prospect.Email': 'x', email: 'x', 'task.due': 'x', 'jordan@example.com': 'x', '+1 555 123 4567': 'x' });
    expect(error.issues).toEqual([
      { path: 'prospect.fistName', message: expect.stringContaining('the prospect columns are prospect.firstName, prospect.lastName') },
      { path: 'Prospect.Email', message: expect.stringContaining('did you mean "prospect.email"? (headers are case-sensitive)') },
      { path: 'email', message: expect.stringContaining('did you mean "prospect.email"?') },
      { path: 'task.due', message: expect.stringContaining('did you mean "task.dueAt"? (it was renamed in API v2)') },
      { path: '(unnamed column)', message: expect.stringContaining('looks like contact data') },
      { path: '(unnamed column)', message: expect.stringContaining('looks like contact data') },
    ]);
    expect(error.message).not.toMatch(/jordan@|555 123/);
  });

  it('refuses a row that is not a flat object of text, naming the column', () => {
    expect(rowIssues({ ...base, 'note.pin': true } as unknown as Record<string, string>).issues).toEqual([{ path: 'note.pin', message: 'must be a string' }]);
  });
});

describe('row keys', () => {
  it('are stable: column order, blank cells in every other column and spaces around typed values do not change the key', () => {
    let compared = 0;
    fc.assert(fc.property(typedInput, fc.integer(), (input, seed) => {
      const cells = toCells(input);
      const padded = Object.entries(cells).map(([header, cell]) => [header, importColumnList().find((column) => column.header === header)?.kind === 'text' ? cell : ` ${cell} `]);
      const blanks = importColumnList().filter((column) => !(column.header in cells) && column.kind !== 'unsupported').map((column) => [column.header, seed % 2 === 0 ? '' : ' ']);
      const reordered = Object.fromEntries([...padded, ...blanks].sort(([a], [b]) => hashOf(a ?? '', seed) - hashOf(b ?? '', seed)));
      expect(rowToWorkflowInput(reordered, {}).input.idempotencyKey).toBe(rowToWorkflowInput(cells, {}).input.idempotencyKey);
      compared++;
    }), { numRuns: 200 });
    expect(compared).toBe(200);
  });

  it('are the same for a CSV row and the JSON Lines object with the same content', () => {
    fc.assert(fc.property(typedInput, (input) => {
      expect(rowToWorkflowInput(toCells(input), {}).input.idempotencyKey).toBe(jsonLineToWorkflowInput(structuredClone(input), {}).input.idempotencyKey);
    }), { numRuns: 200 });
  });

  it('differ whenever the content differs (no two distinct rows are one workflow)', () => {
    const inputs = fc.uniqueArray(typedInput.map(withoutKey), { minLength: 2, maxLength: 30, selector: canonicalJson });
    let keys = 0;
    fc.assert(fc.property(inputs, (batch) => {
      const batchKeys = batch.map((input) => rowToWorkflowInput(toCells(input as Parameters<typeof toCells>[0]), {}).input.idempotencyKey);
      expect(new Set(batchKeys).size).toBe(batch.length);
      keys += batch.length;
    }), { numRuns: 50 });
    expect(keys).toBeGreaterThan(100);
  });

  it('are the idempotencyKey cell when there is one, and a content hash of at most 200 characters otherwise', () => {
    expect(rowToWorkflowInput({ ...base, idempotencyKey: 'ats-000417' }, {}).input.idempotencyKey).toBe('ats-000417');
    const hashed = rowToWorkflowInput(base, {});
    expect(hashed.input.idempotencyKey).toMatch(HASH_KEY);
    expect(hashed.input.idempotencyKey).toBe(`import-v1-${hashed.contentHash}`);
    // Same content, own key: the content hash still says they are the same row, which is what duplicate detection needs.
    expect(rowToWorkflowInput({ ...base, idempotencyKey: 'k' }, {}).contentHash).toBe(hashed.contentHash);
  });

  it('give a corrected copy of an invalid row a key, while unchanged rows keep theirs', () => {
    const good = rowToWorkflowInput({ ...base, 'prospect.email': 'ann@example.com' }, {}).input.idempotencyKey;
    expect(() => rowToWorkflowInput({ ...base, 'prospect.email': 'ann.example.com', 'note.pin': 'yes' }, {})).toThrow(InputInvalidError);
    const corrected = rowToWorkflowInput({ ...base, 'prospect.email': 'ann@example.com', 'note.pin': 'true', 'note.body': 'Hi' }, {}).input.idempotencyKey;
    expect(corrected).toMatch(HASH_KEY);
    expect(corrected).not.toBe(good);
    expect(rowToWorkflowInput({ ...base, 'prospect.email': 'ann@example.com' }, {}).input.idempotencyKey).toBe(good);
  });
});

describe('jsonLineToWorkflowInput', () => {
  it('validates with the workflow schema and keeps a line\'s own key', () => {
    expect(jsonLineToWorkflowInput({ idempotencyKey: 'line-1', prospect: { firstName: 'A', lastName: 'B', labels: 'Hot, Inbound' } }, {}).input).toEqual({
      idempotencyKey: 'line-1', prospect: { firstName: 'A', lastName: 'B', labels: 'Hot, Inbound' },
    });
    expect(() => jsonLineToWorkflowInput({ prospect: { firstName: 'A', lastName: 'B' }, extra: 1 }, {})).toThrow(/extra: unknown field/);
  });
});

describe('importColumnIssues', () => {
  it('accepts a header of known columns in any order, with unnamed empty columns', () => {
    expect(importColumnIssues(['\uFEFFprospect.lastName', ' prospect.firstName ', '', 'note.body', 'note.pin', ''])).toEqual([]);
  });

  it('names unknown, repeated, unsupported and missing columns, with column letters', () => {
    expect(importColumnIssues(['prospect.firstName', 'prospect.email', 'prospect.email', 'note.mentions', 'meeting.timeZone', 'foo'])).toEqual([
      { path: 'prospect.email', message: 'appears in columns B and C; keep one' },
      { path: 'note.mentions', message: expect.stringMatching(/use|import a \.jsonl file.*\(column D\)/) },
      { path: 'foo', message: expect.stringContaining('is not a known column (column F)') },
      { path: 'prospect.lastName', message: 'has no column, and every row needs one' },
      { path: 'note.body', message: 'has no column, and a note needs one (the sheet has other note.* columns)' },
      { path: 'meeting.meetingDate', message: expect.stringContaining('a meeting needs one') },
      { path: 'meeting.meetingType', message: expect.stringContaining('a meeting needs one') },
    ]);
  });

  it('says the header row is missing, without echoing it, when no cell of the first row is a column', () => {
    const issues = importColumnIssues(['Jordan', 'Miller', 'jordan.miller@example.com', '+15551234567']);
    expect(issues).toEqual([{ path: '(header row)', message: expect.stringContaining('the first row must name each column') }]);
    expect(JSON.stringify(issues)).not.toMatch(/Jordan|jordan|5551234567/);
  });

  it('letters columns as a spreadsheet does', () => {
    expect([0, 25, 26, 51, 52, 701, 702].map(columnLetter)).toEqual(['A', 'Z', 'AA', 'AZ', 'BA', 'ZZ', 'AAA']);
  });
});

function hashOf(text: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 2654435761);
  return h;
}
