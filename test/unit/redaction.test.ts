import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorFromTransport } from '../../lib/hiringcenter/errors.ts';
import { EMAIL_PATTERN_SOURCE, PHONE_PATTERN_SOURCE, redactContactDetails, redactSecrets, redactText } from '../../lib/redaction.ts';

/* lib/redaction.ts: one module for logs, API error text, warnings and step errors. */

/** Text around a value: words, punctuation and quotes, but no digit or '@' that could merge with the value. */
const filler = fc.string({ unit: fc.constantFrom(...' abcxyzABC.,:;"\'()[]{}<>!?/\\-_\n\té'.split('')), maxLength: 30 });

/** A phone as its country code and national number, and the spellings an API or a person might use for it. */
const phoneNumber = fc.record({
  country: fc.constantFrom('1', '44', '49', '353', '61'),
  national: fc.stringMatching(/^[1-9]\d{8,9}$/),
});
type Phone = { country: string; national: string };
const spellings = (p: Phone): string[] => {
  const n = p.national;
  const [a, b, c] = [n.slice(0, 3), n.slice(3, 6), n.slice(6)];
  return [
    `+${p.country}${n}`, `${p.country}${n}`, `00${p.country}${n}`, n, `0${n}`,
    `+${p.country} ${a} ${b} ${c}`, `+${p.country}-${a}-${b}-${c}`, `(${a}) ${b}-${c}`, `${a}.${b}.${c}`,
    `+${p.country} (0) ${a} ${b} ${c}`, `0${a} ${b} ${c}`,
  ];
};
/** Also with a slash, which only the prospect's own phone is matched with: in generic text it would take dates too. */
const ownSpellings = (p: Phone): string[] => [...spellings(p), `+${p.country} ${p.national.slice(0, 3)}/${p.national.slice(3)}`];

describe('redactContactDetails: the prospect\'s own values in every spelling', () => {
  it('removes the prospect\'s phone however the text spells it, whichever spelling the input used', () => {
    let cases = 0;
    fc.assert(fc.property(phoneNumber, fc.nat(11), fc.nat(11), filler, filler, (phone, given, echoed, before, after) => {
      const input = ownSpellings(phone)[given] as string;
      const text = `${before} ${ownSpellings(phone)[echoed]} ${after}`;
      const out = redactContactDetails(text, { phone: input });
      expect(out).toContain('[redacted]');
      expect(out.replace(/\D/g, '')).not.toContain(phone.national.slice(-7));
      cases++;
    }), { numRuns: 300 });
    expect(cases).toBe(300);
  });

  it('removes the prospect\'s e-mail in any letter case and percent-encoded, and any other address by pattern', () => {
    let cases = 0;
    fc.assert(fc.property(fc.emailAddress(), fc.boolean(), fc.boolean(), filler, (email, upper, encoded, around) => {
      fc.pre(/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(email));
      let echoed = upper ? email.toUpperCase() : email;
      if (encoded) echoed = encodeURIComponent(echoed);
      const out = redactContactDetails(`${around}${echoed}${around}`, { email });
      expect(out.toLowerCase()).not.toContain(email.toLowerCase());
      expect(out.toLowerCase()).not.toContain(encodeURIComponent(email).toLowerCase());
      expect(redactContactDetails(`reply to ${email}`, {})).toBe('reply to [email]');
      cases++;
    }), { numRuns: 300 });
    expect(cases).toBeGreaterThan(250);
  });

  it('leaves other numbers alone, so a rate-limit error\'s JSON stays JSON and timestamps stay whole', () => {
    let cases = 0;
    fc.assert(fc.property(phoneNumber, fc.integer({ min: 1_700_000_000_000, max: 2_000_000_000_000 }), (phone, slotAt) => {
      fc.pre(!String(slotAt).includes(phone.national.slice(-7)));
      const message = JSON.stringify({ retryAfterSeconds: 30, until: new Date(slotAt).toISOString(), slotAt, message: 'POST /notes: rate limited (429)' });
      expect(redactContactDetails(message, { phone: `+${phone.country}${phone.national}`, email: 'jordan@example.com' })).toBe(message);
      cases++;
    }), { numRuns: 300 });
    expect(cases).toBeGreaterThan(250);
  });

  it('changes nothing in text without digits or an "@"', () => {
    fc.assert(fc.property(filler, phoneNumber, (text, phone) => {
      expect(redactContactDetails(text, { phone: phone.national, email: 'a@b.co' })).toBe(text);
      expect(redactText(text)).toBe(text);
    }), { numRuns: 300 });
  });

  it('treats a short phone and regex characters in values as plain text', () => {
    expect(redactContactDetails('ext 12345 or 123456', { phone: '12345' })).toBe('ext [redacted] or 123456');
    expect(redactContactDetails('a+b(c)@x.io and a+b(c)@x.io', { email: 'a+b(c)@x.io' })).toBe('[redacted] and [redacted]');
  });
});

