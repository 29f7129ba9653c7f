import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StaticKeyProvider } from '../../lib/secrets/index.ts';
import { synthesizeItemProcessor } from '../../dev/definition.ts';
import type { RunEvent } from '../../dev/runner.ts';
import { quickstartInput, startHarness, type Harness } from '../support/harness.ts';

/*
 * The synthesized state machine (from infra/, via the local ASL engine) with the real handlers and client, against the
 * sandbox over loopback. Each test asserts what a user would see: the output, the records, the failure.
 */
let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ clientTimeouts: { headersMs: 400, bodyMs: 400 } });
});
afterAll(async () => harness.close());
beforeEach(() => harness.sandbox.reset());

describe('the full chain', () => {
  it('creates one prospect, note, task and meeting and returns their ids in the output contract', async () => {
    const result = await harness.run(quickstartInput(), { executionName: 'quickstart-1' });
    expect(result.status).toBe('SUCCEEDED');
    const records = await harness.inspect();
    expect(records.counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
    expect(result.output).toEqual({
      prospectId: records.prospects[0]?.id,
      noteId: records.notes[0]?.id,
      taskId: records.tasks[0]?.id,
      meetingId: records.meetings[0]?.id,
      idempotencyKey: 'quickstart-1',
      warnings: [],
    });
    expect(records.prospects[0]).toMatchObject({ firstName: 'Jordan', lastName: 'Miller', labels: ['Quickstart', 'Inbound'] });
    expect(records.notes[0]).toMatchObject({ prospectId: result.output?.prospectId, pin: true });
    expect(records.tasks[0]).toMatchObject({ prospectId: result.output?.prospectId, assignedTo: 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33', dueAt: 1760000000000 });
    expect(records.meetings[0]).toMatchObject({ prospectId: result.output?.prospectId, meetingDate: Date.parse('2025-10-10T14:00:00Z'), timeZone: 'America/New_York' });
  });

  it('reads a meeting time without an offset in the meeting time zone, and sends plain-text notes as escaped HTML', async () => {
    const input = quickstartInput();
    input.note = { body: 'Called <Jordan> & left a message.\nCall back Friday.' };
    input.meeting = { ...(input.meeting as object), meetingDate: '2025-07-01T09:30', timeZone: 'europe/berlin' };
    const result = await harness.run(input);
    expect(result.status).toBe('SUCCEEDED');
    const records = await harness.inspect();
    expect(records.notes[0]?.body).toBe('<p>Called &lt;Jordan&gt; &amp; left a message.<br>Call back Friday.</p>');
    expect(records.meetings[0]).toMatchObject({ meetingDate: Date.parse('2025-07-01T07:30:00Z'), timeZone: 'Europe/Berlin' });
  });

  it('passes the invalid-phone warning to the output without the phone number', async () => {
    const input = quickstartInput();
    input.prospect = { firstName: 'Ana', lastName: 'Lee', phone: '12' };
    const result = await harness.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output?.warnings).toHaveLength(1);
    expect(result.output?.warnings[0]).not.toContain('12');
  });
});

describe('optional steps', () => {
  const taskStates = (result: { events: RunEvent[] }) => result.events.filter((event) => event.type === 'state-entered').map((event) => event.state);

  it.each([
    ['note', { prospects: 1, notes: 0, tasks: 1, meetings: 1 }],
    ['task', { prospects: 1, notes: 1, tasks: 0, meetings: 1 }],
    ['meeting', { prospects: 1, notes: 1, tasks: 1, meetings: 0 }],
  ])('writes no %s when the input has no such section, in the same four state transitions', async (section, counts) => {
    const input = quickstartInput();
    delete input[section];
    const result = await harness.run(input);
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).not.toHaveProperty(`${section}Id`);
    expect((await harness.inspect()).counts).toEqual(counts);
    expect(taskStates(result)).toEqual(['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting']);
    expect(result.transitions).toBe(4);
  });

  it('runs the prospect step alone when it is the only section, in at most five state transitions', async () => {
    const result = await harness.run({ prospect: { firstName: 'Solo', lastName: 'Prospect' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(Object.keys(result.output ?? {}).sort()).toEqual(['idempotencyKey', 'prospectId', 'warnings']);
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 0, tasks: 0, meetings: 0 });
    expect(result.transitions).toBeLessThanOrEqual(5);
    expect(harness.sandbox.stats().requests).toBe(1);
  });

  it('runs the full quickstart in at most five state transitions', async () => {
    const result = await harness.run(quickstartInput());
    expect(result.transitions).toBeLessThanOrEqual(5);
  });
});

describe('faults', () => {
  it('retries a step after an injected 503 and creates the note once', async () => {
    harness.sandbox.injectFaults([{ kind: 'serverError', status: 503 }], { method: 'POST', path: '/notes' });
    const result = await harness.run(quickstartInput());
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries).toEqual({ CreateNote: 1 });
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
  });

  it("honours a 429's Retry-After: the step waits in its own Wait state, then runs again and writes once", async () => {
    harness.sandbox.injectFaults([{ kind: 'rateLimit', retryAfterSeconds: 1 }], { method: 'POST', path: '/tasks' });
    const result = await harness.run(quickstartInput());
    expect(result.status).toBe('SUCCEEDED');
    const states = result.events.filter((event) => event.type === 'state-entered').map((event) => event.state);
    expect(states).toEqual(['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateTaskRateLimited', 'CreateTaskReadSlot', 'CreateTaskWaitForSlot', 'CreateTask', 'CreateMeeting']);
    // From the 429 to the task's second write: the Wait lasts to the whole second, the step sleeps the rest of the slot.
    const caught = result.events.find((event) => event.type === 'state-caught' && event.state === 'CreateTask');
    const written = result.events.filter((event) => event.type === 'state-exited' && event.state === 'CreateTask').at(-1);
    expect(caught && written ? written.at - caught.at : 0).toBeGreaterThanOrEqual(950);
    expect((await harness.inspect()).counts.tasks).toBe(1);
  });

  it('fails at the step after exactly one POST when the API rejects it (422): never retried, never attempted again', async () => {
    harness.sandbox.injectFaults([{ kind: 'reject', status: 422, message: 'dueAt: must be in the future' }], { method: 'POST', path: '/tasks' });
    const result = await harness.run(quickstartInput());
    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ error: 'HiringCenter.Rejected', state: 'CreateTask' });
    expect(result.failure?.message).toContain('dueAt: must be in the future');
    expect(harness.sandbox.stats().byRoute['POST /tasks']).toBe(1);
    expect(result.events.filter((event) => event.type === 'state-entered' && event.state === 'CreateTask')).toHaveLength(1);
    expect(result.resume).toMatchObject({ state: 'CreateTask' });
  });

  it('creates no duplicate when the connection resets after the API committed the write', async () => {
    harness.sandbox.injectFaults([{ kind: 'resetAfterCommit' }], { method: 'POST', path: '/meetings' });
    const result = await harness.run(quickstartInput());
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries).toEqual({ CreateMeeting: 1 });
    const records = await harness.inspect();
    expect(records.counts.meetings).toBe(1);
    expect(result.output?.meetingId).toBe(records.meetings[0]?.id);
  });

  it('survives a request that hangs past the client timeout: in-flight 409s are retried until the replay', async () => {
    // undici checks headers/body timeouts on a ~0.5 s tick, so the 400 ms timeout fires up to ~1 s late: a 900 ms hang
    // could finish first (it did, once the runner stopped re-validating the definition per run). 2 s always outlasts it,
    // and 8 in-flight retries 300 ms apart outlast the rest of the hang.
    harness.sandbox.injectFaults([{ kind: 'hang', ms: 2000 }], { method: 'POST', path: '/notes' });
    const result = await harness.run(quickstartInput(), { retryDelayMs: 300 });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.retries.CreateNote).toBeGreaterThanOrEqual(1);
    const records = await harness.inspect();
    expect(records.counts.notes).toBe(1);
    expect(result.output?.noteId).toBe(records.notes[0]?.id);
  });
});

