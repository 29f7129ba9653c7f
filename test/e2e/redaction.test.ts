import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../support/cli.ts';
import { quickstartInput } from '../support/harness.ts';

/*
 * An API that rejects the prospect quoting its e-mail and phone (in other spellings than the input's) must not put
 * them into anything the workflow shows: the CLI's failure line, the thrown error it prints, or the handlers' log lines
 * (`--verbose`). Run as a user runs it: the CLI in a child process, against a real loopback HTTP server.
 */
const EMAIL = 'Jordan.Miller@Example.com';
const PHONE = '+15551234567';
const rejection = {
  success: false,
  error: 'Unprocessable Entity',
  message: 'Prospect jordan.miller@example.com with phone (555) 123-4567 belongs to another account',
  details: [{ field: 'phone', message: '+1 555 123 4567 is already used by JORDAN.MILLER@EXAMPLE.COM' }],
};

let server: Server;
let baseUrl: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(422, { 'content-type': 'application/json' });
      response.end(JSON.stringify(rejection));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('an API rejection that quotes the prospect', () => {
  it('fails the workflow with an error holding neither the e-mail nor the phone, in the output, the error or the logs', async () => {
    const input = { ...quickstartInput(), prospect: { firstName: 'Jordan', lastName: 'Miller', email: EMAIL, phone: PHONE } };
    const failed = await cli(['run', '-', '--base-url', baseUrl, '--verbose'], { HIRINGCENTER_API_KEY: 'hc_test_key' }, JSON.stringify(input));
    expect(failed.code).toBe(1);
    const shown = `${failed.stdout}\n${failed.stderr}`;
    expect(shown).toMatch(/failed at state UpsertProspect: HiringCenter\.Rejected: HiringCenter rejected POST \/prospects \(422\)/);
    expect(shown).toMatch(/"level":"warn".*step failed/);
    expect(shown.toLowerCase()).not.toContain('jordan.miller');
    expect(shown.replace(/\D/g, '')).not.toContain('5551234567');
    expect(shown).not.toContain('hc_test_key');
  });
});
