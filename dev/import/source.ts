import { extname } from 'node:path';
import { CsvError, parse } from 'csv-parse/sync';
import { formatIssues, InputInvalidError, type InputIssue } from '../../lib/errors.ts';
import { columnLetter, importColumnIssues, jsonLineToWorkflowInput, rowToWorkflowInput, type ImportedRow, type ImportItem } from '../../lib/workflow/import-row.ts';
import type { WorkflowConfig } from '../../lib/workflow/input.ts';
import { parseJsonObject, readUtf8Text } from '../input-file.ts';

/** One data row of the file, by the number a person finds it under: a spreadsheet row, or a JSONL line. */
export interface SourceRow {
  row: number;
  /** The row as the import's Distributed Map hands it to the first step in AWS (its ItemSelector). */
  item: ImportItem & { rowIndex: number };
  /** The keyed workflow input; throws InputInvalidError listing every issue of the row. */
  toInput(config: WorkflowConfig): ImportedRow;
}

export type ImportFormat = 'csv' | 'jsonl';

export type ImportSource =
  | { ok: true; format: ImportFormat; rows: SourceRow[]; blankRows: number }
  /** A usage error (exit code 2): the file as a whole cannot be imported. */
  | { ok: false; message: string };

const FORMATS: Record<string, ImportFormat> = { '.csv': 'csv', '.jsonl': 'jsonl', '.ndjson': 'jsonl' };

export async function readImportFile(file: string): Promise<ImportSource> {
  const format = FORMATS[extname(file).toLowerCase()];
  if (!format) return { ok: false, message: `${file}: unsupported file type; import reads a spreadsheet saved as .csv, or JSON Lines (.jsonl)` };
  const read = await readUtf8Text(file);
  if ('unreadable' in read) return { ok: false, message: read.unreadable };
  if ('invalidByte' in read) return { ok: false, message: `${file} is not UTF-8 text (line ${read.line}, byte ${read.invalidByte}); save it as "CSV UTF-8" (or UTF-8 JSON Lines)` };
  const { text } = read;
  if (text.trim() === '') return { ok: false, message: `${file} is empty` };
  const source = format === 'csv' ? parseCsv(text) : parseJsonLines(text);
  return source.ok ? source : { ok: false, message: `${file} ${source.message}` };
}

/**
 * RFC 4180 as spreadsheets write it: quoted cells may hold commas, doubled quotes and line breaks; LF, CRLF or CR line
 * ends (mixed too: files pasted together). A stray quote inside an unquoted cell (5" screen) is kept as written, as
 * spreadsheets read it. Row numbers count records, not lines: a cell with line breaks is still one spreadsheet row, and a
 * blank line is a (blank) row, as a spreadsheet shows it.
 */
export function parseCsv(text: string): ImportSource {
  let records: { record: string[]; info: { records: number } }[];
  try {
    records = parse(text, {
      info: true, bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false, record_delimiter: ['\r\n', '\n', '\r'],
    }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // The record being read when parsing stopped: records already read + 1. Never the parser's message: it quotes data.
    const row = Number((error as CsvError & { records?: number }).records ?? 0) + 1;
    const why = error.code === 'CSV_QUOTE_NOT_CLOSED' ? `a quoted cell that starts in row ${row} is never closed (a " is missing)` : `row ${row} cannot be read (${error.code})`;
    return { ok: false, message: `is not valid CSV: ${why}` };
  }
  const [header, ...data] = records;
  if (!header || header.record.every(isBlank)) return { ok: false, message: 'has no header in row 1; the first row must name each column, such as prospect.firstName' };
  const headerIssues = importColumnIssues(header.record);
  if (headerIssues.length > 0) return { ok: false, message: `has a header problem in row 1: ${formatIssues('header', headerIssues).replace(/^Invalid header /, '')}` };
  const headers = header.record;
  const rows: SourceRow[] = [];
  let blankRows = 0;
  for (const { record, info } of data) {
    if (record.every(isBlank)) {
      blankRows++;
      continue;
    }
    const cells: Record<string, string> = {};
    const layoutIssues: InputIssue[] = [];
    record.forEach((cell, index) => {
      const name = headers[index];
      if (name !== undefined && name.trim() !== '') cells[name] = cell;
      else if (!isBlank(cell)) layoutIssues.push(strayCell(index, headers.length));
    });
    rows.push({
      row: info.records,
      item: { csvRow: cells, rowIndex: info.records - 2 },
      toInput: (config) => withIssues(layoutIssues, () => rowToWorkflowInput(cells, config)),
    });
  }
  if (rows.length === 0) return { ok: false, message: 'has a header but no data rows' };
  return { ok: true, format: 'csv', rows, blankRows };
}

/** JSON Lines: one workflow input object per line; blank lines are skipped but still counted, so numbers match an editor. */
export function parseJsonLines(text: string): ImportSource {
  const rows: SourceRow[] = [];
  let blankRows = 0;
  // Trailing blank lines (the usual final newline) are not rows of the file.
  text.replace(/^\uFEFF/, '').trimEnd().split('\n').forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line.trim() === '') {
      blankRows++;
      return;
    }
    const parsed = parseJsonLine(line);
    rows.push({
      row: index + 1,
      item: { jsonLine: 'value' in parsed ? parsed.value : null, rowIndex: index },
      toInput: (config) => {
        if ('problem' in parsed) throw new InputInvalidError([{ path: '', message: parsed.problem }], 'line');
        return jsonLineToWorkflowInput(parsed.value, config);
      },
    });
  });
  if (rows.length === 0) return { ok: false, message: 'has no lines with a workflow input' };
  return { ok: true, format: 'jsonl', rows, blankRows };
}

function parseJsonLine(line: string): { value: unknown } | { problem: string } {
  const parsed = parseJsonObject(line);
  return 'problem' in parsed && parsed.problem.startsWith('is not valid JSON') ? { problem: `${parsed.problem}; each line must be one workflow input object` } : parsed;
}

const isBlank = (cell: string): boolean => cell.trim() === '';

function strayCell(index: number, headerLength: number): InputIssue {
  const where = `column ${columnLetter(index)}`;
  return index >= headerLength
    ? { path: where, message: `holds a value, but the header has only ${headerLength} columns; check the row's quotes and commas, or add a header` }
    : { path: where, message: 'holds a value but has no header; name the column or clear it' };
}

/** The row's own layout issues (cells outside the header) come first, then everything the row function finds. */
function withIssues(layoutIssues: InputIssue[], convert: () => ImportedRow): ImportedRow {
  if (layoutIssues.length === 0) return convert();
  let more: readonly InputIssue[] = [];
  try {
    convert();
  } catch (error) {
    if (!(error instanceof InputInvalidError)) throw error;
    more = error.issues;
  }
  throw new InputInvalidError([...layoutIssues, ...more], 'row');
}
