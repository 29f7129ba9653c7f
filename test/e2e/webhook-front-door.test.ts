import { setTimeout as delay } from 'node:timers/promises';
import fc from 'fast-check';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FrontDoorState } from '../../infra/webhook-front-door.ts';
import { DUPLICATE_MESSAGE } from '../../lib/webhook/answers.ts';
import { executionNameFor } from '../../lib/webhook/execution-name.ts';
import { FAILURE_POINTERS } from '../../lib/workflow/activity-events.ts';
import { FakeStepFunctions, postActivities, sdkError, workflowArnOfFrontDoor, type HttpAnswer } from '../support/front-door.ts';
import { quickstartInput } from '../support/harness.ts';
import { synthesizeWebhook, type SynthesizedWebhook } from '../support/webhook-stack.ts';

/*
 * POST /activities end to end on the synthesized templates and the synthesized Express front door (local engine), with a
 * fake Step Functions API behind the front door's two tasks (test/support/front-door.ts).
 */
const API_KEY_ID = 'a1b2c3d4e5';
const NAME = `${API_KEY_ID}_zap-1`;
const OUTPUT = { prospectId: 'p1', noteId: 'n1', taskId: 't1', idempotencyKey: NAME, warnings: [] };
const STEP_CAUSE = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'HiringCenter rejected POST /prospects (422): jordan.miller@example.com exists', trace: ['at x (y.js:1:1)'] });

let webhook: SynthesizedWebhook;
let sfn: FakeStepFunctions;
beforeAll(() => {
  webhook = synthesizeWebhook();
});
beforeEach(() => {
  sfn = new FakeStepFunctions(workflowArnOfFrontDoor());
  sfn.nextEnd = { status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) };
});

/** A delivery; the pause keeps two deliveries' start dates apart by at least a millisecond, as real ones are. */
async function post(headers: Record<string, string>, body: unknown = quickstartInput(), apiKeyId = API_KEY_ID): Promise<HttpAnswer> {
  await delay(2);
  return postActivities(webhook, sfn, { body, headers, apiKeyId });
}
const count = (answer: HttpAnswer, state: string) => answer.run.states.filter((name) => name === state).length;
/**
 * Nothing of the workflow input (the quickstart's contact details and note) in anything the front door or the API
 * answered; the HTTP answer holds no e-mail at all, though a step's message in a cause may have had one.
 */
const expectNoInput = (answer: HttpAnswer) => {
  expect(JSON.stringify(answer.json)).not.toMatch(/jordan|5551234567|Spoke with/i);
  expect(JSON.stringify(answer.run.answer ?? {})).not.toMatch(/5551234567|Spoke with|Quickstart/);
};

