import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../lib/errors.ts';
import { parseMeetingSection, parseTaskSection, parseWorkflowInput } from '../../lib/workflow/input.ts';
import { fieldName } from '../../lib/workflow/limits.ts';

const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';
const nonBlank = (max: number) => fc.string({ minLength: 1, maxLength: max }).filter((text) => text.trim() !== '');
const epochMs = fc.integer({ min: 100_000_000_000, max: 4_000_000_000_000 });
const isoDate = fc.date({ min: new Date('1980-01-01'), max: new Date('2090-01-01'), noInvalidDate: true }).map((date) => date.toISOString());
const zone = fc.constantFrom('America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe', 'america/los_angeles');

const validInput = fc.record(
  {
    idempotencyKey: nonBlank(200),
    prospect: fc.record(
      {
        firstName: nonBlank(200),
        lastName: nonBlank(200),
        email: fc.constantFrom('jordan.miller@example.com', 'a.b+c@sub.example.org'),
        phone: fc.constantFrom('+15551234567', '555-123-4567'),
        labels: fc.oneof(fc.array(nonBlank(100), { maxLength: 5 }), fc.constant('Hot, Inbound')),
        company: fc.option(nonBlank(200), { nil: null }),
      },
      { requiredKeys: ['firstName', 'lastName'] },
    ),
    note: fc.record({ body: nonBlank(500), pin: fc.boolean(), date: fc.oneof(epochMs, isoDate) }, { requiredKeys: ['body'] }),
    task: fc.record({ task: nonBlank(200), assignedTo: fc.constant(USER), dueAt: fc.oneof(epochMs, isoDate) }, { requiredKeys: ['task', 'assignedTo'] }),
    meeting: fc.record(
      { meetingDate: fc.oneof(epochMs, isoDate), timeZone: zone, meetingType: fc.constantFrom('virtual', 'phone', 'in-person'), ownerId: fc.constant(USER), location: fc.option(nonBlank(50), { nil: null }) },
      { requiredKeys: ['meetingDate', 'timeZone', 'meetingType', 'ownerId'] },
    ),
  },
  { requiredKeys: ['prospect'] },
);

function invalid(fn: () => unknown): InputInvalidError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputInvalidError) return error;
    throw error;
  }
  throw new Error('expected InputInvalidError');
}

