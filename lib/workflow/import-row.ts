import { hash } from 'node:crypto';
import * as z from 'zod/mini';
import { InputInvalidError, type InputIssue } from '../errors.ts';
import { dateInput, parseWorkflowInput, workflowInputSchema, type WorkflowConfig, type WorkflowInput, type WorkflowRequest } from './input.ts';
import { isPlainObject, lazy } from '../lazy.ts';
import { RENAMED_FIELDS, toInputInvalid } from './issues.ts';
import { fieldName } from './limits.ts';
import { IMPORT_ITEM_KEYS } from './state.ts';

/*
 * One spreadsheet row (or JSON Lines object) → one workflow input with its idempotency key. The CLI's import and the
 * first step of a row in AWS both call this, so a row means the same thing in both places. A CSV row arrives as a flat
 * object of header → text (what a Distributed Map CSV reader yields), and the cells are typed by the workflow schema
 * itself: add a field to input.ts and it becomes a column with the right typing.
 */

/** How a cell's text becomes a value: derived from the field's schema (see kindOf). */
export type CellKind = 'text' | 'boolean' | 'number' | 'date' | 'list' | 'unsupported';

export interface ImportColumn {
  /** The dotted input path the header names, e.g. `prospect.firstName`, or `idempotencyKey`. */
  header: string;
  section: string | undefined;
  field: string;
  kind: CellKind;
  /** Every row whose section is present needs this column (the field is not optional in the schema). */
  required: boolean;
}

export type KeyedWorkflowInput = WorkflowInput & { idempotencyKey: string };

export interface ImportedRow {
  /** The typed workflow input, with `idempotencyKey` = the row key. */
  input: KeyedWorkflowInput;
  /** SHA-256 of the canonical JSON of the input without its key: equal for identical rows, whatever their key. */
  contentHash: string;
  /** The input as the workflow validated and normalised it, so the row's first step need not validate it again. */
  request: WorkflowRequest;
}

type Schema = z.core.$ZodType;
type Def = z.core.$ZodTypeDef & Partial<{ innerType: Schema; options: readonly Schema[]; element: Schema; shape: Record<string, Schema> }>;
const defOf = (schema: Schema): Def => schema._zod.def as Def;

function unwrap(schema: Schema): { inner: Schema; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (let def = defOf(inner); (def.type === 'optional' || def.type === 'nullable') && def.innerType; def = defOf(inner)) {
    optional ||= def.type === 'optional';
    inner = def.innerType;
  }
  return { inner, optional };
}

/** A cell is text, so the schema decides what the text means. Objects in a list (note.mentions) need JSON Lines. */
function kindOf(schema: Schema): CellKind {
  const { inner } = unwrap(schema);
  if (inner === dateInput()) return 'date';
  const def = defOf(inner);
  switch (def.type) {
    case 'string':
    case 'enum':
      return 'text';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'array':
      return def.element && kindOf(def.element) === 'text' ? 'list' : 'unsupported';
    case 'union': {
      // prospect.labels takes a list or a comma-separated string; a cell always gives the list (';'-separated).
      const kinds = (def.options ?? []).map(kindOf);
      return kinds.includes('list') ? 'list' : kinds.every((kind) => kind === 'text') ? 'text' : 'unsupported';
    }
    default:
      return 'unsupported';
  }
}

function columnsFromSchema(): { columns: Map<string, ImportColumn>; requiredSections: string[] } {
  const columns = new Map<string, ImportColumn>();
  const requiredSections: string[] = [];
  for (const [key, schema] of Object.entries(workflowInputSchema().shape)) {
    const { inner, optional } = unwrap(schema);
    const shape = defOf(inner).shape;
    if (!shape) {
      columns.set(key, { header: key, section: undefined, field: key, kind: kindOf(schema), required: !optional });
      continue;
    }
    if (!optional) requiredSections.push(key);
    for (const [field, fieldSchema] of Object.entries(shape)) {
      columns.set(`${key}.${field}`, { header: `${key}.${field}`, section: key, field, kind: kindOf(fieldSchema), required: !unwrap(fieldSchema).optional });
    }
  }
  return { columns, requiredSections };
}