describe('idempotency across deliveries', () => {
  it('creates exactly one record of each kind when the same input is delivered twice with the same idempotencyKey', async () => {
    const input = { ...quickstartInput(), idempotencyKey: 'zapier-delivery-42' };
    const first = await harness.run(input);
    const second = await harness.run(input);
    expect(first.status).toBe('SUCCEEDED');
    expect(second.output).toEqual(first.output);
    expect(first.executionName).not.toBe(second.executionName);
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
  });

  it('creates nothing twice when an execution with the same name runs again (a redrive)', async () => {
    const first = await harness.run(quickstartInput(), { executionName: 'redrive-me' });
    const second = await harness.run(quickstartInput(), { executionName: 'redrive-me' });
    expect(second.output).toEqual(first.output);
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
  });

  it('fails with HiringCenter.Conflict when a delivery id is reused for a different prospect', async () => {
    await harness.run({ ...quickstartInput(), idempotencyKey: 'reused-id' });
    const input = quickstartInput();
    input.prospect = { firstName: 'Someone', lastName: 'Else', email: 'someone.else@example.com' };
    const result = await harness.run({ ...input, idempotencyKey: 'reused-id' });
    expect(result.status).toBe('FAILED');
    expect(result.failure).toMatchObject({ error: 'HiringCenter.Conflict', state: 'UpsertProspect' });
    expect((await harness.inspect()).counts.prospects).toBe(1);
  });
});