describe('parseWorkflowInput', () => {
  it('accepts every valid input and sends dates as epoch milliseconds', () => {
    const checked = { noteDates: 0, meetings: 0 };
    fc.assert(
      fc.property(validInput, (input) => {
        const request = parseWorkflowInput(input, {});
        expect(request.prospect.firstName).toBe(input.prospect.firstName);
        if (input.note?.date !== undefined) {
          expect(request.note?.date).toBe(typeof input.note.date === 'number' ? input.note.date : Date.parse(input.note.date));
          checked.noteDates++;
        }
        if (input.meeting) {
          expect(typeof request.meeting?.meetingDate).toBe('number');
          expect(Intl.supportedValuesOf('timeZone').concat('UTC')).toContain(request.meeting?.timeZone);
          checked.meetings++;
        }
      }),
      { numRuns: 300 },
    );
    // The date checks are conditional on the generated sections: make sure they ran.
    expect(checked.noteDates).toBeGreaterThan(50);
    expect(checked.meetings).toBeGreaterThan(50);
  });

  it('is deterministic: the same input always yields the same request (so a retried step sends the same payload)', () => {
    fc.assert(fc.property(validInput, (input) => {
      expect(parseWorkflowInput(structuredClone(input), {})).toEqual(parseWorkflowInput(structuredClone(input), {}));
    }), { numRuns: 200 });
  });

  it('rejects any unknown top-level key and names it', () => {
    const known = new Set(['idempotencyKey', 'prospect', 'note', 'task', 'meeting']);
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20 }).filter((key) => !known.has(key)), (key) => {
        const error = invalid(() => parseWorkflowInput(JSON.parse(JSON.stringify({ prospect: { firstName: 'A', lastName: 'B' }, [key]: 1 })), {}));
        // Keys that would be invisible in a path ('', ' x', control characters) are shown JSON-quoted.
        expect(error.issues).toContainEqual({ path: fieldName(key), message: expect.stringContaining('unknown field') });
      }),
      { numRuns: 300 },
    );
  });

  it('rejects prototype-pollution keys at any level without polluting anything', () => {
    for (const json of ['{"__proto__":{"polluted":1},"prospect":{"firstName":"A","lastName":"B"}}', '{"prospect":{"firstName":"A","lastName":"B","constructor":{"prototype":{"polluted":1}}}}']) {
      const error = invalid(() => parseWorkflowInput(JSON.parse(json), {}));
      expect(error.message).toMatch(/unknown field/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('lists every issue, with the field path and the fix, and never the offending value', () => {
    const error = invalid(() => parseWorkflowInput({
      prospect: { firstName: '', email: 'jordan@@example', phone: 5551234567 },
      meeting: { meetingDate: 1760100000, timeZone: '+05:00', meetingType: 'virtual', ownerId: USER },
      task: { assignTo: USER, task: 'x' },
    }, {}));
    const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(byPath['prospect.firstName']).toBe('must not be empty');
    expect(byPath['prospect.lastName']).toBe('is required (string)');
    expect(byPath['prospect.email']).toMatch(/valid email address/);
    expect(byPath['prospect.phone']).toBe('must be a string');
    expect(byPath['meeting.timeZone']).toMatch(/IANA time zone/);
    expect(byPath['task.assignTo']).toMatch(/did you mean "assignedTo"/);
    expect(error.message).not.toContain('jordan@@example');
    expect(error.message).not.toContain('5551234567');
  });

  it('reports epoch seconds pasted as milliseconds, and impossible calendar dates', () => {
    const seconds = invalid(() => parseWorkflowInput({ prospect: { firstName: 'A', lastName: 'B' }, task: { task: 't', assignedTo: USER, dueAt: 1760000000 } }, {}));
    expect(seconds.issues).toEqual([{ path: 'task.dueAt', message: expect.stringContaining('epoch seconds') }]);
    const feb30 = invalid(() => parseWorkflowInput({ prospect: { firstName: 'A', lastName: 'B' }, note: { body: 'x', date: '2025-02-30T10:00:00Z' } }, {}));
    expect(feb30.issues).toEqual([{ path: 'note.date', message: 'is not a real calendar date or time' }]);
  });

  it('rejects non-object documents with a message about the document', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer(), fc.constant(null), fc.array(fc.anything())), (doc) => {
      const error = invalid(() => parseWorkflowInput(doc, {}));
      expect(error.message).toMatch(/^Invalid workflow input/);
    }), { numRuns: 100 });
  });

  it('splits comma-separated labels and sends an explicit update flag only when the caller set one', () => {
    const request = parseWorkflowInput({ prospect: { firstName: 'A', lastName: 'B', labels: ' Hot, ,Inbound ' } }, {});
    expect(request.prospect.labels).toEqual(['Hot', 'Inbound']);
    expect(request.prospect).not.toHaveProperty('update');
  });
});

describe('section parsers used by the later steps', () => {
  it('apply the default user id, and name the setting when there is none', () => {
    expect(parseTaskSection({ task: 'Call' }, { defaultUserId: USER }).assignedTo).toBe(USER);
    const error = invalid(() => parseMeetingSection({ meetingDate: 1760100000000, timeZone: 'UTC', meetingType: 'phone' }, {}));
    expect(error.issues).toEqual([{ path: 'meeting.ownerId', message: expect.stringContaining('HIRINGCENTER_DEFAULT_USER_ID') }]);
  });

  it('prefix issue paths with the section name', () => {
    const error = invalid(() => parseTaskSection({ task: '' , assignedTo: USER, extra: true }, {}));
    expect(error.issues.map((issue) => issue.path).sort()).toEqual(['task.extra', 'task.task']);
  });
});