describe('POST /activities through the front door', () => {
  it('answers a new delivery 202 with its id and status URL, having started it once, under its name, with the body as input', async () => {
    const answer = await post({ 'Idempotency-Key': 'zap-1' });
    expect(answer.status).toBe(202);
    expect(answer.json).toEqual({ id: NAME, status: 'RUNNING', statusUrl: `https://abc123.execute-api.us-east-1.amazonaws.com/v1/activities/${NAME}` });
    expect(sfn.startCalls).toEqual([{ StateMachineArn: sfn.stateMachineArn, Name: NAME, Input: JSON.stringify(quickstartInput()) }]);
    expect(sfn.describeCalls).toEqual([]);
    expect(answer.run.states).toEqual(['CheckDelivery', FrontDoorState.start, 'NewOrRepeat', 'Accepted']);
    expect(answer.headers).toEqual({});
    expectNoInput(answer);
  });

  it('with Prefer: wait, answers 200 with the output contract when the workflow ends in time', async () => {
    sfn.nextReadsUntilEnd = 2;
    const answer = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'respond-async, wait=10' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ...OUTPUT, id: NAME, status: 'SUCCEEDED', statusUrl: expect.stringMatching(new RegExp(`/v1/activities/${NAME}$`)) });
    expect(answer.headers).toEqual({ 'Preference-Applied': 'wait=10' });
    expect(count(answer, FrontDoorState.pause)).toBe(3);
    expect(sfn.describeCalls).toEqual([`${sfn.executionArn(NAME)}`, sfn.executionArn(NAME), sfn.executionArn(NAME)]);
    expect(answer.run.answer).toMatchObject({ answer: 'finished', execution: { Input: '' } });
    expectNoInput(answer);
  });

  it('answers 202 when the wait runs out, having waited no longer than asked (25 s at most)', async () => {
    sfn.nextReadsUntilEnd = 100;
    const answer = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=3' });
    expect(answer).toMatchObject({ status: 202, json: { id: NAME, status: 'RUNNING' }, headers: { 'Preference-Applied': 'wait=3' } });
    expect(count(answer, FrontDoorState.pause)).toBe(3);
    const capped = await post({ 'Idempotency-Key': 'zap-2', Prefer: 'wait=600' });
    expect(capped).toMatchObject({ status: 202, headers: { 'Preference-Applied': 'wait=25' } });
    expect(count(capped, FrontDoorState.pause)).toBe(25);
    expect(count(capped, FrontDoorState.read)).toBe(25);
    expect(sfn.startCalls).toHaveLength(2);
  });

  it('answers a workflow that failed in time with its error and the step\'s message: 422 for the caller\'s data, 502 otherwise', async () => {
    sfn.nextEnd = { status: 'FAILED', error: 'HiringCenter.Rejected', cause: STEP_CAUSE };
    const rejected = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=5' });
    expect(rejected).toMatchObject({ status: 422, json: { id: NAME, status: 'FAILED', error: 'HiringCenter.Rejected', message: 'HiringCenter rejected POST /prospects (422): [email] exists' } });
    expect(JSON.stringify(rejected.json)).not.toContain('trace');
    sfn.nextEnd = { status: 'FAILED', error: 'States.Runtime', cause: "The JSONPath '$.run' could not be found in the input '{\"email\":\"jordan.miller@example.com\"}'" };
    const platform = await post({ 'Idempotency-Key': 'zap-2', Prefer: 'wait=5' });
    expect(platform).toMatchObject({ status: 502, json: { error: 'States.Runtime', message: FAILURE_POINTERS.FAILED } });
    sfn.nextEnd = { status: 'TIMED_OUT' };
    expect(await post({ 'Idempotency-Key': 'zap-3', Prefer: 'wait=5' })).toMatchObject({ status: 502, json: { status: 'TIMED_OUT', error: 'States.Timeout', message: FAILURE_POINTERS.TIMED_OUT } });
    for (const answer of [rejected, platform]) expectNoInput(answer);
  });
});