/** Derived once, on the first row: a step that is not running an import never needs them. */
const importColumns = /* @__PURE__ */ lazy(columnsFromSchema);

/** Every column a sheet may have, in schema order. */
export function importColumnList(): readonly ImportColumn[] {
  return [...importColumns().columns.values()];
}
export const LIST_SEPARATOR = ';';

/** Spreadsheets keep stray spaces around headers, and the first header can carry a byte-order mark. */
const cleanHeader = (header: string): string => header.replace(/^\uFEFF/, '').trim();
const isBlank = (cell: string): boolean => cell.trim() === '';

const UNSUPPORTED = 'cannot be given in a spreadsheet cell (it is a list of objects); import a .jsonl file for it';

type Typed = { value: unknown } | { problem: string } | undefined;

/**
 * undefined = absent field. Text is kept as written; around a typed token (boolean, number, date, list item) spaces
 * never mean anything, so they are ignored. Values never appear in problems: a cell may hold an email or a phone number.
 */
function typeCell(kind: CellKind, cell: string): Typed {
  if (isBlank(cell)) return undefined;
  const token = cell.trim();
  switch (kind) {
    case 'text':
      return { value: cell };
    case 'boolean':
      return token === 'true' ? { value: true } : token === 'false' ? { value: false } : { problem: 'must be true or false (in lower case), or left empty' };
    case 'number':
      return /^-?\d+(?:\.\d+)?$/.test(token) ? { value: Number(token) } : { problem: 'must be a number, or left empty' };
    case 'date': {
      // Digits are epoch milliseconds; anything else is left for the schema's ISO 8601 check and its message.
      const digits = /^\d+$/.test(token) ? Number(token) : undefined;
      return { value: digits !== undefined && Number.isSafeInteger(digits) ? digits : token };
    }
    case 'list': {
      const items = cell.split(LIST_SEPARATOR).map((item) => item.trim()).filter((item) => item.length > 0);
      return items.length === 0 ? undefined : { value: items };
    }
    case 'unsupported':
      return { problem: UNSUPPORTED };
  }
}

// Built only to describe a row that is not flat text, and only in the step that reads rows.
const rowSchema = /* @__PURE__ */ lazy(() => z.record(z.string(), z.string()));

function isTextRecord(row: unknown): row is Record<string, string> {
  if (!isPlainObject(row)) return false;
  const prototype: unknown = Object.getPrototypeOf(row);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(row).every((cell) => typeof cell === 'string');
}

/**
 * A CSV row (header → cell text) as a keyed workflow input. Empty cells are absent fields, a section whose cells are all
 * empty is absent, lists are ';'-separated, booleans are exactly true/false, dates are ISO 8601 or epoch-millisecond
 * digits. Then the whole input is validated as the workflow validates it. Throws InputInvalidError (subject "row")
 * listing every issue by its column, so a bad row is reported before anything is written.
 */
