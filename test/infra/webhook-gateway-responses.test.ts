import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { synthesizeWebhook, type SynthesizedWebhook } from '../support/webhook-stack.ts';

/*
 * API Gateway's own answers, as synthesized. The request validator's message quotes values (`string "…" is too long`,
 * `input string "…"`, `instance value (…)`) and a JSON parse error quotes the body; the 400 must stay valid JSON and
 * name the field to fix without any of them.
 */
let gateway: SynthesizedWebhook['gateway'];
beforeAll(() => {
  gateway = synthesizeWebhook().gateway;
});

const invalidBody = (validationErrorString: string) => {
  const { output } = renderMappingTemplate(gateway.BAD_REQUEST_BODY?.template as string, { body: {}, validationErrorString });
  return { output, json: JSON.parse(output) as { error: string; message: string } };
};

/** JSON-escaped as the validator (Jackson) writes a string value. */
const quoted = (value: string) => JSON.stringify(value);

/** The message shapes of API Gateway's draft-04 validator and of a body that is not JSON, around a value. */
const SHAPES: ((value: string) => string)[] = [
  (v) => `[string ${quoted(v)} is too long (length: 201, maximum allowed: 200)]`,
  (v) => `[ECMA 262 regex "^[^@\\\\s]+@[^@\\\\s]+$" does not match input string ${quoted(v)}]`,
  (v) => `[string ${quoted(v)} is not a valid email address]`,
  (v) => `[instance value (${quoted(v)}) not found in enum (possible values: ["not_started","in_progress","licensed"])]`,
  (v) => `[instance type (string) does not match any allowed primitive type (allowed: ["integer"]), string ${quoted(v)} is too short (length: 0, required minimum: 1)]`,
  (v) => `Invalid request body: Unrecognized token '${v}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)"{\\"prospect\\": {\\"email\\": ${quoted(v)}}}"; line: 1, column: 30]`,
  (v) => `[object has missing required properties (["lastName"]), numeric instance is lower than the required minimum (minimum: 0, found: ${v.replace(/\D/g, '') || '5551234567'})]`,
];

describe('the 400 for an invalid body', () => {
  it('is valid JSON without the value, whatever the value holds, and still names the fields', () => {
    const checkedByShape = SHAPES.map(() => 0);
    const value = fc.oneof(
      fc.emailAddress(),
      fc.stringMatching(/^\+?1? ?\(?555\)? ?\d{3}[ .-]?\d{4}$/),
      fc.string({ unit: 'binary', minLength: 4, maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('"', "'", '\\', ')', '(', ']', '[', ',', ' ', 'a', 'é', '😀', '$', '#'), minLength: 4, maxLength: 30 }),
    );
    fc.assert(fc.property(value, fc.nat(SHAPES.length - 1), (raw, shape) => {
      const marker = `Q${raw}Z`; // a value the fixed texts cannot contain by chance
      const { json } = invalidBody((SHAPES[shape] as (v: string) => string)(marker));
      expect(json.error).toBe('Input.Invalid');
      expect(json.message).not.toContain(marker);
      expect(json.message).not.toContain(raw.length >= 4 && /[@\d]/.test(raw) ? raw : marker);
      // The last shape quotes only the value's digits (a number the validator found), never the marker itself.
      if (shape === SHAPES.length - 1) {
        expect(json.message).toContain('found: (not shown)');
        expect(json.message).not.toContain(`found: ${marker.replace(/\D/g, '') || '5551234567'}`);
      }
      checkedByShape[shape] = (checkedByShape[shape] ?? 0) + 1;
    }), { numRuns: 1500 });
    // Every shape, the digits-only one included, is checked often enough to matter.
    for (const count of checkedByShape) expect(count).toBeGreaterThan(120);
    expect(invalidBody('[object has missing required properties (["lastName"])]').json.message).toMatch(/missing required properties \(\["lastName"\]\)/);
    expect(invalidBody('[object instance has properties which are not allowed by the schema: ["emial"]]').json.message).toContain('["emial"]');
  });

  it('keeps the validator\'s own words and drops names, e-mails and phones it quotes', () => {
    const { json } = invalidBody('[string "Jordan Miller" is too long (length: 201, maximum allowed: 200), ECMA 262 regex "^.+@.+$" does not match input string "jordan-at-example", instance value ("+1 555 123 4567") not found in enum (possible values: ["virtual","in_person"])]');
    expect(json.message).toBe('The body does not match the workflow input schema (hc-workflow schema prints it): [string (not shown) is too long (length: 201, maximum allowed: 200), ECMA 262 regex "(not shown)" does not match input string (not shown), instance value (not shown) not found in enum (possible values: ["virtual","in_person"])]');
  });

  it('is valid JSON for any message at all, and never carries an e-mail or phone', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (message) => {
      const { json } = invalidBody(`${message} jordan@example.com +1 (555) 123-4567`);
      expect(json.message).not.toMatch(/jordan@example\.com|555\D*123\D*4567/);
    }), { numRuns: 500 });
    expect(invalidBody('').json.error).toBe('Input.Invalid');
  });
});

describe('the other gateway answers', () => {
  it('are JSON, with Retry-After where waiting helps', () => {
    const expected: Record<string, { error: string; retryAfter?: string }> = {
      BAD_REQUEST_PARAMETERS: { error: 'BadRequest' },
      THROTTLED: { error: 'Throttled', retryAfter: '1' },
      QUOTA_EXCEEDED: { error: 'QuotaExceeded', retryAfter: '3600' },
      REQUEST_TOO_LARGE: { error: 'Input.Invalid' },
      INTEGRATION_TIMEOUT: { error: 'Timeout', retryAfter: '5' },
      DEFAULT_4XX: { error: 'Refused' },
      DEFAULT_5XX: { error: 'Unavailable', retryAfter: '5' },
    };
    for (const [type, { error, retryAfter }] of Object.entries(expected)) {
      const answer = gateway[type];
      expect(answer, type).toBeDefined();
      expect(JSON.parse(renderMappingTemplate(answer?.template as string, { body: {} }).output)).toMatchObject({ error, message: expect.any(String) });
      expect(answer?.headers['Retry-After']).toBe(retryAfter);
    }
  });
});