describe('a repeated Idempotency-Key', () => {
  it('of a delivery that failed: 200 duplicate with the first execution\'s real status, error and message; nothing starts', async () => {
    sfn.nextEnd = { status: 'FAILED', error: 'HiringCenter.Rejected', cause: STEP_CAUSE };
    expect((await post({ 'Idempotency-Key': 'zap-1' })).status).toBe(202);
    sfn.finish(NAME);
    const repeat = await post({ 'Idempotency-Key': 'zap-1' });
    expect(repeat.status).toBe(200);
    expect(repeat.json).toEqual({
      id: NAME, duplicate: true, status: 'FAILED', error: 'HiringCenter.Rejected', message: 'HiringCenter rejected POST /prospects (422): [email] exists',
      statusUrl: expect.stringContaining(NAME),
    });
    expect(repeat.run.states).toEqual(['CheckDelivery', FrontDoorState.start, 'StartFailed', 'AwaitRepeat', FrontDoorState.read, 'ResultReady', 'Duplicate']);
    expect(sfn.executions.size).toBe(1);
    expect(sfn.startCalls.map((call) => call.Name)).toEqual([NAME, NAME]);
    expectNoInput(repeat);
  });

  it('of a delivery that succeeded: 200 duplicate with its output, so a replayed Zap still maps the ids', async () => {
    await post({ 'Idempotency-Key': 'zap-1' });
    sfn.finish(NAME);
    const repeat = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=20' });
    expect(repeat).toMatchObject({ status: 200, json: { ...OUTPUT, id: NAME, duplicate: true, status: 'SUCCEEDED' }, headers: { 'Preference-Applied': 'wait=20' } });
    expect(count(repeat, FrontDoorState.pause)).toBe(0);
  });

  it('while the first still runs: 200 duplicate RUNNING, with the same or another body; with a wait, its result when it ends', async () => {
    sfn.nextReadsUntilEnd = 100;
    await post({ 'Idempotency-Key': 'zap-1' });
    const sameBody = await post({ 'idempotency-key': 'zap-1' });
    expect(sameBody).toMatchObject({ status: 200, json: { id: NAME, duplicate: true, status: 'RUNNING', message: DUPLICATE_MESSAGE } });
    expect(sameBody.run.states.slice(0, 4)).toEqual(['CheckDelivery', FrontDoorState.start, 'NewOrRepeat', 'AwaitRepeat']);
    const otherBody = await post({ 'Idempotency-Key': 'zap-1' }, { prospect: { firstName: 'A', lastName: 'B' } });
    expect(otherBody).toMatchObject({ status: 200, json: { duplicate: true, status: 'RUNNING' } });
    expect(otherBody.run.states).toContain('StartFailed');
    (sfn.executions.get(NAME) as { readsUntilEnd: number }).readsUntilEnd = 1;
    const waited = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=5' });
    expect(waited).toMatchObject({ status: 200, json: { ...OUTPUT, duplicate: true, status: 'SUCCEEDED' } });
    expect(sfn.executions.size).toBe(1);
  });

  it('whose execution cannot be read: 429 or 503 with Retry-After, never a status nobody knows', async () => {
    await post({ 'Idempotency-Key': 'zap-1' });
    sfn.finish(NAME);
    sfn.describeFailures.push(sdkError('Sfn.SfnException', 'Rate exceeded (Service: Sfn, Status Code: 400)'));
    expect(await post({ 'Idempotency-Key': 'zap-1' })).toMatchObject({ status: 429, headers: { 'Retry-After': '1' }, json: { error: 'Throttled', id: NAME } });
    sfn.describeFailures.push(sdkError('Sfn.SfnException', 'Internal error (Service: Sfn, Status Code: 500)'));
    expect(await post({ 'Idempotency-Key': 'zap-1' })).toMatchObject({ status: 503, headers: { 'Retry-After': '1' }, json: { error: 'StatusUnavailable' } });
    sfn.describeFailures.push(sdkError('Sfn.SfnException', 'Rate exceeded'));
    expect(await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=2' })).toMatchObject({ status: 200, json: { duplicate: true, status: 'SUCCEEDED' } });
    // A new execution whose status cannot be read is still accepted: it is running.
    sfn.describeFailures.push(...[1, 2, 3].map(() => sdkError('Sfn.SfnException', 'Rate exceeded')));
    expect(await post({ 'Idempotency-Key': 'zap-2', Prefer: 'wait=3' })).toMatchObject({ status: 202, json: { status: 'RUNNING' } });
  });
});

describe('when the workflow service is busy or the request cannot be named', () => {
  it('answers throttling 429 and limits 503 with Retry-After, never 400, having called StartExecution once and not again', async () => {
    const cases: [Error, number, string | undefined, string][] = [
      [sdkError('Sfn.SfnException', 'Rate exceeded (Service: Sfn, Status Code: 400, Request ID: 1)'), 429, '1', 'Throttled'],
      [sdkError('Sfn.ThrottlingException', 'slow down'), 429, '1', 'Throttled'],
      [sdkError('Sfn.ExecutionLimitExceededException', 'Execution Limit Exceeded'), 503, '60', 'Busy'],
      [sdkError('Sfn.SfnException', 'We encountered an internal error (Service: Sfn, Status Code: 500)'), 503, '5', 'Unavailable'],
      [sdkError('Sfn.InvalidExecutionInputException', 'Input too large'), 400, undefined, 'Input.Invalid'],
    ];
    for (const [failure, status, retryAfter, error] of cases) {
      sfn = new FakeStepFunctions(workflowArnOfFrontDoor());
      sfn.startFailures.push(failure);
      const answer = await post({ 'Idempotency-Key': 'zap-1', Prefer: 'wait=5' });
      expect(answer.status, failure.message).toBe(status);
      expect(answer.json).toMatchObject({ error });
      expect(answer.headers['Retry-After']).toBe(retryAfter);
      expect(sfn.startCalls).toHaveLength(1);
      expect(sfn.describeCalls).toHaveLength(0);
    }
  });

  it('refuses a key that cannot name an execution (400) and a request without caller identity (500), starting nothing', async () => {
    const refused = await post({ 'Idempotency-Key': `jordan@example.com ${'x'.repeat(80)}` });
    expect(refused).toMatchObject({ status: 400, json: { error: 'IdempotencyKey.Invalid', message: expect.stringMatching(/^Idempotency-Key is too long.*69 characters.*51 bytes/) } });
    expect(JSON.stringify(refused.json)).not.toContain('jordan');
    expect(refused.run.states).toEqual(['CheckDelivery', 'Refused']);
    expect(await post({ 'Idempotency-Key': 'zap-1' }, quickstartInput(), '')).toMatchObject({ status: 500, json: { error: 'CallerUnknown' } });
    expect(sfn.startCalls).toHaveLength(0);
  });

  it('answers 503 when the front door itself fails, so the caller sends the same request again', async () => {
    let breakNext = true;
    const broken = new (class extends FakeStepFunctions {
      override startExecution(request: Parameters<FakeStepFunctions['startExecution']>[0]) {
        const started = super.startExecution(request);
        if (!breakNext) return started;
        breakNext = false;
        return { ExecutionArn: 'an answer without StartDate' };
      }
    })(workflowArnOfFrontDoor());
    const answer = await postActivities(webhook, broken, { body: quickstartInput(), headers: { 'Idempotency-Key': 'zap-1' } });
    expect(answer).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, json: { error: 'Unavailable' } });
    sfn = broken;
    expect(await post({ 'Idempotency-Key': 'zap-1' })).toMatchObject({ status: 200, json: { duplicate: true } });
  });
});

