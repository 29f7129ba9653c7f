import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_POINTERS, failureMessageOf } from '../../lib/workflow/activity-events.ts';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { quickstartInput } from '../support/harness.ts';
import { answerFrom, EXECUTION_ARN_PREFIX, FRONT_DOOR_ARN, synthesizeWebhook, type SynthesizedWebhook } from '../support/webhook-stack.ts';

/*
 * The webhook's request and GET templates, taken from the synthesized stack and executed with API Gateway's semantics.
 * POST /activities's answers: test/infra/webhook-front-door-answers.test.ts; end to end: test/e2e/webhook-front-door.test.ts.
 */
const KEY_A = 'a1b2c3d4e5';
const KEY_B = 'zz9yy8xx7w';
let webhook: SynthesizedWebhook;
beforeAll(() => {
  webhook = synthesizeWebhook();
});

/** What POST /activities sends the front door: StartSyncExecution's request, its `input` parsed. */
type DoorRequest = { stateMachineArn: string; door: { name?: string; problem?: string; waitSeconds: number; input?: string } };
const startRequest = (body: unknown, headers: Record<string, string> = {}, apiKeyId = KEY_A, queryString: Record<string, string> = {}): DoorRequest => {
  const request = JSON.parse(renderMappingTemplate(webhook.post.request, { body, headers, queryString, identity: { apiKeyId } }).output) as { stateMachineArn: string; input: string };
  return { stateMachineArn: request.stateMachineArn, door: JSON.parse(request.input) as DoorRequest['door'] };
};
const nameOf = (...args: Parameters<typeof startRequest>) => {
  const { door } = startRequest(...args);
  return door.name ?? `refused: ${door.problem}`;
};
const describeRequest = (id: string, apiKeyId = KEY_A) =>
  (JSON.parse(renderMappingTemplate(webhook.describe.request, { body: {}, pathParameters: { id }, identity: { apiKeyId } }).output) as { executionArn: string }).executionArn;

describe('POST /activities → StartSyncExecution request of the front door', () => {
  it('passes any body on as the workflow input, the JSON text itself inside the front door\'s input, non-ASCII as \\u escapes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }), (note, name) => {
      const body = { ...quickstartInput(), note: { body: `${note} <p>"quoted" it's / \\ done</p>` }, prospect: { firstName: name || 'A', lastName: "O'Brien" } };
      const request = startRequest(body, { 'Idempotency-Key': 'zap-1' });
      expect(request.stateMachineArn).toBe(FRONT_DOOR_ARN);
      expect(JSON.parse(request.door.input ?? '')).toEqual(body);
    }), { numRuns: 150 });
    const raw = renderMappingTemplate(webhook.post.request, { body: { prospect: { firstName: 'José 😀' } }, identity: { apiKeyId: KEY_A } }).output;
    expect(raw).toContain('Jos\\\\u00E9 \\\\uD83D\\\\uDE00'); // escaped twice: a string inside a string
    expect(startRequest({ prospect: { firstName: 'José 😀' } }).door.input).toBe('{"prospect":{"firstName":"José 😀"}}');
  });

  it('names distinct keys apart, as the adversarial review tried: dots, spaces, é, emoji, 80 characters and their extension', () => {
    const names = ['a.b', 'a_b', 'a b', 'é', '_', '😀', '__', 'k'.repeat(68), `${'k'.repeat(68)}x`].map((key) => nameOf({ prospect: {} }, { 'Idempotency-Key': key }));
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    for (const key of ['k'.repeat(80), `${'k'.repeat(80)}x`, 'é'.repeat(26)]) {
      expect(startRequest({ prospect: {} }, { 'Idempotency-Key': key }).door).toEqual({ problem: 'key', waitSeconds: 0 });
    }
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'k' }, '').door).toEqual({ problem: 'caller', waitSeconds: 0 });
  });

  it('gives ordinary keys stable valid names: UUIDs and Zapier, Make and n8n ids', () => {
    for (const key of ['3f1c9a2e-7b1d-4c55-9e0f-3a8d2b6c1e77', '01JDQ7ZP3K9X2M4N6R8T0V2W4Y', '123456789', 'n8n-exec-1007']) {
      expect(nameOf({ prospect: {} }, { 'Idempotency-Key': key })).toBe(`${KEY_A}_${key}`);
      expect(nameOf({ prospect: { firstName: 'other' } }, { 'idempotency-key': key })).toBe(`${KEY_A}_${key}`);
    }
  });

  it('gives the same key from two API keys two executions, and a delivery without a key its own', () => {
    expect(nameOf({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A)).toBe(`${KEY_A}_zap-1`);
    expect(nameOf({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_B)).toBe(`${KEY_B}_zap-1`);
    expect(nameOf({ prospect: {} }, {}, KEY_A)).toBe(`${KEY_A}__c6af9ac6-7b61-11e6-9a41-93e8deadbeef`);
  });

  it('reads the key from the headers only: a query-string Idempotency-Key changes nothing', () => {
    const headerOnly = startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' });
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A, { 'Idempotency-Key': 'stale' })).toEqual(headerOnly);
    expect(nameOf({ prospect: {} }, {}, KEY_A, { 'Idempotency-Key': 'stale' })).toBe(`${KEY_A}__c6af9ac6-7b61-11e6-9a41-93e8deadbeef`);
  });

  it('passes the wait the Prefer header asks for, 25 s at most, 0 without one (rule: test/infra/webhook-prefer.test.ts)', () => {
    expect(startRequest({ prospect: {} }, { Prefer: 'wait=20' }).door.waitSeconds).toBe(20);
    expect(startRequest({ prospect: {} }, { prefer: 'respond-async, wait=600' }).door.waitSeconds).toBe(25);
    expect(startRequest({ prospect: {} }).door.waitSeconds).toBe(0);
    expect(startRequest({ prospect: {} }, { Prefer: 'wait=soon' }, KEY_A, { Prefer: 'wait=5' }).door.waitSeconds).toBe(0);
  });
});

