import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CALLER_DATA_ERRORS, DUPLICATE_MESSAGE } from '../../lib/webhook/answers.ts';
import { failureMessageOf } from '../../lib/workflow/activity-events.ts';
import { answerFrom, synthesizeWebhook, type SynthesizedWebhook } from '../support/webhook-stack.ts';

/*
 * POST /activities's integration response, as synthesized: what API Gateway answers for each end of the front door
 * (lib/webhook/answers.ts FrontDoorAnswer) and for StartSyncExecution's own errors. The front door's ends come from
 * test/e2e/webhook-front-door.test.ts; here they are written out, hostile ones included.
 */
const KEY_A = 'a1b2c3d4e5';
const ID = `${KEY_A}_zap-1`;
const STATUS_URL = `https://abc123.execute-api.us-east-1.amazonaws.com/v1/activities/${ID}`;
/** StartSyncExecution's answer also carries the front door's input, with the workflow input: it must never come back. */
const DOOR_INPUT = JSON.stringify({ name: ID, waitSeconds: 5, input: JSON.stringify({ prospect: { email: 'jordan@example.com', phone: '+15551234567' } }) });
const OUTPUT = { prospectId: 'p1', noteId: 'n1', idempotencyKey: ID, warnings: ['Invalid phone number'] };

let webhook: SynthesizedWebhook;
beforeAll(() => {
  webhook = synthesizeWebhook();
});

const door = (output: Record<string, unknown>, identity: { apiKeyId?: string; caller?: string } = { apiKeyId: KEY_A }) => {
  const answer = answerFrom(webhook.post, '', { body: { status: 'SUCCEEDED', output: JSON.stringify(output), input: DOOR_INPUT }, identity });
  expect(answer.output).not.toMatch(/jordan|5551234567/);
  return answer;
};
const execution = (fields: Record<string, unknown>) => ({ ExecutionArn: `arn:aws:states:us-east-1:111122223333:execution:Workflow:${ID}`, Name: ID, Input: '', ...fields });

describe('the answer to a new delivery', () => {
  it('is 202 with the id and status URL while it runs, saying which wait was applied', () => {
    expect(door({ answer: 'accepted', id: ID, waitSeconds: 0 })).toMatchObject({ status: 202, headerOverrides: {}, json: { id: ID, status: 'RUNNING', statusUrl: STATUS_URL } });
    expect(door({ answer: 'accepted', id: ID, waitSeconds: 25 })).toMatchObject({ status: 202, headerOverrides: { 'Preference-Applied': 'wait=25' } });
  });

  it('is 200 with the workflow output beside id and status once it ended in time; its own fields win over any output field', () => {
    const done = door({ answer: 'finished', id: ID, waitSeconds: 20, execution: execution({ Status: 'SUCCEEDED', Output: JSON.stringify(OUTPUT) }) });
    expect(done).toMatchObject({ status: 200, headerOverrides: { 'Preference-Applied': 'wait=20' } });
    expect(done.json).toEqual({ ...OUTPUT, id: ID, status: 'SUCCEEDED', statusUrl: STATUS_URL });
    let spliced = 0;
    fc.assert(fc.property(fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }), (output) => {
      const answer = door({ answer: 'finished', id: ID, waitSeconds: 1, execution: execution({ Status: 'SUCCEEDED', Output: JSON.stringify(output) }) });
      expect(answer.json).toEqual(JSON.parse(JSON.stringify({ ...output, id: ID, status: 'SUCCEEDED', statusUrl: STATUS_URL })));
      if (Object.keys(output).length > 0) spliced++;
    }), { numRuns: 300 });
    expect(spliced).toBeGreaterThan(150);
  });

  it('is 422 when the workflow failed on the caller\'s data, 502 otherwise, with the message failureMessageOf gives', () => {
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'Prospect jordan@example.com: bad phone +1 (555) 123-4567', trace: ['at secret'] });
    for (const error of CALLER_DATA_ERRORS) {
      const answer = door({ answer: 'finished', id: ID, waitSeconds: 5, execution: execution({ Status: 'FAILED', Error: error, Cause: cause }) });
      expect(answer).toMatchObject({ status: 422, json: { id: ID, status: 'FAILED', error, message: 'Prospect [email]: bad phone [phone]', statusUrl: STATUS_URL } });
    }
    expect(door({ answer: 'finished', id: ID, waitSeconds: 5, execution: execution({ Status: 'FAILED', Error: 'HiringCenter.Unavailable', Cause: cause }) }).status).toBe(502);
    expect(door({ answer: 'finished', id: ID, waitSeconds: 5, execution: execution({ Status: 'TIMED_OUT' }) })).toMatchObject({ status: 502, json: { error: 'States.Timeout', message: failureMessageOf('TIMED_OUT', undefined) } });
  });
});