export function rowToWorkflowInput(row: unknown, config: WorkflowConfig): ImportedRow {
  // zod's record parse re-checks every key and cell, which was half the validation time of a 10,000-row dry run; rows
  // are flat text almost always, so zod is asked only to describe a row that is not.
  if (!isTextRecord(row)) {
    const parsed = rowSchema().safeParse(row);
    throw parsed.success ? new InputInvalidError([{ path: '', message: 'must be an object of column → cell text' }], 'row') : toInputInvalid(parsed.error, row, 'row');
  }
  const { columns, requiredSections } = importColumns();
  const typed: Record<string, unknown> = {};
  const sections: Record<string, Record<string, unknown>> = {};
  const issues: InputIssue[] = [];
  const typingFailed = new Set<string>();
  const seen = new Set<string>();
  for (const [rawHeader, cell] of Object.entries(row)) {
    const header = cleanHeader(rawHeader);
    const column = columns.get(header);
    if (!column || seen.has(header)) {
      // A column without a header is tolerated as long as it is empty (spreadsheets export trailing empty columns).
      if (header === '' && isBlank(cell)) continue;
      issues.push(header === '' ? { path: '(unnamed column)', message: 'holds a value but has no header; name the column or clear it' } : column ? { path: header, message: 'appears twice in the header; keep one of the columns' } : unknownColumnIssue(header));
      continue;
    }
    seen.add(header);
    const result = typeCell(column.kind, cell);
    if (result === undefined) continue;
    if ('problem' in result) {
      issues.push({ path: header, message: result.problem });
      typingFailed.add(header);
    }
    const value = 'value' in result ? result.value : undefined;
    if (column.section === undefined) {
      if (value !== undefined) typed[column.field] = value;
      continue;
    }
    // A cell that failed typing still makes its section present, so the section's other issues are reported too.
    const section = (sections[column.section] ??= {});
    if (value !== undefined) section[column.field] = value;
  }
  for (const name of requiredSections) sections[name] ??= {};
  for (const [name, section] of Object.entries(sections)) typed[name] = section;
  let request: WorkflowRequest | undefined;
  try {
    request = parseWorkflowInput(typed, config);
  } catch (error) {
    if (!(error instanceof InputInvalidError)) throw error;
    // "is required" for a cell that failed typing would only repeat the typing problem less precisely.
    issues.push(...error.issues.filter((issue) => !typingFailed.has(issue.path)));
  }
  if (issues.length > 0 || request === undefined) throw new InputInvalidError(issues, 'row');
  return keyed(typed as WorkflowInput, request);
}

/** A JSON Lines object: already typed, so only validated and keyed, by the same rule as a CSV row. */
export function jsonLineToWorkflowInput(value: unknown, config: WorkflowConfig): ImportedRow {
  return keyed(value as WorkflowInput, parseWorkflowInput(value, config));
}

/** The row key: the row's own idempotencyKey, else a hash of its content, so identical rows are one workflow. */
function keyed(input: WorkflowInput, request: WorkflowRequest): ImportedRow {
  const { idempotencyKey, ...content } = input;
  const contentHash = hash('sha256', canonicalJson(content), 'hex');
  return { input: { ...input, idempotencyKey: idempotencyKey ?? `import-v1-${contentHash}` }, contentHash, request };
}

/** JSON with object keys sorted at every level: the same content always gives the same text, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  // Plain loops and concatenation: this runs once per row, and map/filter/join allocations showed in the dry-run profile.
  let text: string;
  if (Array.isArray(value)) {
    text = '[';
    for (let index = 0; index < value.length; index++) text += (index > 0 ? ',' : '') + (value[index] === undefined ? 'null' : canonicalJson(value[index]));
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  text = '{';
  for (const key of keys) {
    if (record[key] === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(record[key])}`;
  }
  return `${text}}`;
}

/**
 * Problems with a header row as a whole: unknown, unsupported and repeated columns, and columns that every row of a
 * present section needs. `headers` in sheet order, so issues can name the spreadsheet column letter.
 */
export function importColumnIssues(headers: readonly string[]): InputIssue[] {
  const { columns, requiredSections } = importColumns();
  const cleaned = headers.map(cleanHeader);
  const named = cleaned.filter((header) => header !== '');
  if (named.length > 0 && !named.some((header) => columns.has(header))) {
    // Nothing is a known column: most likely the sheet has no header row, so the "headers" are someone's data.
    return [{ path: '(header row)', message: `has no known column; the first row must name each column by its input path, such as ${EXAMPLE_HEADERS}` }];
  }
  const issues: InputIssue[] = [];
  const firstColumn = new Map<string, number>();
  cleaned.forEach((header, index) => {
    if (header === '') return;
    const column = columns.get(header);
    const earlier = firstColumn.get(header);
    if (earlier !== undefined) issues.push({ path: header, message: `appears in columns ${columnLetter(earlier)} and ${columnLetter(index)}; keep one` });
    else if (!column) issues.push(unknownColumnIssue(header, index));
    else if (column.kind === 'unsupported') issues.push({ path: header, message: `${UNSUPPORTED} (column ${columnLetter(index)})` });
    if (earlier === undefined) firstColumn.set(header, index);
  });
  const present = new Set([...requiredSections, ...named.flatMap((header) => columns.get(header)?.section ?? [])]);
  for (const column of columns.values()) {
    if (!column.required || column.section === undefined || !present.has(column.section) || firstColumn.has(column.header)) continue;
    const why = requiredSections.includes(column.section) ? 'every row needs one' : `a ${column.section} needs one (the sheet has other ${column.section}.* columns)`;
    issues.push({ path: column.header, message: `has no column, and ${why}` });
  }
  return issues;
}