describe('GET /activities/{id} → DescribeExecution request', () => {
  it('looks up the caller\'s own ids, and sends anything else as a name that cannot exist', () => {
    expect(describeRequest(`${KEY_A}_zap-1`)).toBe(`${EXECUTION_ARN_PREFIX}${KEY_A}_zap-1`);
    expect(describeRequest(`${KEY_A}_zap-1`, KEY_B)).toBe(`${EXECUTION_ARN_PREFIX}not this caller`);
    let own = 0;
    fc.assert(fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 90 }), fc.stringMatching(/^a1b2c3d4e5[-_][0-9A-Za-z_-]{0,69}$/), fc.stringMatching(/^[0-9A-Za-z_:-]{1,90}$/)), (id) => {
      const arn = describeRequest(id);
      if (arn === `${EXECUTION_ARN_PREFIX}${id}`) {
        own++;
        expect(id).toMatch(/^a1b2c3d4e5[-_][0-9A-Za-z_-]{0,69}$/);
      } else {
        expect(arn).toBe(`${EXECUTION_ARN_PREFIX}not this caller`);
      }
    }), { numRuns: 600 });
    expect(own).toBeGreaterThan(100);
  });

  it('resolves the same id to two different executions for two API keys, and the other key\'s id to not found', () => {
    const mine = nameOf({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A);
    const theirs = nameOf({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_B);
    expect(describeRequest(mine, KEY_A)).toBe(`${EXECUTION_ARN_PREFIX}${mine}`);
    expect(describeRequest(theirs, KEY_B)).toBe(`${EXECUTION_ARN_PREFIX}${theirs}`);
    expect(describeRequest(theirs, KEY_A)).toBe(`${EXECUTION_ARN_PREFIX}not this caller`);
    const notFound = answerFrom(webhook.describe, '4\\d{2}', { body: { __type: 'com.amazonaws.swf.service.v2.model#InvalidArn', message: 'Invalid Arn' } });
    expect(notFound).toMatchObject({ status: 404, json: { error: 'NotFound' } });
  });
});

