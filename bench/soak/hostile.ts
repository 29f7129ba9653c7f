/**
 * Generators for fuzzing everything that reads a workflow input: near-valid inputs with a few hostile mutations, whole
 * documents of garbage, and the bytes of a CLI input file. The hostile values are the ones that break real systems:
 * bodies larger than Step Functions carries, nesting deeper than JSON.stringify walks, prototype keys, control
 * characters, lone surrogates and bytes that are not UTF-8.
 */
import fc from 'fast-check';

const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';

/** Parsed from JSON text, as every transport delivers it: `__proto__` is then an own key, not the prototype. */
const fromJson = (text: string): unknown => JSON.parse(text);
const nested = (open: string, inner: string, close: string, depth: number): unknown => fromJson(open.repeat(depth) + inner + close.repeat(depth));

/** Beyond what JSON.stringify (about 4,000 levels) and structuredClone (about 2,000) can walk. */
const DEEP = 6000;

export const HOSTILE_STRINGS: readonly string[] = [
  'x'.repeat(300_000),
  '€'.repeat(100_000), // 100,000 characters, the note limit, and 300 KB of UTF-8
  '\u0001'.repeat(60_000), // 60,000 characters, 360 KB once JSON escapes them
  '\u0000',
  'Jordan\u0000Miller',
  '\u0007\b\u001b[31mred\u001b[0m\u007f\u0085',
  'line\u2028separator\u2029',
  'Jordan\ud800',
  '\udc00Miller',
  '\udbff\udfff\ud83d',
  '\u202eevil.exe',
  '<script>alert(1)</script>',
  "'; DROP TABLE prospects; --",
  '${jndi:ldap://x}',
  '   ',
  '',
  'k'.repeat(1_000),
];

export const HOSTILE_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '', ' ', 'k'.repeat(1_000), 'a\u0000b', '\ud800'];

const PROTO_OBJECT = fromJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}');
const WIDE_OBJECT = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`field${i}`, i]));

export const HOSTILE_VALUES: readonly unknown[] = [
  nested('{"a":', '1', '}', DEEP),
  nested('[', '1', ']', DEEP),
  nested('{"a":', '1', '}', 40),
  PROTO_OBJECT,
  WIDE_OBJECT,
  Array.from({ length: 20_000 }, () => ''),
  [],
  {},
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  '2025-02-30T10:00:00Z',
  '1760000000000',
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
const hostileValue = fc.oneof(hostileString, fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 3 }));
/** Mostly the valid form, now and then a wrong one: a near-valid input should usually be accepted. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<U>) => fc.oneof({ weight: 24, arbitrary: valid }, { weight: 1, arbitrary: wrong });
const text = (max: number) => mostly(
  fc.oneof({ weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: Math.min(max, 40) }) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: Math.min(max, 30) }) }),
  hostileString,
);
const epochMs = fc.integer({ min: 100_000_000_000, max: 4_000_000_000_000 });
const isoDate = fc.date({ min: new Date('1980-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
const date = mostly(fc.oneof(epochMs, isoDate, fc.constantFrom('2025-10-10T14:00', '2025-10-10')), fc.constantFrom(1760000000, '2025-02-30', 'next tuesday', -5));
const zone = mostly(fc.constantFrom('America/New_York', 'Europe/Berlin', 'UTC', 'asia/kolkata'), fc.constantFrom('Mars/Olympus_Mons', '+02:00', ''));
const mention = mostly(
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
  fc.constantFrom(PROTO_OBJECT, { deep: HOSTILE_VALUES[0] }, { deep: HOSTILE_VALUES[1] }, { deep: HOSTILE_VALUES[2] }),
);
const user = mostly(fc.constant(USER), fc.constantFrom('', 42));

/** Inputs close to valid: most fields right, so a good share is accepted and reaches the checks of an accepted input. */
const baseInput = fc.record(
  {
    idempotencyKey: text(200),
    prospect: fc.record(
      {
        firstName: text(200),
        lastName: text(200),
        email: mostly(fc.tuple(fc.stringMatching(/^[a-z0-9]{1,8}([._+-][a-z0-9]{1,8}){0,2}$/), fc.constantFrom('example.com', 'mail.example.org')).map(([local, domain]) => `${local}@${domain}`), fc.oneof(fc.emailAddress(), fc.constantFrom('not-an-email', 'a@b', ''))),
        phone: mostly(fc.constantFrom('+15551234567', '555-123-4567', '12', '(555) 123 4567'), text(40)),
        labels: fc.oneof(fc.array(text(100), { maxLength: 5 }), fc.constant('Hot, Inbound')),
        company: fc.option(text(200), { nil: null }),
        licenseStatus: mostly(fc.constantFrom('not_started', 'in_progress', 'licensed'), fc.constant('done')),
      },
      { requiredKeys: ['firstName', 'lastName'] },
    ),
    note: fc.record(
      { body: text(100_000), pin: fc.boolean(), date, mentions: fc.array(mention, { maxLength: 3 }), fileUrl: mostly(fc.constant('https://files.example.com/a.pdf'), fc.constant('http://x.example.com')) },
      { requiredKeys: ['body'] },
    ),
    task: fc.record({ task: text(2000), assignedTo: user, dueAt: date }, { requiredKeys: ['task', 'assignedTo'] }),
    meeting: fc.record(
      { meetingDate: date, timeZone: zone, meetingType: text(100), ownerId: user, location: fc.option(text(500), { nil: null }), notes: text(10_000) },
      { requiredKeys: ['meetingDate', 'timeZone', 'meetingType', 'ownerId'] },
    ),
  },
  { requiredKeys: ['prospect'] },
);

