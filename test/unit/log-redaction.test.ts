import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonLogger } from '../../dev/json-logger.ts';
import { powertoolsLogPort, RedactingLogFormatter } from '../../functions/commons/powertools-ports.ts';
import type { Logger } from '../../lib/log.ts';

/*
 * The logging port's two adapters (lib/log.ts): Powertools Logger with RedactingLogFormatter, what a deployed step writes,
 * and the JSON-lines logger of local runs. Neither may print the API key, an e-mail address or a phone number, in the
 * message or in any field however deep; and the Lambda's lines keep Powertools' own fields as Powertools wrote them.
 */

afterEach(() => {
  vi.restoreAllMocks();
});

/** Everything written to stdout and stderr while `body` runs: where Powertools' Console writes in Lambda. */
function captured(body: () => void): string[] {
  const chunks: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    });
  }
  try {
    body();
  } finally {
    vi.restoreAllMocks();
  }
  return chunks.join('').split('\n').filter((line) => line !== '');
}

interface Adapter {
  name: string;
  /** Logs with `secret` as the key to mask; returns the lines written. */
  log(secret: string, write: (logger: Logger) => void): string[];
}

const adapters: Adapter[] = [
  {
    name: 'Powertools (Lambda)',
    log(secret, write) {
      const logger = new PowertoolsLogger({ serviceName: 'test', logLevel: 'DEBUG', logFormatter: new RedactingLogFormatter(() => [secret]) });
      return captured(() => write(powertoolsLogPort(logger)));
    },
  },
  {
    name: 'JSON lines (local)',
    log(secret, write) {
      const lines: string[] = [];
      write(createJsonLogger({ level: 'debug', write: (line) => lines.push(line), secrets: () => [secret] }));
      return lines;
    },
  },
];

const apiKey = fc.stringMatching(/^hc_live_[A-Za-z]{16,32}$/);
const email = fc.emailAddress().filter((address) => /^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/.test(address));
const phone = fc.record({ country: fc.constantFrom('1', '44', '49'), national: fc.stringMatching(/^[2-9]\d{9}$/) });
const spelled = (p: { country: string; national: string }, how: number): string => {
  const n = p.national;
  return [`+${p.country}${n}`, `+${p.country} ${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}`, `(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`, `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6)}`][how % 4] as string;
};
const levels = fc.constantFrom('debug', 'info', 'warn', 'error' as const);

describe.each(adapters)('$name', (adapter) => {
  it('never prints the key, an e-mail or a phone, in the message or in any field', () => {
    let accepted = 0;
    fc.assert(fc.property(apiKey, email, phone, fc.nat(3), levels, (key, address, number, how, level) => {
      const quoted = `API said: ${address} / ${spelled(number, how)} (Bearer ${key})`;
      const lines = adapter.log(key, (logger) => logger.log(level, `key ${key} for ${address}`, {
        errorMessage: quoted,
        nested: { deeper: [quoted, { email: address, phone: spelled(number, how + 1), apiKey: key }] },
      }));
      expect(lines).toHaveLength(1);
      const line = lines[0] ?? '';
      expect(line).not.toContain(key);
      expect(line.toLowerCase()).not.toContain(address.toLowerCase());
      expect(line.replace(/\D/g, '')).not.toContain(number.national.slice(-7));
      expect(JSON.parse(line)).toMatchObject({ errorMessage: expect.stringContaining('API said: [email]') });
      accepted++;
    }), { numRuns: 150 });
    expect(accepted).toBe(150);
  });

  it('keeps ids, durations and names a line needs', () => {
    const [line] = adapter.log('hc_live_secret', (logger) => logger.log('info', 'step completed', {
      step: 'create-note', executionName: 'exec-2026', prospectId: 'p_123', durationMs: 153, idempotencyKey: 'evt-9037f9c0-1234',
    }));
    expect(JSON.parse(line ?? '{}')).toMatchObject({
      message: 'step completed', step: 'create-note', executionName: 'exec-2026', prospectId: 'p_123', durationMs: 153, idempotencyKey: 'evt-9037f9c0-1234',
    });
  });
});

describe('Powertools lines', () => {
  it("carry Powertools' own keys untouched, even a request id whose last group is twelve digits", async () => {
    const logger = new PowertoolsLogger({ serviceName: 'hiringcenter-workflows', logFormatter: new RedactingLogFormatter(() => []) });
    logger.addContext({ awsRequestId: '9037f9c0-1234-4abc-8def-012345678901', functionName: 'CreateNoteFunction', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:CreateNoteFunction', memoryLimitInMB: '256', functionVersion: '$LATEST' } as never);
    const [line] = captured(() => powertoolsLogPort(logger).log('warn', 'step failed', { function_name: 'jordan@example.com' }));
    const entry = JSON.parse(line ?? '{}') as Record<string, unknown>;
    expect(entry).toMatchObject({ level: 'WARN', message: 'step failed', service: 'hiringcenter-workflows', function_request_id: '9037f9c0-1234-4abc-8def-012345678901' });
    expect(entry.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // A caller's field that shadows one of Powertools' keys is the caller's, and is redacted.
    expect(entry.function_name).toBe('[email]');
  });

  it('reduces an Error in a field to its name and redacted message', () => {
    const logger = new PowertoolsLogger({ serviceName: 'test', logFormatter: new RedactingLogFormatter(() => ['hc_key']) });
    const [line] = captured(() => powertoolsLogPort(logger).log('error', 'boom', { error: new TypeError('hc_key rejected for a@b.co') }));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ error: { name: 'TypeError', message: '[redacted] rejected for [email]' } });
  });
});