const EXAMPLE_HEADERS = 'prospect.firstName, prospect.lastName, prospect.email, note.body, task.dueAt, meeting.timeZone, or idempotencyKey';

/** Column letters as a spreadsheet shows them: A…Z, AA… */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** A header that looks like an email or a phone number is data from a sheet without a header row: never echo it. */
const looksLikeContactData = (header: string): boolean => header.includes('@') || /\d(?:[\s().-]*\d){6}/.test(header);

function unknownColumnIssue(header: string, index?: number): InputIssue {
  const where = index === undefined ? '' : ` (column ${columnLetter(index)})`;
  if (looksLikeContactData(header)) {
    return { path: index === undefined ? '(unnamed column)' : `column ${columnLetter(index)}`, message: 'is not a known column (its name looks like contact data, so it is not shown; is the header row missing?)' };
  }
  return { path: fieldName(header), message: `is not a known column${where}; ${unknownColumnHint(header)}` };
}

function unknownColumnHint(header: string): string {
  const lower = header.toLowerCase();
  const sameLetters = importColumnList().find((column) => column.header.toLowerCase() === lower);
  if (sameLetters) return `did you mean "${sameLetters.header}"? (headers are case-sensitive)`;
  const dot = header.indexOf('.');
  const section = dot > 0 ? header.slice(0, dot) : undefined;
  const field = dot > 0 ? header.slice(dot + 1) : header;
  const fields = importColumnList().filter((column) => column.section === section && column.kind !== 'unsupported').map((column) => column.field);
  if (section !== undefined && fields.length > 0) {
    const renamed = Object.hasOwn(RENAMED_FIELDS, field) ? RENAMED_FIELDS[field] : undefined;
    if (renamed && fields.includes(renamed)) return `did you mean "${section}.${renamed}"? (it was renamed in API v2)`;
    return `the ${section} columns are ${fields.map((name) => `${section}.${name}`).join(', ')}`;
  }
  const bareField = importColumnList().filter((column) => column.field === header && column.section !== undefined);
  if (bareField.length > 0) return `a header is a dotted input path: did you mean ${bareField.map((column) => `"${column.header}"`).join(' or ')}?`;
  return `a header is a dotted input path, such as ${EXAMPLE_HEADERS}`;
}

/** One item of an import's Distributed Map, as its ItemSelector hands it to the row's first step. */
export type ImportItem = { [IMPORT_ITEM_KEYS.csvRow]: unknown } | { [IMPORT_ITEM_KEYS.jsonLine]: unknown };

/**
 * The workflow input of an import item (keyed by the row rule above), or undefined when the state is not one: the first
 * step then reads it as a workflow input or an EventBridge event. An item is recognised by its reader's key alone;
 * a workflow input can never have that key (its schema is strict), and an event keeps everything under `detail`.
 */
export function importItemInput(state: unknown, config: WorkflowConfig): ImportedRow | undefined {
  if (!isPlainObject(state)) return undefined;
  if (IMPORT_ITEM_KEYS.csvRow in state) return rowToWorkflowInput(state[IMPORT_ITEM_KEYS.csvRow], config);
  if (IMPORT_ITEM_KEYS.jsonLine in state) return jsonLineToWorkflowInput(state[IMPORT_ITEM_KEYS.jsonLine], config);
  return undefined;
}
