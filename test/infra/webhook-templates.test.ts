import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_WITHOUT_STEP_MESSAGE } from '../../lib/webhook/answers.ts';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { quickstartInput } from '../support/harness.ts';
import { answerFrom, EXECUTION_ARN_PREFIX, STATE_MACHINE_ARN, synthesizeWebhook, type SynthesizedWebhook } from '../support/webhook-stack.ts';

/* The webhook's mapping templates, taken from the synthesized stack and executed with API Gateway's semantics. */
const KEY_A = 'a1b2c3d4e5';
const KEY_B = 'zz9yy8xx7w';
let webhook: SynthesizedWebhook;
beforeAll(() => {
  webhook = synthesizeWebhook();
});

type StartRequest = { stateMachineArn: string; name: string; input: string };
const startRequest = (body: unknown, headers: Record<string, string> = {}, apiKeyId = KEY_A, queryString: Record<string, string> = {}) =>
  JSON.parse(renderMappingTemplate(webhook.start.request, { body, headers, queryString, identity: { apiKeyId } }).output) as StartRequest;
const describeRequest = (id: string, apiKeyId = KEY_A) =>
  (JSON.parse(renderMappingTemplate(webhook.describe.request, { body: {}, pathParameters: { id }, identity: { apiKeyId } }).output) as { executionArn: string }).executionArn;

describe('POST /activities → StartExecution request', () => {
  it('passes any body through as the execution input, byte-for-byte equivalent, non-ASCII written as \\u escapes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 }), (note, name) => {
      const body = { ...quickstartInput(), note: { body: `${note} <p>"quoted" it's / \\ done</p>` }, prospect: { firstName: name || 'A', lastName: "O'Brien" } };
      const request = startRequest(body, { 'Idempotency-Key': 'zap-1' });
      expect(request.stateMachineArn).toBe(STATE_MACHINE_ARN);
      expect(JSON.parse(request.input)).toEqual(body);
    }), { numRuns: 150 });
    const raw = renderMappingTemplate(webhook.start.request, { body: { prospect: { firstName: 'José 😀' } }, identity: { apiKeyId: KEY_A } }).output;
    expect(raw).toContain('Jos\\u00E9 \\uD83D\\uDE00');
  });

  it('names distinct keys apart, as the adversarial review tried: dots, spaces, é, emoji, 80 characters and their extension', () => {
    const names = ['a.b', 'a_b', 'a b', 'é', '_', '😀', '__', 'k'.repeat(68), `${'k'.repeat(68)}x`].map((key) => startRequest({ prospect: {} }, { 'Idempotency-Key': key }).name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    for (const key of ['k'.repeat(80), `${'k'.repeat(80)}x`, 'é'.repeat(26)]) {
      expect(startRequest({ prospect: {} }, { 'Idempotency-Key': key }).name).toBe('key too long');
    }
  });

  it('gives ordinary keys stable valid names: UUIDs and Zapier, Make and n8n ids', () => {
    for (const key of ['3f1c9a2e-7b1d-4c55-9e0f-3a8d2b6c1e77', '01JDQ7ZP3K9X2M4N6R8T0V2W4Y', '123456789', 'n8n-exec-1007']) {
      expect(startRequest({ prospect: {} }, { 'Idempotency-Key': key }).name).toBe(`${KEY_A}_${key}`);
      expect(startRequest({ prospect: { firstName: 'other' } }, { 'idempotency-key': key }).name).toBe(`${KEY_A}_${key}`);
    }
  });

  it('gives the same key from two API keys two executions, and a delivery without a key its own', () => {
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A).name).toBe(`${KEY_A}_zap-1`);
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_B).name).toBe(`${KEY_B}_zap-1`);
    expect(startRequest({ prospect: {} }, {}, KEY_A).name).toBe(`${KEY_A}__c6af9ac6-7b61-11e6-9a41-93e8deadbeef`);
  });

  it('reads the key from the headers only: a query-string Idempotency-Key changes nothing', () => {
    const headerOnly = startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' });
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A, { 'Idempotency-Key': 'stale' })).toEqual(headerOnly);
    expect(startRequest({ prospect: {} }, {}, KEY_A, { 'Idempotency-Key': 'stale' }).name).toBe(`${KEY_A}__c6af9ac6-7b61-11e6-9a41-93e8deadbeef`);
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
    const mine = startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_A).name;
    const theirs = startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap-1' }, KEY_B).name;
    expect(describeRequest(mine, KEY_A)).toBe(`${EXECUTION_ARN_PREFIX}${mine}`);
    expect(describeRequest(theirs, KEY_B)).toBe(`${EXECUTION_ARN_PREFIX}${theirs}`);
    expect(describeRequest(theirs, KEY_A)).toBe(`${EXECUTION_ARN_PREFIX}not this caller`);
    const notFound = answerFrom(webhook.describe, '4\\d{2}', { body: { __type: 'com.amazonaws.swf.service.v2.model#InvalidArn', message: 'Invalid Arn' } });
    expect(notFound).toMatchObject({ status: 404, json: { error: 'NotFound' } });
  });
});

