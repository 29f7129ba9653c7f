import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, DateParseError, listedZones, toEpochMs } from '../../lib/workflow/dates.ts';
import { deriveStepKey, STEPS } from '../../lib/workflow/keys.ts';
import { escapeHtml, noteBodyToHtml } from '../../lib/workflow/note-html.ts';

describe('toEpochMs', () => {
  it('round-trips any instant written as ISO 8601 with Z or an offset', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1975-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), fc.integer({ min: -12 * 60, max: 14 * 60 }), (date, offsetMinutes) => {
      expect(toEpochMs(date.toISOString())).toBe(date.getTime());
      const local = new Date(date.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 23);
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      expect(toEpochMs(`${local}${offset}`)).toBe(date.getTime());
    }), { numRuns: 500 });
  });

  it('reads times without an offset as UTC by default, exactly as the zone rules would', () => {
    fc.assert(fc.property(fc.date({ min: new Date('1975-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }), (date) => {
      const local = date.toISOString().slice(0, 19);
      expect(toEpochMs(local)).toBe(Math.floor(date.getTime() / 1000) * 1000);
      // 'Etc/UTC' takes the Intl path; 'UTC' skips it.
      expect(toEpochMs(local, 'Etc/UTC')).toBe(toEpochMs(local, 'UTC'));
    }), { numRuns: 200 });
  });

  it('reads wall-clock times in the given zone, across DST changes', () => {
    expect(toEpochMs('2025-01-15T09:00', 'America/New_York')).toBe(Date.parse('2025-01-15T14:00:00Z'));
    expect(toEpochMs('2025-07-15T09:00', 'America/New_York')).toBe(Date.parse('2025-07-15T13:00:00Z'));
    expect(toEpochMs('2025-10-26T01:30', 'Europe/Berlin')).toBe(Date.parse('2025-10-25T23:30:00Z'));
    expect(toEpochMs('2025-03-30T12:00', 'Europe/Berlin')).toBe(Date.parse('2025-03-30T10:00:00Z'));
  });

  it('refuses anything that is not a real date, with a reason', () => {
    // Text near a date as well as any text, so that both answers are exercised, and counted.
    const nearDate = fc.date({ min: new Date('1970-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).chain((date) => {
      const iso = date.toISOString();
      return fc.constantFrom(iso, iso.slice(0, 19), iso.slice(0, 10), `${iso.slice(0, 5)}13${iso.slice(7)}`, `${iso.slice(0, 8)}32${iso.slice(10)}`, iso.replace('T', ' '), `${iso}Z`);
    });
    const outcomes = { parsed: 0, refused: 0 };
    fc.assert(fc.property(fc.oneof(fc.string(), nearDate), (text) => {
      try {
        const value = toEpochMs(text);
        expect(Number.isFinite(value)).toBe(true);
        outcomes.parsed++;
      } catch (error) {
        expect(error).toBeInstanceOf(DateParseError);
        expect((error as Error).message.length).toBeGreaterThan(10);
        outcomes.refused++;
      }
    }), { numRuns: 1000 });
    expect(outcomes.parsed).toBeGreaterThan(100);
    expect(outcomes.refused).toBeGreaterThan(400);
    for (const bad of [-1, 1.5, Number.NaN, 1760000000]) expect(() => toEpochMs(bad)).toThrow(DateParseError);
  });
});

describe('canonicalTimeZone', () => {
  it('accepts IANA zones in any case and returns the canonical name', () => {
    expect(canonicalTimeZone('america/new_york')).toBe('America/New_York');
    for (const zone of Intl.supportedValuesOf('timeZone')) expect(canonicalTimeZone(zone)).toBeDefined();
  });

  it('refuses offsets and made-up names', () => {
    for (const zone of ['+05:00', '-0300', 'Mars/Base', '', 'America/', 'GMT+25']) expect(canonicalTimeZone(zone)).toBeUndefined();
  });

  it('lists only names that Intl resolves to themselves, so the fast path changes no result', () => {
    // Checked against the ICU of the Node that runs the tests; Lambda's nodejs22.x carries its own, equally full ICU.
    expect(listedZones().size).toBeGreaterThan(400);
    for (const zone of listedZones()) expect(new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone).toBe(zone);
  });

  it('still resolves aliases and other spellings through Intl', () => {
    expect(canonicalTimeZone('US/Eastern')).toBe('America/New_York');
    expect(canonicalTimeZone('Etc/UTC')).toBe('UTC');
    expect(canonicalTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(listedZones().has('US/Eastern')).toBe(false);
  });
});

describe('step idempotency keys', () => {
  it('are deterministic, distinct per step and per execution, at most 512 characters, and never contain the caller key', () => {
    const checked = { callerKeyAbsent: 0, distinctExecutions: 0 };
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.string({ minLength: 1, maxLength: 200 }), (a, b) => {
      const keysA = STEPS.map((step) => deriveStepKey(a, step));
      expect(new Set(keysA).size).toBe(STEPS.length);
      expect(STEPS.map((step) => deriveStepKey(a, step))).toEqual(keysA);
      for (const key of keysA) {
        expect(key.length).toBeLessThanOrEqual(512);
        expect(key).toMatch(/^hcwf-v1-[a-z-]+-[0-9a-f]{64}$/);
        if (a.length > 3) {
          expect(key).not.toContain(a);
          checked.callerKeyAbsent++;
        }
      }
      if (a !== b) {
        expect(deriveStepKey(b, 'create-note')).not.toBe(deriveStepKey(a, 'create-note'));
        checked.distinctExecutions++;
      }
    }), { numRuns: 300 });
    expect(checked.callerKeyAbsent).toBeGreaterThan(600);
    expect(checked.distinctExecutions).toBeGreaterThan(250);
  });

  it('never change for a given execution key: a redrive after a deploy must send the keys the API already stored', () => {
    // Recorded from the first implementation (createHash().update(key, 'utf8')); lone surrogates become U+FFFD.
    expect(deriveStepKey('arn:aws:states:us-east-1:123456789012:execution:wf:run-1', 'create-note'))
      .toBe('hcwf-v1-create-note-e7e6f8787771219a8ac4862d6434c7ea17ec86e1c1a9948065d5b84013033d57');
    expect(deriveStepKey('zapier-delivery-\u00e9\ud800', 'upsert-prospect'))
      .toBe('hcwf-v1-upsert-prospect-db90fba3f26f9525cd9c934586561e6bbbbd52c5b1e097c423e7f5e0bd27b60f');
  });
});

describe('note bodies', () => {
  it('escape every plain-text body so no markup survives', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 300 }).filter((text) => !/<\/?(p|br|div|span|b|i|a|strong|em)\b/i.test(text)), (text) => {
      const html = noteBodyToHtml(text);
      const inner = html.replace(/<\/?p>|<br>/g, '');
      expect(inner).not.toMatch(/[<>"]/);
    }), { numRuns: 500 });
  });

  it('keep paragraphs and line breaks, and pass real HTML through', () => {
    expect(noteBodyToHtml('First line\nsecond\n\nNew paragraph')).toBe('<p>First line<br>second</p><p>New paragraph</p>');
    expect(noteBodyToHtml('<p>Already <b>HTML</b></p>')).toBe('<p>Already <b>HTML</b></p>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
