import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../lib/errors.ts';
import { importColumnList } from '../../lib/workflow/import-row.ts';
import { parseCsv, parseJsonLines, readImportFile, type ImportSource, type SourceRow } from '../../dev/import/source.ts';
import { toCells, toCsv, typedInput } from '../support/import-rows.ts';

type Outcome = { row: number; input?: Record<string, unknown>; message?: string };

function rowsOf(source: ImportSource): Outcome[] {
  if (!source.ok) throw new Error(`expected a readable source, got: ${source.message}`);
  return source.rows.map((row: SourceRow) => {
    try {
      return { row: row.row, input: row.toInput({}).input as Record<string, unknown> };
    } catch (error) {
      if (!(error instanceof InputInvalidError)) throw error;
      return { row: row.row, message: error.message };
    }
  });
}

const HEADER = 'prospect.firstName,prospect.lastName,prospect.email,note.body';

describe('CSV: RFC 4180 as spreadsheets write it', () => {
  it('reads quoted commas, doubled quotes and line breaks in cells, and numbers rows as the spreadsheet shows them', () => {
    const text = [
      HEADER,
      'Ann,Lee,ann@example.com,"Met at booth 14, wants ""team lead"".\r\nSecond line.\n\nFourth line."',
      'Bob,Ray,not-an-email,Plain',
      'Cy,Dee,cy@example.com,"one, two"',
    ].join('\r\n');
    const rows = rowsOf(parseCsv(text));
    expect(rows.map((row) => row.row)).toEqual([2, 3, 4]);
    expect((rows[0]?.input?.note as { body: string }).body).toBe('Met at booth 14, wants "team lead".\r\nSecond line.\n\nFourth line.');
    expect(rows[1]?.message).toMatch(/prospect\.email: must be a valid email address/);
    expect(rows[1]?.message).not.toContain('not-an-email');
    expect((rows[2]?.input?.note as { body: string }).body).toBe('one, two');
  });

  it('strips a byte-order mark and accepts LF, CRLF, CR and mixed line ends', () => {
    for (const text of [`\uFEFF${HEADER}\r\nAnn,Lee,,\r\n`, `${HEADER}\nAnn,Lee,,\n`, `${HEADER}\rAnn,Lee,,\r`, `${HEADER}\r\nAnn,Lee,,\nBo,Ray,,\rCy,Dee,,`]) {
      const rows = rowsOf(parseCsv(text));
      expect(rows[0]).toEqual({ row: 2, input: expect.objectContaining({ prospect: { firstName: 'Ann', lastName: 'Lee' } }) });
      expect(rows.every((row) => row.input)).toBe(true);
    }
  });

  it('skips blank lines and rows of empty cells but keeps counting them, as a spreadsheet does', () => {
    const source = parseCsv(`${HEADER}\n\nAnn,Lee,,\n,,,\n\nBo,Ray,,\n`);
    expect(rowsOf(source).map((row) => row.row)).toEqual([3, 6]);
    expect(source.ok && source.blankRows).toBe(3);
  });

  it('accepts short rows (missing trailing cells are empty) and refuses a value beyond the header, naming the column', () => {
    const rows = rowsOf(parseCsv(`${HEADER},\nAnn,Lee\nBo,Ray,,,,\nCy,Dee,,,,x\n`));
    expect(rows[0]?.input).toBeDefined();
    expect(rows[1]?.input).toBeDefined();
    expect(rows[2]).toEqual({ row: 4, message: expect.stringContaining('column F: holds a value, but the header has only 5 columns') });
  });

  it('refuses a value in a column without a header, and lists it with the row\'s other issues', () => {
    const rows = rowsOf(parseCsv(`prospect.firstName,,prospect.lastName\nAnn,,Lee\nBo,x,\n`));
    expect(rows[0]?.input).toBeDefined();
    expect(rows[1]?.message).toMatch(/^Invalid row \(2 issues\): column B: holds a value but has no header.*prospect\.lastName: is required/);
  });

  it('keeps a stray quote inside an unquoted cell as written', () => {
    const rows = rowsOf(parseCsv(`${HEADER}\nAnn,Lee,,Wants a 27" screen\n`));
    expect((rows[0]?.input?.note as { body: string }).body).toBe('Wants a 27" screen');
  });

  it('refuses the file when a quoted cell is never closed, naming the row where it starts', () => {
    expect(parseCsv(`${HEADER}\nAnn,Lee,,ok\nBo,Ray,,"never closed\nCy,Dee,,x\n`)).toEqual({ ok: false, message: expect.stringContaining('a quoted cell that starts in row 3 is never closed') });
  });

  it('refuses header problems as a whole file, before any row', () => {
    expect(parseCsv('prospect.firstName,prospect.lastName,prospect.fistName\nA,B,C\n')).toEqual({ ok: false, message: expect.stringMatching(/header problem in row 1: .*prospect\.fistName: is not a known column \(column C\)/) });
    expect(parseCsv('Jordan,Miller,jordan@example.com\nAvery,Coleman,avery@example.com\n')).toEqual({ ok: false, message: expect.not.stringContaining('jordan') });
    expect(parseCsv(',,\nA,B,C\n')).toEqual({ ok: false, message: expect.stringContaining('has no header in row 1') });
    expect(parseCsv(`${HEADER}\n\n,,,\n`)).toEqual({ ok: false, message: 'has a header but no data rows' });
  });

  it('reads back every generated sheet exactly, whatever the quoting, line ends and byte-order mark', () => {
    const headers = importColumnList().filter((column) => column.kind !== 'unsupported').map((column) => column.header);
    let rowsRead = 0;
    fc.assert(fc.property(fc.array(typedInput, { minLength: 1, maxLength: 8 }), fc.constantFrom<'\r\n' | '\n'>('\r\n', '\n'), fc.boolean(), fc.boolean(), (inputs, lineEnd, quoteAll, bom) => {
      const cells = inputs.map(toCells);
      const text = toCsv([headers, ...cells.map((row) => headers.map((header) => row[header] ?? ''))], { lineEnd, quoteAll, bom });
      const rows = rowsOf(parseCsv(text));
      expect(rows.map((row) => row.row)).toEqual(inputs.map((_, index) => index + 2));
      rows.forEach((row, index) => {
        const { idempotencyKey: _key, ...content } = row.input ?? {};
        const { idempotencyKey: _original, ...expected } = inputs[index] ?? { prospect: {} };
        expect(content).toEqual(expected);
      });
      rowsRead += rows.length;
    }), { numRuns: 100 });
    expect(rowsRead).toBeGreaterThan(200);
  });
});