describe('POST /activities answers', () => {
  const arn = (name: string) => `${EXECUTION_ARN_PREFIX}${name}`;

  it('answers 202 with the id for a new execution, 200 duplicate for a running one that started before the request', () => {
    const fresh = answerFrom(webhook.start, '', { body: { executionArn: arn(`${KEY_A}_zap-1`), startDate: 1_764_496_800.05 } });
    expect(fresh).toMatchObject({ status: 202, json: { id: `${KEY_A}_zap-1`, status: 'RUNNING', statusUrl: `https://abc123.execute-api.us-east-1.amazonaws.com/v1/activities/${KEY_A}_zap-1` } });
    expect(fresh.json).not.toHaveProperty('duplicate');
    const repeat = answerFrom(webhook.start, '', { body: { executionArn: arn(`${KEY_A}_zap-1`), startDate: 1_764_496_700 } });
    expect(repeat).toMatchObject({ status: 200, json: { id: `${KEY_A}_zap-1`, duplicate: true, status: 'RUNNING' } });
  });

  it('answers a repeat of a finished delivery 200 duplicate, pointing to where its status is, and never a bad id', () => {
    const repeat = answerFrom(webhook.start, '4\\d{2}', { body: { __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: `Execution Already Exists: '${arn(`${KEY_A}_zap-1`)}'` }, identity: { apiKeyId: KEY_A } });
    expect(repeat).toMatchObject({ status: 200, json: { id: `${KEY_A}_zap-1`, duplicate: true, status: 'UNKNOWN', message: expect.stringMatching(/statusUrl.*\/activities\/sync/) } });
    const odd = answerFrom(webhook.start, '4\\d{2}', { body: { __type: 'ExecutionAlreadyExists', message: "it's 'a\"b' here" }, identity: { apiKeyId: KEY_A } });
    expect(odd.json).toMatchObject({ id: '', duplicate: true });
  });

  it('answers throttling 429 and limits 503 with Retry-After, the service\'s faults 503, never 400', () => {
    const cases: [string, string, number, string][] = [
      ['4\\d{2}', 'ThrottlingException', 429, '1'],
      ['4\\d{2}', 'com.amazonaws.swf.service.v2.model#ExecutionLimitExceeded', 503, '60'],
      ['4\\d{2}', 'KmsThrottlingException', 429, '1'],
      ['4\\d{2}', 'AccessDeniedException', 503, '5'],
      ['5\\d{2}', 'ServiceUnavailable', 503, '5'],
    ];
    for (const [selection, type, status, retryAfter] of cases) {
      const answer = answerFrom(webhook.start, selection, { body: { __type: type, message: 'Rate exceeded for jordan@example.com' }, identity: { apiKeyId: KEY_A } });
      expect(answer.status).toBe(status);
      expect(answer.headerOverrides).toEqual({ 'Retry-After': retryAfter });
      expect(answer.output).not.toContain('jordan');
    }
  });

  it('turns its own refusal of a key into a 400 that names the header and the rule, and a caller without identity into a 500', () => {
    const refused = answerFrom(webhook.start, '4\\d{2}', { body: { __type: 'InvalidName', message: "Invalid Name: 'key too long'" }, identity: { apiKeyId: KEY_A } });
    expect(refused).toMatchObject({ status: 400, json: { error: 'IdempotencyKey.Invalid', message: expect.stringMatching(/^Idempotency-Key is too long.* 69 characters .* 51 bytes/) } });
    const anonymous = answerFrom(webhook.start, '4\\d{2}', { body: { __type: 'InvalidName', message: "Invalid Name: 'caller unknown'" }, identity: {} });
    expect(anonymous).toMatchObject({ status: 500, json: { error: 'CallerUnknown' } });
    const tooLarge = answerFrom(webhook.start, '4\\d{2}', { body: { __type: 'InvalidExecutionInput', message: 'too big' }, identity: { apiKeyId: KEY_A } });
    expect(tooLarge).toMatchObject({ status: 400, json: { error: 'Input.Invalid' } });
  });

  it('answers valid JSON whatever the service\'s error says', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 }), (type, message) => {
      for (const selection of ['4\\d{2}', '5\\d{2}']) {
        const answer = answerFrom(webhook.start, selection, { body: { __type: type, message }, identity: { apiKeyId: KEY_A } });
        expect([200, 400, 429, 500, 503]).toContain(answer.status);
        if (message.length > 3 && answer.status !== 200) expect(answer.output).not.toContain(message);
      }
    }), { numRuns: 300 });
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
    expect(status({ name: 'k', status: 'TIMED_OUT' }).json).toMatchObject({ error: 'States.Timeout', message: FAILURE_WITHOUT_STEP_MESSAGE });
  });

  it('masks contact details that reach a step message, and never echoes a cause that is not a step error', () => {
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: "Prospect Jordan.Miller@Example.com / +1 (555) 123-4567 isn't valid", trace: [] });
    const masked = status({ name: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', cause });
    expect(masked.json.message).toBe("Prospect [email] / [phone] isn't valid");
    const quotingInput = "An error occurred while executing the state 'CreateNote'. The JSONPath '$.run' could not be found in the input '{\"prospect\":{\"email\":\"jordan@example.com\"}}'";
    for (const other of [quotingInput, 'Lambda.ServiceException: Rate exceeded', '', '{truncated', JSON.stringify({ errorType: 'Sandbox.Timedout' }), undefined]) {
      const failed = status({ name: 'k', status: 'FAILED', error: 'States.Runtime', ...(other === undefined ? {} : { cause: other }) });
      expect(failed.json).toMatchObject({ id: 'k', status: 'FAILED', error: 'States.Runtime', message: FAILURE_WITHOUT_STEP_MESSAGE });
      expect(failed.output).not.toContain('jordan');
    }
  });

  it('answers valid JSON for any step message', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (errorMessage) => {
      const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage, trace: [] });
      const answer = status({ name: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', cause });
      expect(answer.json.status).toBe('FAILED');
    }), { numRuns: 300 });
  });

  it('answers 429 with Retry-After when status reads are throttled, 503 when the service fails', () => {
    expect(answerFrom(webhook.describe, '4\\d{2}', { body: { __type: 'ThrottlingException', message: 'x' } })).toMatchObject({ status: 429, headerOverrides: { 'Retry-After': '1' } });
    expect(answerFrom(webhook.describe, '5\\d{2}', { body: { __type: 'InternalFailure' } })).toMatchObject({ status: 503, headerOverrides: { 'Retry-After': '5' } });
  });
});