describe('GET /activities/{id} answers', () => {
  const status = (body: Record<string, unknown>) => answerFrom(webhook.describe, '', { body });

  it('reports a finished execution with its output, and a failed one with the error name and message but no trace', () => {
    const output = { prospectId: 'p1', idempotencyKey: 'k', warnings: [], noteId: 'n1' };
    expect(status({ name: 'k', status: 'SUCCEEDED', output: JSON.stringify(output) }).json).toMatchObject({ id: 'k', status: 'SUCCEEDED', output });
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'POST /notes: 400 "body" is required', trace: ['at secret (file.js:1:1)'] });
    const failed = status({ name: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', cause });
    expect(failed.json).toMatchObject({ id: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', message: 'POST /notes: 400 "body" is required' });
    expect(failed.output).not.toContain('trace');
    expect(Object.keys(status({ name: 'k', status: 'RUNNING' }).json).sort()).toEqual(['id', 'status', 'statusUrl']);
    expect(status({ name: 'k', status: 'TIMED_OUT' }).json).toMatchObject({ error: 'States.Timeout', message: FAILURE_POINTERS.TIMED_OUT });
    expect(status({ name: 'k', status: 'ABORTED' }).json).toMatchObject({ error: 'States.Aborted', message: FAILURE_POINTERS.ABORTED });
  });

  it('masks contact details that reach a step message, and never echoes a cause that is not a step error', () => {
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: "Prospect Jordan.Miller@Example.com / +1 (555) 123-4567 isn't valid", trace: [] });
    const masked = status({ name: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', cause });
    expect(masked.json.message).toBe("Prospect [email] / [phone] isn't valid");
    const quotingInput = "An error occurred while executing the state 'CreateNote'. The JSONPath '$.run' could not be found in the input '{\"prospect\":{\"email\":\"jordan@example.com\"}}'";
    for (const other of [quotingInput, 'Lambda.ServiceException: Rate exceeded', '', '{truncated', JSON.stringify({ errorType: 'Sandbox.Timedout' }), undefined]) {
      const failed = status({ name: 'k', status: 'FAILED', error: 'States.Runtime', ...(other === undefined ? {} : { cause: other }) });
      expect(failed.json).toMatchObject({ id: 'k', status: 'FAILED', error: 'States.Runtime', message: FAILURE_POINTERS.FAILED });
      expect(failed.output).not.toContain('jordan');
    }
  });

  it('gives the message lib/workflow/activity-events.ts failureMessageOf gives the events, for any cause', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.string({ unit: fc.constantFrom('a', 'Z', '5', '0', ' ', '-', '(', ')', '.', '+', '@', '"', "'", '\\', '$', '#', 'é', '😀', '\n', '\u00A0'), maxLength: 60 }),
      fc.tuple(fc.emailAddress(), fc.stringMatching(/^\+?1? ?\(?555\)? ?\d{3}[ .-]?\d{4}$/), fc.constantFrom('Bearer', 'bearer', 'BEARER', 'xBearer')).map(([email, phone, bearer]) => `Prospect ${email} (${phone}) ${bearer} tok-9.z isn't valid`),
    );
    const cause = fc.oneof(
      text.map((errorMessage) => JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage, trace: ['at x (y.js:1:1)'] })),
      text,
      text.map((other) => JSON.stringify({ errorType: 'Sandbox.Timedout', other })),
      fc.constant(undefined),
    );
    let quoted = 0;
    fc.assert(fc.property(fc.constantFrom('FAILED', 'TIMED_OUT', 'ABORTED' as const), cause, (executionStatus, rawCause) => {
      const answer = status({ name: 'k', status: executionStatus, error: 'HiringCenter.Rejected', ...(rawCause === undefined ? {} : { cause: rawCause }) });
      const expected = failureMessageOf(executionStatus, rawCause);
      expect(answer.json.message).toBe(expected);
      if (expected !== FAILURE_POINTERS[executionStatus]) quoted++;
    }), { numRuns: 600 });
    expect(quoted).toBeGreaterThan(100);
  });

  it('answers 429 with Retry-After when status reads are throttled, 503 when the service fails', () => {
    expect(answerFrom(webhook.describe, '4\\d{2}', { body: { __type: 'ThrottlingException', message: 'x' } })).toMatchObject({ status: 429, headerOverrides: { 'Retry-After': '1' } });
    expect(answerFrom(webhook.describe, '5\\d{2}', { body: { __type: 'InternalFailure' } })).toMatchObject({ status: 503, headerOverrides: { 'Retry-After': '5' } });
  });
});
