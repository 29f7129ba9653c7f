import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../dev/sandbox/index.ts';
import { closeSharedAgents } from '../../lib/hiringcenter/index.ts';

/*
 * A deployed step as Lambda runs it: the entry file (functions/create-note.ts) with its collaborators from the
 * environment and Powertools' middlewares, against the sandbox over loopback. What a user of CloudWatch sees is what the
 * process writes: structured log lines with the Lambda context, and EMF metric lines with the names and dimensions a
 * dashboard reads (functions/commons/constants.ts).
 */

const TRACE_ID = 'Root=1-65f2a1b3-5e7d9c1a2b3c4d5e6f708192;Parent=53995c3f42cd8ad8;Sampled=1';
let sandbox: Sandbox;
let handler: (event: unknown, context?: Record<string, unknown>) => Promise<unknown>;
const written: string[] = [];
const saved: Record<string, string | undefined> = {};

function setEnv(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    saved[name] = process.env[name];
    process.env[name] = value;
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ rateLimits: { perMinute: 1e9, perHour: 1e9 } });
  setEnv({ HIRINGCENTER_BASE_URL: sandbox.url, HIRINGCENTER_API_KEY: sandbox.apiKey, _X_AMZN_TRACE_ID: TRACE_ID, AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', POWERTOOLS_DEV: '' });
  // Powertools writes through a Console on process.stdout/stderr made when the module loads: watch the streams first.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  ({ handler } = await import('../../functions/create-note.ts'));
});

afterAll(async () => {
  vi.restoreAllMocks();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await closeSharedAgents();
  await sandbox.close();
});

interface Emf {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

function linesSince(mark: number): Array<Record<string, unknown>> {
  return written.slice(mark).flatMap((chunk) => chunk.split('\n')).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

function metricsIn(lines: Array<Record<string, unknown>>): Array<{ name: string; unit: string; dimensions: string[]; values: Record<string, unknown> }> {
  return lines.filter((line) => '_aws' in line).flatMap((line) => {
    const directive = (line as Emf)._aws.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('HiringCenterWorkflows');
    return (directive?.Metrics ?? []).map((metric) => ({ name: metric.Name, unit: metric.Unit, dimensions: directive?.Dimensions[0] ?? [], values: line }));
  });
}

async function prospectId(): Promise<string> {
  const response = await fetch(`${sandbox.url}/prospects`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sandbox.apiKey}`, 'content-type': 'application/json', 'x-idempotency-key': `seed-${Date.now()}` },
    body: JSON.stringify({ firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', phone: '+15551234567' }),
  });
  return ((await response.json()) as { item: { id: string } }).item.id;
}

function noteEvent(id: string, key: string, note: unknown = { body: 'Spoke with Jordan at jordan.miller@example.com, +1 555 123 4567' }) {
  return {
    state: { sections: { note, task: null, meeting: null }, run: { prospectId: id, idempotencyKey: key, warnings: [] } },
    execution: { name: `exec-${key}`, startTime: new Date().toISOString() },
  };
}

describe('a step Lambda with Powertools', () => {
  it('logs step completed with the Lambda context, and emits StepSucceeded, ApiLatency and QuotaWait', async () => {
    const id = await prospectId();
    const mark = written.length;
    const result = await handler(noteEvent(id, 'first'), { awsRequestId: 'req-0001', functionName: 'CreateNoteFunction' });
    expect(result).toMatchObject({ run: { noteId: expect.any(String) } });

    const lines = linesSince(mark);
    const log = lines.find((line) => line.message === 'step completed');
    expect(log).toMatchObject({
      level: 'INFO', service: 'hiringcenter-workflows', cold_start: true, function_request_id: 'req-0001',
      function_name: 'CreateNoteFunction', xray_trace_id: '1-65f2a1b3-5e7d9c1a2b3c4d5e6f708192', step: 'create-note', executionName: 'exec-first',
    });
    const metrics = metricsIn(lines);
    expect(metrics.map(({ name, unit, dimensions }) => ({ name, unit, dimensions })).sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'ApiLatency', unit: 'Milliseconds', dimensions: ['service', 'route'] },
      { name: 'QuotaWait', unit: 'Milliseconds', dimensions: ['service'] },
      { name: 'StepSucceeded', unit: 'Count', dimensions: ['service', 'step'] },
    ]);
    expect(metrics.find((metric) => metric.name === 'ApiLatency')?.values).toMatchObject({ service: 'hiringcenter-workflows', route: 'POST /notes' });
    expect(metrics.find((metric) => metric.name === 'StepSucceeded')?.values).toMatchObject({ step: 'create-note', StepSucceeded: 1 });

    const warmMark = written.length;
    await handler(noteEvent(id, 'second'), { awsRequestId: 'req-0002' });
    expect(linesSince(warmMark).find((line) => line.message === 'step completed')).toMatchObject({ cold_start: false, function_request_id: 'req-0002' });
  });

  it('emits StepFailed by error name and ApiRateLimited on a 429, and no line carries the key, an email or a phone', async () => {
    const id = await prospectId();
    const mark = written.length;
    sandbox.injectFaults([{ kind: 'reject', status: 422, message: 'note rejected: jordan.miller@example.com, phone (555) 123-4567' }], { method: 'POST', path: '/notes' });
    await expect(handler(noteEvent(id, 'rejected'), { awsRequestId: 'req-0003' })).rejects.toMatchObject({ name: 'HiringCenter.Rejected' });
    // The 429 also holds the shared pacer for Retry-After, so it comes last.
    sandbox.injectFaults([{ kind: 'rateLimit', retryAfterSeconds: 3 }], { method: 'POST', path: '/notes' });
    await expect(handler(noteEvent(id, 'limited'), { awsRequestId: 'req-0004' })).rejects.toMatchObject({ name: 'HiringCenter.RateLimited' });

    const lines = linesSince(mark);
    const failed = metricsIn(lines).filter((metric) => metric.name === 'StepFailed');
    expect(failed.map((metric) => [metric.dimensions, metric.values.errorName])).toEqual([
      [['service', 'step', 'errorName'], 'HiringCenter.Rejected'],
      [['service', 'step', 'errorName'], 'HiringCenter.RateLimited'],
    ]);
    expect(metricsIn(lines).filter((metric) => metric.name === 'ApiRateLimited')).toHaveLength(1);
    const failures = lines.filter((line) => line.message === 'step failed');
    expect(failures.map((line) => [line.level, line.errorName, line.function_request_id])).toEqual([
      ['WARN', 'HiringCenter.Rejected', 'req-0003'],
      ['WARN', 'HiringCenter.RateLimited', 'req-0004'],
    ]);
    const text = written.join('');
    expect(text).not.toContain(sandbox.apiKey);
    expect(text.toLowerCase()).not.toContain('jordan.miller@example.com');
    expect(text.replace(/\D/g, '')).not.toContain('5551234567');
  });
});