describe('bad input and bad credentials change nothing', () => {
  it('fails with Input.Invalid listing every issue, before any write', async () => {
    const input = quickstartInput();
    (input.prospect as Record<string, unknown>).email = 'not-an-email';
    (input.meeting as Record<string, unknown>).timeZone = 'Mars/Olympus_Mons';
    (input.task as Record<string, unknown>).assignTo = 'old-field-name';
    const result = await harness.run(input);
    expect(result.status).toBe('FAILED');
    expect(result.failure?.error).toBe('Input.Invalid');
    expect(result.failure?.state).toBe('UpsertProspect');
    expect(result.failure?.message).toContain('prospect.email');
    expect(result.failure?.message).toContain('meeting.timeZone');
    expect(result.failure?.message).toContain('task.assignTo: unknown field (did you mean "assignedTo"?');
    expect(result.failure?.message).not.toContain('not-an-email');
    expect((await harness.inspect()).counts).toEqual({ prospects: 0, notes: 0, tasks: 0, meetings: 0 });
    expect(result.events.filter((event) => event.type === 'state-entered')).toHaveLength(1);
    expect(result.retries).toEqual({});
  });

  it('falls back to the configured default user id for assignedTo and ownerId, and refuses without one', async () => {
    const input = quickstartInput();
    delete (input.task as Record<string, unknown>).assignedTo;
    delete (input.meeting as Record<string, unknown>).ownerId;
    const refused = await harness.run(input);
    expect(refused.failure?.error).toBe('Input.Invalid');
    expect(refused.failure?.message).toMatch(/task\.assignedTo: is required unless a default user id is configured/);
    expect((await harness.inspect()).counts.prospects).toBe(0);

    const result = await harness.run(input, { config: { defaultUserId: 'b2e7a1d94c3f4a8eb6d05c1f9a7e2d45' } });
    expect(result.status).toBe('SUCCEEDED');
    const records = await harness.inspect();
    expect(records.tasks[0]?.assignedTo).toBe('b2e7a1d94c3f4a8eb6d05c1f9a7e2d45');
    expect(records.meetings[0]?.ownerId).toBe('b2e7a1d94c3f4a8eb6d05c1f9a7e2d45');
  });

  it('fails with HiringCenter.Unauthorized on a wrong key and never logs the key', async () => {
    const wrongKey = 'hc_wrong_key_0123456789abcdef';
    const result = await harness.run(quickstartInput(), { keys: new StaticKeyProvider(wrongKey) });
    expect(result.failure).toMatchObject({ error: 'HiringCenter.Unauthorized', state: 'UpsertProspect' });
    expect(result.failure?.message).not.toContain(wrongKey);
    expect(harness.logLines.join('\n')).not.toContain(wrongKey);
    expect((await harness.inspect()).counts.prospects).toBe(0);
  });
});