describe('redactText: secrets and contact patterns, for logs and API error text', () => {
  it('masks secrets exactly, Bearer tokens, any e-mail, and any 7+ digit phone-shaped text', () => {
    let cases = 0;
    fc.assert(fc.property(fc.string({ minLength: 8, maxLength: 40 }), phoneNumber, fc.nat(10), filler, (secret, phone, spelling, around) => {
      fc.pre(!/[\d@]/.test(secret) && secret.trim().length >= 8);
      const text = `${around}key ${secret} Bearer tok_${secret.length} for ${spellings(phone)[spelling]} and x.y@example.org${around}`;
      const out = redactText(text, [secret]);
      expect(out).not.toContain(secret);
      expect(out).not.toContain('tok_');
      expect(out).not.toContain('x.y@example.org');
      expect(out.replace(/\D/g, '')).not.toContain(phone.national.slice(-7));
      cases++;
    }), { numRuns: 300 });
    expect(cases).toBeGreaterThan(200);
  });

  it('keeps timestamps, request ids and short numbers', () => {
    const text = '2026-11-30T10:00:00.000Z request 9037f9c0-1234-4abc-8def-0123456789ab took 153 ms, 3 retries, HTTP 503';
    expect(redactText(text)).toBe(text);
    expect(redactSecrets('no secrets here', ['', 'absent'])).toBe('no secrets here');
  });

  it('uses patterns that java.util.regex reads the same way (no \\s, no classes JavaScript alone has)', () => {
    for (const source of [EMAIL_PATTERN_SOURCE, PHONE_PATTERN_SOURCE]) {
      expect(source).not.toMatch(/\\[sSpPk]|\(\?<[A-Za-z]/);
      expect(() => new RegExp(source, 'u')).not.toThrow();
    }
  });
});

describe('where the redaction is applied', () => {
  const prospect = { email: 'Jordan.Miller@Example.com', phone: '+15551234567' };
  const quoting = JSON.stringify({
    success: false, error: 'Unprocessable',
    message: 'Prospect jordan.miller@example.com already uses +1 (555) 123-4567',
    details: [{ field: 'phone', message: '555.123.4567 belongs to Jordan.Miller@Example.com' }],
  });

  it('turns an API 422 that quotes the e-mail and phone into an error message holding neither', () => {
    const error = errorFromResponse({ method: 'POST', route: '/prospects', secrets: ['hc_key'] }, { status: 422, headers: {}, text: quoting });
    expect(error.name).toBe('HiringCenter.Rejected');
    expect(error.message).toMatch(/^HiringCenter rejected POST \/prospects \(422\): Prospect \[email\] already uses \[phone\] \(details: phone: \[phone\] belongs to \[email\]\)$/);
    expect(redactContactDetails(error.message, prospect)).toBe(error.message);
  });

  it('masks an API key with a long run of digits whole, before the phone pattern can take part of it', () => {
    const key = 'hc-20250101-9f3ab7';
    const context = { method: 'POST', route: '/notes', secrets: [key] };
    const rejected = errorFromResponse(context, { status: 422, headers: {}, text: JSON.stringify({ success: false, message: `key ${key} lacks notes:write` }) });
    expect(rejected.message).toBe('HiringCenter rejected POST /notes (422): key [redacted] lacks notes:write');
    const unavailable = errorFromTransport(context, Object.assign(new Error(`socket for ${key} closed`), { code: 'UND_ERR_SOCKET' }), { connectMs: 1, headersMs: 1, bodyMs: 1 });
    expect(unavailable.message).toBe('POST /notes: socket closed before the response completed (socket for [redacted] closed)');
  });
});