const KNOWN_KEYS = [
  'idempotencyKey', 'prospect', 'note', 'task', 'meeting', 'firstName', 'lastName', 'email', 'phone', 'labels', 'update', 'stageId', 'notes',
  'body', 'pin', 'date', 'mentions', 'fileUrl', 'task', 'assignedTo', 'dueAt', 'meetingDate', 'timeZone', 'meetingType', 'ownerId', 'userId',
  'assignTo', 'timezone', 'detail',
];
const DELETE = Symbol('delete');
const mutation = fc.record({
  section: fc.constantFrom('', 'prospect', 'note', 'task', 'meeting'),
  key: fc.oneof(fc.constantFrom(...KNOWN_KEYS), fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 10 })),
  value: fc.oneof({ weight: 4, arbitrary: hostileValue }, { weight: 1, arbitrary: fc.constant<typeof DELETE>(DELETE) }),
});
type Mutation = { section: string; key: string; value: unknown };

/** Sets keys the way JSON.parse does (own properties, `__proto__` included), so the case is a real JSON document. */
function applyMutations(base: Record<string, unknown>, mutations: Mutation[]): unknown {
  // Two levels are copied (mutations touch no deeper); deeper values stay shared, hostile 6,000-level ones included.
  const input: Record<string, unknown> = Object.fromEntries(
    Object.entries(base).map(([key, value]) => [key, value !== null && typeof value === 'object' && !Array.isArray(value) ? { ...value } : value]),
  );
  for (const { section, key, value } of mutations) {
    const holder = section === '' ? input : input[section];
    if (holder === null || typeof holder !== 'object' || Array.isArray(holder)) continue;
    if (value === DELETE) delete (holder as Record<string, unknown>)[key];
    else Object.defineProperty(holder, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return input;
}

/** A workflow input as any trigger could deliver it: near-valid with up to three hostile mutations, or garbage. */
export const workflowInputCase: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(baseInput, fc.oneof({ weight: 3, arbitrary: fc.constant<Mutation[]>([]) }, { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) })).map(([base, mutations]) => applyMutations(base, mutations)) },
  { weight: 1, arbitrary: hostileValue },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
);

export const workflowConfigCase = fc.constantFrom({}, { defaultUserId: 'b2e7a1d94c3f4a8eb6d05c1f9a7e2d45' });

const TOO_DEEP = new Set(HOSTILE_VALUES.slice(0, 2));

function holdsTooDeep(value: unknown, levels: number): boolean {
  if (TOO_DEEP.has(value)) return true;
  if (levels === 0 || value === null || typeof value !== 'object') return false;
  return Object.values(value).some((inner) => holdsTooDeep(inner, levels - 1));
}

/** Text that JSON.stringify cannot produce, for the CLI file. */
const HOSTILE_FILE_TEXTS = ['', ' ', 'null', '[]', '"just a string"', '{', '{"prospect":', '{"prospect":{"firstName":"A","lastName":"B"}}garbage', '['.repeat(200_000) + ']'.repeat(200_000), '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)];

/**
 * The bytes of a CLI input file: a generated input as JSON, sometimes damaged the way files get damaged (a BOM, CRLF,
 * bytes that are not UTF-8, a CESU-8 lone surrogate, NUL bytes, truncation), or text that is not JSON at all.
 */
export const inputFileCase: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(workflowInputCase, fc.constantFrom('none', 'bom', 'crlf', 'latin1', 'invalid-byte', 'cesu-surrogate', 'nul', 'truncate', 'pretty'), fc.nat()).map(([input, damage, at]) => {
      // Too deep to stringify (finding out by a stack overflow costs milliseconds): write a deep text instead.
      let json = holdsTooDeep(input, 4)
        ? (HOSTILE_FILE_TEXTS[8] ?? '[]')
        : ((damage === 'pretty' || damage === 'crlf' ? JSON.stringify(input, null, 2) : JSON.stringify(input)) ?? 'null');
      if (damage === 'crlf') json = json.replace(/\n/g, '\r\n');
      const bytes = Buffer.from(json, 'utf8');
      const cut = bytes.length === 0 ? 0 : at % bytes.length;
      switch (damage) {
        case 'bom': return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
        case 'latin1': return Buffer.from(json.replace(/"firstName":"/, '"firstName":"Jos\u00e9 '), 'latin1');
        case 'invalid-byte': return Buffer.concat([bytes.subarray(0, cut), Buffer.from([0xff]), bytes.subarray(cut)]);
        case 'cesu-surrogate': { // a lone surrogate written as its 3 bytes, which UTF-8 forbids
          const marker = bytes.indexOf('"lastName":"');
          const split = marker < 0 ? bytes.length : marker + '"lastName":"'.length;
          return Buffer.concat([bytes.subarray(0, split), Buffer.from([0xed, 0xa0, 0x80]), bytes.subarray(split)]);
        }
        case 'nul': return Buffer.concat([bytes.subarray(0, cut), Buffer.from([0x00]), bytes.subarray(cut)]);
        case 'truncate': return bytes.subarray(0, cut);
        default: return bytes;
      }
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_FILE_TEXTS).map((text) => Buffer.from(text, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
);