describe('exactly once, whatever the deliveries', () => {
  it('starts at most once per request, always under the key\'s one name; "duplicate" exactly when an earlier request created it', async () => {
    const delivery = fc.record({
      key: fc.constantFrom('zap-1', 'zap-1', 'zap-2', 'Zap 1 é', undefined),
      body: fc.constantFrom(quickstartInput(), { prospect: { firstName: 'A', lastName: 'B' } }),
      wait: fc.constantFrom(0, 0, 1, 3, 30),
      finishBefore: fc.boolean(),
      startThrottled: fc.constantFrom(false, false, false, true),
      readThrottled: fc.constantFrom(false, false, false, true),
    });
    const scenario = fc.record({
      deliveries: fc.array(delivery, { minLength: 1, maxLength: 8 }),
      readsUntilEnd: fc.nat(4),
      end: fc.constantFrom('SUCCEEDED', 'FAILED', 'TIMED_OUT'),
    });
    const seen = { accepted: 0, finished: 0, duplicates: 0, busy: 0 };
    await fc.assert(fc.asyncProperty(scenario, async ({ deliveries, readsUntilEnd, end }) => {
      sfn = new FakeStepFunctions(workflowArnOfFrontDoor());
      sfn.nextReadsUntilEnd = readsUntilEnd;
      let created = 0;
      sfn.nextEnd = end === 'SUCCEEDED' ? { status: 'SUCCEEDED', output: JSON.stringify(OUTPUT) } : { status: end, ...(end === 'FAILED' ? { error: 'HiringCenter.Rejected', cause: STEP_CAUSE } : {}) };
      for (const [index, { key, body, wait, finishBefore, startThrottled, readThrottled }] of deliveries.entries()) {
        const requestId = `req-${index}`;
        const named = executionNameFor({ callerId: API_KEY_ID, idempotencyKey: key, requestId });
        if (!named.ok) throw new Error('every generated key names an execution');
        if (finishBefore) sfn.finish(named.name);
        if (startThrottled) sfn.startFailures.push(sdkError('Sfn.SfnException', 'Rate exceeded'));
        if (readThrottled) sfn.describeFailures.push(sdkError('Sfn.SfnException', 'Rate exceeded'));
        const calls = sfn.startCalls.length;
        await delay(2);
        const answer = await postActivities(webhook, sfn, { body, requestId, headers: { ...(key === undefined ? {} : { 'Idempotency-Key': key }), Prefer: `wait=${wait}` } });
        sfn.startFailures.length = 0;
        sfn.describeFailures.length = 0;

        expect(sfn.startCalls.length - calls).toBe(1);
        expect(sfn.startCalls.at(-1)?.Name).toBe(named.name);
        if (answer.status === 429 || answer.status === 503) {
          seen.busy++;
          expect(answer.headers['Retry-After']).toMatch(/^\d+$/);
          continue;
        }
        expect(answer.json.id).toBe(named.name);
        expect(answer.json.statusUrl).toBe(`https://abc123.execute-api.us-east-1.amazonaws.com/v1/activities/${named.name}`);
        if (sfn.lastStartCreated) {
          created++;
          expect(answer.json).not.toHaveProperty('duplicate');
          expect([200, 202, 422, 502]).toContain(answer.status);
          if (answer.status === 202) seen.accepted++;
          else seen.finished++;
        } else {
          seen.duplicates++;
          expect(answer).toMatchObject({ status: 200, json: { duplicate: true, status: expect.stringMatching(/^(RUNNING|SUCCEEDED|FAILED|TIMED_OUT)$/) } });
          expect(answer.json.status).toBe(sfn.executions.get(named.name)?.status);
        }
      }
      // Every execution that exists was announced as new to exactly one request.
      expect(sfn.executions.size).toBe(created);
    }), { numRuns: 60 });
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.finished).toBeGreaterThan(10);
    expect(seen.duplicates).toBeGreaterThan(10);
    expect(seen.busy).toBeGreaterThan(10);
  });
});