describe('triggers', () => {
  const event = (id: string, detail: unknown) => ({
    version: '0', id, 'detail-type': 'ProspectActivityRequested', source: 'hiringcenter.workflows',
    account: '123456789012', time: '2025-10-01T12:00:00Z', region: 'us-east-1', resources: [], detail,
  });

  it('takes an EventBridge event whole: the detail is the input and the event id the idempotency key', async () => {
    const first = await harness.run(event('8f1c2d3e-event', quickstartInput()));
    const redelivered = await harness.run(event('8f1c2d3e-event', quickstartInput()));
    expect(first.output?.idempotencyKey).toBe('8f1c2d3e-event');
    expect(redelivered.output).toEqual(first.output);
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
  });

  it("prefers the detail's own idempotencyKey over the event id", async () => {
    const result = await harness.run(event('event-a', { ...quickstartInput(), idempotencyKey: 'caller-key-7' }));
    expect(result.output?.idempotencyKey).toBe('caller-key-7');
  });

  it('announces a failure once, as ProspectActivityFailed naming the step and the error, without contact details', async () => {
    await harness.run({ ...quickstartInput(), idempotencyKey: 'changed-note' });
    const input: Record<string, unknown> = { ...quickstartInput(), idempotencyKey: 'changed-note' };
    input.note = { body: 'A different note under the same delivery id' };
    const result = await harness.run(input);
    expect(result.failure).toMatchObject({ error: 'HiringCenter.Conflict', state: 'CreateNote' });
    expect(result.activityEvents).toEqual([{
      detailType: 'ProspectActivityFailed',
      detail: { executionArn: result.executionArn, executionName: result.executionName, status: 'FAILED', error: 'HiringCenter.Conflict', message: expect.stringMatching(/^CreateNote: /) },
    }]);
    expect(JSON.stringify(result.activityEvents)).not.toMatch(/jordan\.miller@example\.com|5551234567/);
  });

  it('announces a success as ProspectActivityCompleted carrying the output, and no failure', async () => {
    const result = await harness.run(quickstartInput());
    expect(result.activityEvents).toEqual([{
      detailType: 'ProspectActivityCompleted',
      detail: { executionArn: result.executionArn, executionName: result.executionName, output: result.output },
    }]);
  });
});

describe('redrive', () => {
  it('an error that outlives its retries fails the execution at its Task; a redrive resumes there and writes nothing twice', async () => {
    const outlastingRetries = Array.from({ length: 7 }, () => ({ kind: 'serverError' as const, status: 503 as const }));
    harness.sandbox.injectFaults(outlastingRetries, { method: 'POST', path: '/tasks' });
    const failed = await harness.run(quickstartInput());
    expect(failed.status).toBe('FAILED');
    expect(failed.failure).toMatchObject({ error: 'HiringCenter.Unavailable', state: 'CreateTask' });
    expect(failed.retries.CreateTask).toBe(6);
    expect(failed.activityEvents.map((event) => event.detailType)).toEqual(['ProspectActivityFailed']);
    expect((await harness.inspect()).counts).toEqual({ prospects: 1, notes: 1, tasks: 0, meetings: 0 });

    const redriven = await harness.redrive(failed);
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.resumedAt).toBe('CreateTask');
    expect(redriven.executionName).toBe(failed.executionName);
    expect(redriven.events.filter((event) => event.type === 'state-entered').map((event) => event.state)).toEqual(['CreateTask', 'CreateMeeting']);
    const records = await harness.inspect();
    expect(records.counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
    expect(redriven.output).toMatchObject({ prospectId: records.prospects[0]?.id, noteId: records.notes[0]?.id, taskId: records.tasks[0]?.id });
  });

  it('past the API\'s key retention, a redriven step adopts the record it wrote instead of writing it again', async () => {
    harness.sandbox.startOutage({ method: 'POST', path: '/notes' }, 'resetAfterCommit');
    const failed = await harness.run(quickstartInput());
    harness.sandbox.endOutages();
    expect(failed.failure).toMatchObject({ error: 'HiringCenter.Unavailable', state: 'CreateNote' });
    expect((await harness.inspect()).counts.notes).toBe(1);

    const dayLater = 25 * 3_600_000;
    harness.advanceClock(dayLater);
    const redriven = await harness.redrive(failed);
    expect(redriven.status).toBe('SUCCEEDED');
    const records = await harness.inspect();
    expect(records.counts).toEqual({ prospects: 1, notes: 1, tasks: 1, meetings: 1 });
    expect(redriven.output?.noteId).toBe(records.notes[0]?.id);
  });
});