describe('JSON Lines', () => {
  it('numbers rows by line, skipping blank lines, with LF or CRLF and a byte-order mark', () => {
    const source = parseJsonLines('\uFEFF{"prospect":{"firstName":"A","lastName":"B"}}\r\n\r\n{"prospect":{"firstName":"C","lastName":"D"}}\n\n');
    expect(rowsOf(source).map((row) => [row.row, Boolean(row.input)])).toEqual([[1, true], [3, true]]);
    expect(source.ok && source.blankRows).toBe(1);
  });

  it('refuses a line that is not a JSON object without quoting it, and goes on with the others', () => {
    const rows = rowsOf(parseJsonLines([
      '{"prospect":{"firstName":"A","lastName":"B","email":"secret.person@example.com",}}',
      '[1,2]',
      '"text"',
      `${'['.repeat(40)}${']'.repeat(40)}`,
      '{"prospect":{"firstName":"A","lastName":"B"},"extra":true}',
      '{"prospect":{"firstName":"A","lastName":"B"}}',
    ].join('\n')));
    expect(rows.map((row) => row.message ?? 'ok')).toEqual([
      expect.stringMatching(/is not valid JSON \(at character \d+\)/),
      expect.stringContaining('not an array'),
      expect.stringContaining('not a string'),
      expect.stringContaining('nests 40 levels deep'),
      expect.stringContaining('extra: unknown field'),
      'ok',
    ]);
    expect(rows[0]?.message).not.toContain('secret.person');
  });
});

describe('readImportFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hc-import-'));
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('picks the format by extension and refuses others, missing files, empty files and non-UTF-8 text', async () => {
    expect((await readImportFile(file('a.CSV', `${HEADER}\nA,B,,\n`))).ok).toBe(true);
    expect((await readImportFile(file('a.jsonl', '{"prospect":{"firstName":"A","lastName":"B"}}\n'))).ok).toBe(true);
    expect(await readImportFile(file('a.xlsx', 'PK'))).toEqual({ ok: false, message: expect.stringContaining('unsupported file type; import reads a spreadsheet saved as .csv, or JSON Lines (.jsonl)') });
    expect(await readImportFile(join(dir, 'missing.csv'))).toEqual({ ok: false, message: expect.stringContaining('missing.csv: no such file') });
    expect(await readImportFile(file('empty.csv', ' \r\n'))).toEqual({ ok: false, message: expect.stringContaining('empty.csv is empty') });
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\nRen`), Buffer.from([0xe9]), Buffer.from(',B,,\n')]);
    expect(await readImportFile(file('latin1.csv', latin1))).toEqual({ ok: false, message: expect.stringContaining('is not UTF-8 text (line 2,') });
  });
});
