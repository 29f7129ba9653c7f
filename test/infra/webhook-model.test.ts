import AjvModule from 'ajv-draft-04';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { workflowInputJsonSchema } from '../../lib/workflow/json-schema.ts';
import { parseWorkflowInput, workflowInputSchema } from '../../lib/workflow/input.ts';
import { quickstartInput } from '../support/harness.ts';

/*
 * API Gateway validates webhook bodies with the draft-04 model generated from the zod schema. The model must never be
 * stricter than zod (a valid request refused at the door), and it must refuse everything structural that zod refuses.
 * Format keywords are not relied on (API Gateway's support for them is not documented); the email pattern is.
 */
// ajv-draft-04 is CommonJS with `exports.default`; under NodeNext the class sits on `.default`.
const Ajv = AjvModule.default;
const ajv = new Ajv({ allErrors: true, validateFormats: false, strict: false });
const modelAccepts = ajv.compile(workflowInputJsonSchema('draft-4'));
const zodAccepts = (body: unknown) => {
  try {
    parseWorkflowInput(body, { defaultUserId: 'u-default' });
    return true;
  } catch {
    return false;
  }
};

const mutate = (patch: (input: Record<string, unknown>) => void) => {
  const input = quickstartInput();
  patch(input);
  return input;
};

/** Refused by both: types, required fields, unknown keys, lengths, patterns. */
const STRUCTURALLY_INVALID: [string, unknown][] = [
  ['not an object', 'hello'],
  ['null', null],
  ['no prospect', { note: { body: 'x' } }],
  ['unknown top-level key', mutate((i) => (i.extra = 1))],
  ['prototype pollution key', JSON.parse('{"__proto__":{"x":1},"prospect":{"firstName":"A","lastName":"B"}}')],
  ['old field name', mutate((i) => (i.task = { assignTo: 'u', task: 'x' }))],
  ['empty firstName', mutate((i) => ((i.prospect as Record<string, unknown>).firstName = ''))],
  ['email not an email', mutate((i) => ((i.prospect as Record<string, unknown>).email = 'jordan-at-example'))],
  ['phone as number', mutate((i) => ((i.prospect as Record<string, unknown>).phone = 5551234567))],
  ['note without body', mutate((i) => (i.note = { pin: true }))],
  ['meetingDate as words', mutate((i) => ((i.meeting as Record<string, unknown>).meetingDate = 'next tuesday'))],
  ['negative dueAt', mutate((i) => ((i.task as Record<string, unknown>).dueAt = -5))],
  ['idempotencyKey too long', mutate((i) => (i.idempotencyKey = 'k'.repeat(201)))],
  ['http fileUrl has the wrong type', mutate((i) => (i.note = { body: 'x', fileUrl: 42 }))],
  ['licenseStatus outside the enum', mutate((i) => ((i.prospect as Record<string, unknown>).licenseStatus = 'done'))],
];

/** Refused only by zod, because JSON Schema cannot express them; the first step then fails with Input.Invalid. */
const REFINEMENT_ONLY: [string, unknown][] = [
  ['not an IANA zone', mutate((i) => ((i.meeting as Record<string, unknown>).timeZone = 'Mars/Olympus_Mons'))],
  ['impossible date', mutate((i) => ((i.meeting as Record<string, unknown>).meetingDate = '2025-02-30T10:00:00Z'))],
  ['epoch seconds', mutate((i) => ((i.task as Record<string, unknown>).dueAt = 1760000000))],
];

describe('the API Gateway model generated from the zod schema', () => {
  it('accepts the quickstart and every example a user would send', () => {
    for (const body of [quickstartInput(), { prospect: { firstName: 'A', lastName: 'B' } }, { ...quickstartInput(), idempotencyKey: 'zap-1' }]) {
      expect(modelAccepts(body)).toBe(true);
      expect(zodAccepts(body)).toBe(true);
    }
  });

  it.each(STRUCTURALLY_INVALID)('refuses, like zod, a body with %s', (_name, body) => {
    expect(zodAccepts(body)).toBe(false);
    expect(modelAccepts(body)).toBe(false);
  });

  it.each(REFINEMENT_ONLY)('lets through a body with %s, which the first step then refuses', (_name, body) => {
    expect(modelAccepts(body)).toBe(true);
    expect(zodAccepts(body)).toBe(false);
  });

  it('is never stricter than zod, and never looser on structure, over 1,000 generated bodies', () => {
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), fc.constant(null), fc.constant('jordan@example.com'), fc.constant(1760000000000));
    const section = (keys: string[]) => fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })), value, { maxKeys: 6 });
    // Bodies a user would send: the quickstart with sections left out and fields varied, so that zod accepts many.
    const sent = fc.record({
      omit: fc.subarray(['note', 'task', 'meeting'] as const),
      firstName: fc.string({ minLength: 1, maxLength: 20 }),
      labels: fc.array(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,11}$/), { maxLength: 3 }),
      pin: fc.boolean(),
      idempotencyKey: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,60}$/), { nil: undefined }),
    }).map(({ omit, firstName, labels, pin, idempotencyKey }) => {
      const input: Record<string, unknown> = quickstartInput();
      for (const key of omit) delete input[key];
      Object.assign(input.prospect as object, { firstName, labels });
      if (input.note) Object.assign(input.note as object, { pin });
      if (idempotencyKey !== undefined) input.idempotencyKey = idempotencyKey;
      return input;
    });
    const body = fc.oneof(
      sent,
      fc.record({ prospect: section(['firstName', 'lastName', 'email', 'phone', 'labels', 'title']), note: section(['body', 'pin', 'date']) }, { requiredKeys: [] }),
      fc.record({ prospect: fc.record({ firstName: fc.string({ minLength: 1, maxLength: 20 }), lastName: fc.string({ minLength: 1, maxLength: 20 }) }), task: section(['task', 'assignedTo', 'dueAt']), meeting: section(['meetingDate', 'timeZone', 'meetingType', 'ownerId']) }, { requiredKeys: ['prospect'] }),
      fc.anything({ maxDepth: 3 }),
    );
    const outcomes = { bothAccept: 0, bothRefuse: 0, onlyModelAccepts: 0 };
    fc.assert(fc.property(body, (candidate) => {
      const byZod = zodAccepts(candidate);
      const byModel = modelAccepts(candidate);
      if (byZod) expect(byModel).toBe(true);
      // Looser only where JSON Schema cannot follow: zod's structure (types, required and unknown fields, lengths,
      // patterns) accepted the body, and what refused it came after (zones, calendar dates, epoch units, size limits).
      if (byModel && !byZod) expect(workflowInputSchema().safeParse(candidate).success).toBe(true);
      if (byZod) outcomes.bothAccept += 1;
      else if (byModel) outcomes.onlyModelAccepts += 1;
      else outcomes.bothRefuse += 1;
    }), { numRuns: 1000 });
    // Both sides of the comparison were exercised: a generator whose bodies zod always refused would prove nothing.
    expect(outcomes.bothAccept).toBeGreaterThan(150);
    expect(outcomes.bothRefuse).toBeGreaterThan(150);
    expect(outcomes.bothAccept + outcomes.bothRefuse + outcomes.onlyModelAccepts).toBe(1000);
  });
});