describe('the answer to a repeated key', () => {
  it('is 200 duplicate with the first execution\'s real status: its output, its failure, or RUNNING', () => {
    expect(door({ answer: 'duplicate', id: ID, waitSeconds: 0, execution: execution({ Status: 'SUCCEEDED', Output: JSON.stringify(OUTPUT) }) }).json)
      .toEqual({ ...OUTPUT, id: ID, status: 'SUCCEEDED', duplicate: true, statusUrl: STATUS_URL });
    expect(door({ answer: 'duplicate', id: ID, waitSeconds: 0, execution: execution({ Status: 'ABORTED' }) })).toMatchObject({ status: 200, json: { duplicate: true, status: 'ABORTED', error: 'States.Aborted' } });
    for (const running of ['RUNNING', 'PENDING_REDRIVE']) {
      expect(door({ answer: 'duplicate', id: ID, waitSeconds: 3, execution: execution({ Status: running }) }))
        .toMatchObject({ status: 200, headerOverrides: { 'Preference-Applied': 'wait=3' }, json: { id: ID, duplicate: true, status: running, message: DUPLICATE_MESSAGE } });
    }
  });

  it('shows a failure with failureMessageOf\'s message for any cause, as valid JSON', () => {
    const status = fc.constantFrom('FAILED', 'TIMED_OUT', 'ABORTED' as const);
    const cause = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }).map((errorMessage) => JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage, trace: [] })),
      fc.string({ unit: 'binary', maxLength: 80 }),
    );
    fc.assert(fc.property(status, cause, fc.boolean(), (executionStatus, rawCause, repeat) => {
      const answer = door({ answer: repeat ? 'duplicate' : 'finished', id: ID, waitSeconds: 1, execution: execution({ Status: executionStatus, Error: 'HiringCenter.Rejected', Cause: rawCause }) });
      expect(answer.json).toMatchObject({ status: executionStatus, message: failureMessageOf(executionStatus, rawCause) });
      expect(answer.status).toBe(repeat ? 200 : 422);
    }), { numRuns: 300 });
  });

  it('is 429 or 503 with Retry-After when that execution could not be read, never a made-up status', () => {
    expect(door({ answer: 'unread', id: ID, failure: { Error: 'Sfn.SfnException', Cause: 'Rate exceeded' } })).toMatchObject({ status: 429, headerOverrides: { 'Retry-After': '1' }, json: { error: 'Throttled', id: ID, statusUrl: STATUS_URL } });
    expect(door({ answer: 'unread', id: ID, failure: { Error: 'Sfn.AccessDeniedException', Cause: 'no' } })).toMatchObject({ status: 503, json: { error: 'StatusUnavailable', id: ID } });
  });
});