describe('an imported row in the import state machine', () => {
  it("runs the Distributed Map's item processor: the first step types the CSV reader's cells and keys the row by its content", async () => {
    const csvRow = {
      'prospect.firstName': 'Ana', 'prospect.lastName': 'Lee', 'prospect.email': 'ana.lee@example.org', 'prospect.labels': 'Career fair;Inbound',
      'note.body': 'Met at the booth', 'note.pin': 'true', 'task.task': '', 'task.assignedTo': '', 'meeting.meetingDate': '',
    };
    const definition = synthesizeItemProcessor('Csv');
    const first = await harness.run({ csvRow, rowIndex: 0 }, { definition });
    const again = await harness.run({ csvRow, rowIndex: 0 }, { definition });
    expect(first.status).toBe('SUCCEEDED');
    expect(first.events.filter((event) => event.type === 'state-entered').map((event) => event.state)).toEqual(['CsvRow.UpsertProspect', 'CsvRow.CreateNote', 'CsvRow.CreateTask', 'CsvRow.CreateMeeting']);
    expect(first.output?.idempotencyKey).toMatch(/^import-v1-[0-9a-f]{64}$/);
    expect(again.output).toEqual(first.output);
    const records = await harness.inspect();
    expect(records.counts).toEqual({ prospects: 1, notes: 1, tasks: 0, meetings: 0 });
    expect(records.prospects[0]).toMatchObject({ labels: ['Career fair', 'Inbound'] });
    expect(records.notes[0]).toMatchObject({ pin: true });
  });

  it('fails a row that does not type, at its first step, naming the column and writing nothing', async () => {
    const result = await harness.run({ csvRow: { 'prospect.firstName': 'Ana', 'prospect.lastName': 'Lee', 'note.pin': 'yes', 'note.body': 'x' }, rowIndex: 3 }, { definition: synthesizeItemProcessor('Csv') });
    expect(result.failure).toMatchObject({ error: 'Input.Invalid', state: 'CsvRow.UpsertProspect', message: expect.stringContaining('note.pin') });
    expect((await harness.inspect()).counts.prospects).toBe(0);
  });
});

describe('logs', () => {
  it('never contain the API key, an input email or an input phone, across successes, retries and failures', async () => {
    harness.logLines.length = 0;
    harness.sandbox.injectFaults([{ kind: 'serverError', status: 502 }], { method: 'POST', path: '/tasks' });
    await harness.run(quickstartInput());
    const bad = quickstartInput();
    (bad.prospect as Record<string, unknown>).phone = '+15559876543';
    (bad.meeting as Record<string, unknown>).timeZone = 'Nowhere/Else';
    await harness.run(bad);
    const withInvalidPhone = quickstartInput();
    withInvalidPhone.prospect = { firstName: 'Ann', lastName: 'Lee', email: 'ann.lee@example.org', phone: '555' };
    await harness.run(withInvalidPhone);
    const logs = harness.logLines.join('\n');
    expect(harness.logLines.length).toBeGreaterThan(8);
    for (const secret of [harness.sandbox.apiKey, 'jordan.miller@example.com', '+15551234567', '+15559876543', 'ann.lee@example.org']) {
      expect(logs).not.toContain(secret);
    }
  });
});
