import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIanaTimeZone, normalizePhone, parseDateInput, parseLabels } from '../../dev/sandbox/formats.ts';
import { canonicalJson, HttpError } from '../../dev/sandbox/http.ts';
import { validateMeeting, validateProspect } from '../../dev/sandbox/validation.ts';

const nonBlank = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => s.trim() !== '');
const e164 = fc.stringMatching(/^\+[1-9]\d{6,14}$/);
/** E.164 digits written with the separators people type: spaces, dashes, dots, parentheses. */
const formattedPhone = e164.chain((phone) =>
  fc
    .array(fc.constantFrom('', ' ', '-', '.', '(', ')'), { minLength: phone.length, maxLength: phone.length })
    .map((seps) => ({ phone, typed: [...phone].map((ch, i) => (i === 0 ? ch : `${seps[i] ?? ''}${ch}`)).join('') })),
);

function issues(run: () => unknown): string[] {
  try {
    run();
    return [];
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return (error.details ?? []).map((d) => d.field);
  }
}

describe('sandbox validators (properties)', () => {
  it('accepts any well-formed prospect and keeps its values', () => {
    fc.assert(
      fc.property(
        nonBlank,
        nonBlank,
        fc.option(fc.emailAddress().filter((e) => e.length <= 254), { nil: undefined }),
        fc.option(formattedPhone, { nil: undefined }),
        fc.array(nonBlank, { maxLength: 5 }),
        fc.dictionary(fc.string().map((k) => `x_${k}`), fc.jsonValue(), { maxKeys: 3 }),
        (firstName, lastName, email, phone, labels, extra) => {
          const body = { ...extra, firstName, lastName, email, phone: phone?.typed, labels };
          const input = validateProspect(body);
          expect(input.firstName).toBe(firstName.trim());
          expect(input.email).toBe(email);
          expect(input.phone).toBe(phone?.phone);
          expect(input.phoneInvalid).toBe(false);
          expect(input.labels).toEqual([...new Set(labels.map((l) => l.trim()))]);
          expect(input.update).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts every zone of the runtime tz database and rejects anything with other characters or offsets', () => {
    for (const zone of Intl.supportedValuesOf('timeZone')) expect(isIanaTimeZone(zone)).toBe(true);
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((s) => /[^A-Za-z0-9_+\-/]/.test(s)),
        (zone) => !isIanaTimeZone(zone),
      ),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[+-]\d{2}(:?\d{2})?$/), (offset) => !isIanaTimeZone(offset)),
    );
    expect(isIanaTimeZone('Mars/Olympus_Mons')).toBe(false);
  });

  it('rejects meetings in any non-IANA zone with a meeting.timeZone detail', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z][a-z]{3,10}\/[A-Z][a-z]{3,10}$/).filter((z) => !isIanaTimeZone(z)),
        (timeZone) => {
          const body = { prospectId: 'p', meetingDate: 0, timeZone, meetingType: 'virtual', ownerId: 'u' };
          expect(issues(() => validateMeeting(body))).toEqual(['meeting.timeZone']);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('reads epoch ms and ISO 8601 strings as the same instant', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444800000 }), (ms) => {
        expect(parseDateInput(ms)).toBe(ms);
        expect(parseDateInput(new Date(ms).toISOString())).toBe(ms);
      }),
    );
    expect(parseDateInput('2025-10-10T10:00:00+02:00')).toBe(Date.UTC(2025, 9, 10, 8));
    expect(parseDateInput('2025-10-10T10:00')).toBe(Date.UTC(2025, 9, 10, 10));
    expect(parseDateInput('2025-10-10')).toBe(Date.UTC(2025, 9, 10));
    for (const bad of ['2025-02-29', '2025-13-01', '2025-10-10T25:00:00Z', '1760000000000', 'tomorrow', 1.5, -1, null, true]) {
      expect(parseDateInput(bad)).toBeUndefined();
    }
    expect(parseDateInput('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('normalises E.164-like phones and refuses anything else', () => {
    fc.assert(fc.property(formattedPhone, ({ phone, typed }) => normalizePhone(typed) === phone));
    fc.assert(fc.property(fc.string().filter((s) => /[A-Za-z]/.test(s)), (s) => normalizePhone(s) === null));
    expect(normalizePhone('555-1234')).toBe('5551234');
    expect(normalizePhone('+0123456789')).toBeNull();
    expect(normalizePhone('12')).toBeNull();
  });

  it('parses labels from arrays and comma-separated strings alike', () => {
    fc.assert(
      fc.property(fc.array(nonBlank.filter((s) => !s.includes(',')), { maxLength: 8 }), (labels) => {
        expect(parseLabels(labels.join(','))).toEqual(parseLabels(labels));
      }),
    );
    expect(parseLabels([1, 2])).toBeUndefined();
  });

  it('canonical JSON ignores key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), (obj) => {
        const reversed = Object.fromEntries(Object.entries(obj).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(obj));
      }),
    );
  });

  it('reports required, typed and format issues per field', () => {
    expect(issues(() => validateProspect({ firstName: ' ', lastName: 1, email: 'a@b', update: 'no' })).sort()).toEqual([
      'prospect.email',
      'prospect.firstName',
      'prospect.lastName',
      'prospect.update',
    ]);
    const invalid = validateProspect({ firstName: 'a', lastName: 'b', phone: 'call me' });
    expect(invalid.phoneInvalid).toBe(true);
    expect(invalid.phone).toBeUndefined();
    expect(validateProspect({ firstName: 'a', lastName: 'b', email: null, title: null }).title).toBeNull();
  });
});
