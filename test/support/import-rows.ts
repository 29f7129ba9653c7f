import fc from 'fast-check';

/* Generated workflow inputs in the typed form a spreadsheet row produces, and their way back to cells and CSV text. */

export const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';

/** Characters that stress CSV and cell typing: separators, quotes, line breaks, spaces, non-ASCII, astral symbols. */
const cellChar = fc.constantFrom('a', 'Z', '7', ' ', ',', '"', ';', '\n', '\r\n', "'", 'é', 'ß', '中', '😀', '=', '-', '.', '\t');
const text = (maxLength: number) => fc.string({ unit: cellChar, minLength: 1, maxLength }).filter((value) => value.trim() !== '');
/** A label is one list item: the separator cannot be in it, and items are trimmed. */
const label = fc.string({ unit: fc.constantFrom('a', 'B', '3', ' ', ',', '"', 'é', '中', '-'), minLength: 1, maxLength: 20 })
  .map((value) => value.trim()).filter((value) => value !== '');
const epochMs = fc.integer({ min: 100_000_000_000, max: 4_000_000_000_000 });
const isoDate = fc.date({ min: new Date('1980-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
const date = fc.oneof(epochMs, isoDate);

export const typedInput = fc.record(
  {
    idempotencyKey: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    prospect: fc.record(
      {
        firstName: text(30),
        lastName: text(30),
        email: fc.constantFrom('jordan.miller@example.com', 'a.b+c@sub.example.org', 'x@example.co'),
        phone: fc.constantFrom('+15551234567', '555-123-4567'),
        labels: fc.array(label, { minLength: 1, maxLength: 4 }),
        update: fc.boolean(),
        company: text(40),
        licenseStatus: fc.constantFrom('not_started', 'in_progress', 'licensed'),
      },
      { requiredKeys: ['firstName', 'lastName'] },
    ),
    note: fc.record({ body: text(200), pin: fc.boolean(), date }, { requiredKeys: ['body'] }),
    task: fc.record({ task: text(60), assignedTo: fc.constant(USER), dueAt: date }, { requiredKeys: ['task', 'assignedTo'] }),
    meeting: fc.record(
      { meetingDate: date, timeZone: fc.constantFrom('America/New_York', 'Europe/Berlin', 'UTC'), meetingType: fc.constantFrom('virtual', 'phone'), ownerId: fc.constant(USER), location: text(30) },
      { requiredKeys: ['meetingDate', 'timeZone', 'meetingType', 'ownerId'] },
    ),
  },
  { requiredKeys: ['prospect'] },
);

export type TypedInput = typeof typedInput extends fc.Arbitrary<infer T> ? T : never;

/** The inverse of the cell typing: the dotted header → cell text a spreadsheet would hold for this input. */
export function toCells(input: TypedInput): Record<string, string> {
  const cells: Record<string, string> = {};
  for (const [key, value] of Object.entries(input)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [field, inner] of Object.entries(value)) cells[`${key}.${field}`] = Array.isArray(inner) ? inner.join(';') : String(inner);
    } else {
      cells[key] = String(value);
    }
  }
  return cells;
}

/** An RFC 4180 writer with the variations spreadsheets produce. */
export function toCsv(rows: readonly (readonly string[])[], options: { lineEnd?: '\r\n' | '\n'; quoteAll?: boolean; bom?: boolean } = {}): string {
  const lineEnd = options.lineEnd ?? '\r\n';
  const cell = (value: string) => (options.quoteAll || /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  return (options.bom ? '\uFEFF' : '') + rows.map((row) => row.map(cell).join(',')).join(lineEnd) + lineEnd;
}