describe('the answer when nothing could be started', () => {
  it('refuses a key too long for the caller with the limits of that caller, and a request without caller with 500', () => {
    expect(door({ answer: 'refused', problem: 'key', waitSeconds: 0 })).toMatchObject({ status: 400, json: { error: 'IdempotencyKey.Invalid', message: expect.stringMatching(/ 69 characters .* 51 bytes /) } });
    const iam = synthesizeWebhook({ webhookAuth: 'iam' });
    const refusedIam = answerFrom(iam.post, '', { body: { status: 'SUCCEEDED', output: JSON.stringify({ answer: 'refused', problem: 'key', waitSeconds: 0 }) }, identity: { caller: 'AROAEXAMPLEID12345678:session' } });
    expect(refusedIam).toMatchObject({ status: 400, json: { message: expect.stringMatching(/ 58 characters .* 43 bytes /) } });
    expect(door({ answer: 'refused', problem: 'caller', waitSeconds: 0 }, {})).toMatchObject({ status: 500, json: { error: 'CallerUnknown' } });
  });

  it('answers a failed start by its error and cause: throttling 429, limits 503, input 400, anything else 503', () => {
    const cases: [string, string, number, string | undefined][] = [
      ['Sfn.SfnException', 'Rate exceeded (Service: Sfn, Status Code: 400)', 429, '1'],
      ['Sfn.ThrottlingException', 'x', 429, '1'],
      ['Sfn.ExecutionLimitExceededException', 'Execution Limit Exceeded', 503, '60'],
      ['Sfn.InvalidExecutionInputException', 'Input is too big', 400, undefined],
      ['Sfn.SfnException', 'Internal', 503, '5'],
      ['States.Timeout', '', 503, '5'],
    ];
    for (const [Error, Cause, status, retryAfter] of cases) {
      const answer = door({ answer: 'notStarted', failure: { Error, Cause } });
      expect(answer.status, Error).toBe(status);
      expect(answer.headerOverrides['Retry-After']).toBe(retryAfter);
      expect(answer.json).not.toHaveProperty('id');
    }
  });

  it('answers valid JSON without echoing what the service said, whatever it said', () => {
    let leakChecked = 0;
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), (error, cause) => {
      const answer = door({ answer: 'notStarted', failure: { Error: error, Cause: cause } });
      expect([400, 429, 503]).toContain(answer.status);
      for (const text of [error, cause]) {
        if (text.length <= 3) continue;
        expect(answer.output).not.toContain(text);
        leakChecked++;
      }
    }), { numRuns: 300 });
    expect(leakChecked).toBeGreaterThan(300);
  });

  it('answers 503 when the front door did not end normally, or StartSyncExecution failed, and 429 when it was throttled', () => {
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED']) {
      const answer = answerFrom(webhook.post, '', { body: { status, error: 'States.Runtime', cause: 'jordan@example.com', input: DOOR_INPUT }, identity: { apiKeyId: KEY_A } });
      expect(answer).toMatchObject({ status: 503, headerOverrides: { 'Retry-After': '5' }, json: { error: 'Unavailable' } });
      expect(answer.output).not.toContain('jordan');
    }
    const rejected = (type: string, message = 'Rate exceeded for jordan@example.com') => answerFrom(webhook.post, '4\\d{2}', { body: { __type: type, message } });
    expect(rejected('ThrottlingException')).toMatchObject({ status: 429, headerOverrides: { 'Retry-After': '1' } });
    expect(rejected('com.amazonaws.swf.service.v2.model#InvalidExecutionInput', 'too large')).toMatchObject({ status: 400, json: { error: 'Input.Invalid' } });
    expect(rejected('AccessDeniedException', 'no')).toMatchObject({ status: 503 });
    expect(rejected('AccessDeniedException').output).not.toContain('jordan');
    expect(answerFrom(webhook.post, '5\\d{2}', { body: { __type: 'InternalFailure' } })).toMatchObject({ status: 503, headerOverrides: { 'Retry-After': '5' } });
    let leakChecked = 0;
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), (type, message) => {
      const answer = answerFrom(webhook.post, '4\\d{2}', { body: { __type: type, message } });
      expect([400, 429, 503]).toContain(answer.status);
      if (message.length > 3) {
        expect(answer.output).not.toContain(message);
        leakChecked++;
      }
    }), { numRuns: 200 });
    expect(leakChecked).toBeGreaterThan(100);
  });

  it('never answers with an id that is not an execution name', () => {
    for (const id of ['a"b', '<script>', 'x'.repeat(81), '', 'a:b']) {
      const answer = door({ answer: 'accepted', id, waitSeconds: 0 });
      expect(answer.json).toMatchObject({ id: '', status: 'RUNNING' });
    }
  });
});
