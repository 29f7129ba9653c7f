import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { preferredWaitSeconds } from '../../lib/webhook/prefer.ts';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { synthesizeWebhook } from '../support/webhook-stack.ts';

/*
 * `Prefer: wait=N` as POST /activities's synthesized request template reads it, against lib/webhook/prefer.ts, the
 * same rule in TypeScript: on the values no-code tools send and on hostile ones.
 */
let request: string;
beforeAll(() => {
  request = synthesizeWebhook().post.request;
});

const waitOf = (headers: Record<string, string>) => {
  const { input } = JSON.parse(renderMappingTemplate(request, { body: { prospect: {} }, headers, identity: { apiKeyId: 'a1b2c3d4e5' } }).output) as { input: string };
  return (JSON.parse(input) as { waitSeconds: number }).waitSeconds;
};

describe('the wait preference in the request template', () => {
  it('reads what no-code tools send, any header-name case, with other preferences and parameters around it', () => {
    const cases: [string, number][] = [
      ['wait=20', 20], ['wait=25', 25], ['wait=26', 25], ['wait=600', 25], ['wait=999999999', 25], ['wait=0', 0], ['wait=007', 7], ['wait=00', 0],
      ['respond-async, wait=10', 10], ['Wait = "15"', 15], ['WAIT=5;foo=bar', 5], ['return=minimal,wait=3', 3], [' wait=4 , wait=9', 4],
      ['wait', 0], ['wait=', 0], ['wait=-1', 0], ['wait=1.5', 0], ['wait=ten', 0], ['wait=1234567890', 0], ['wait=x, wait=9', 0],
      ['waiting=5', 0], ['await=5', 0], ['handling=lenient', 0], ['', 0],
    ];
    for (const [value, seconds] of cases) {
      expect(waitOf({ Prefer: value }), value).toBe(seconds);
      expect(waitOf({ prefer: value }), value).toBe(seconds);
      expect(preferredWaitSeconds(value) ?? 0, value).toBe(seconds);
    }
    expect(waitOf({})).toBe(0);
  });

  it('agrees with lib/webhook/prefer.ts on any value, and always yields a whole number of seconds from 0 to 25', () => {
    const piece = fc.oneof(
      fc.constantFrom('wait', 'Wait', 'WAIT', 'waiT', 'respond-async', 'return=minimal', 'handling=strict'),
      fc.string({ unit: fc.constantFrom('w', 'a', 'i', 't', 'W', '=', ',', ';', ' ', '\t', '"', '0', '1', '2', '5', '9', '-', '.', 'é', '$', '#', '\\'), maxLength: 12 }),
      fc.nat(1_000_000_000).map((seconds) => `wait=${seconds}`),
      fc.string({ unit: 'binary', maxLength: 10 }),
    );
    let read = 0;
    const value = fc.tuple(fc.array(piece, { minLength: 1, maxLength: 4 }), fc.constantFrom(',', ', ', ';', '')).map(([pieces, separator]) => pieces.join(separator));
    fc.assert(fc.property(value, (header) => {
      const seconds = waitOf({ Prefer: header });
      expect(seconds).toBe(preferredWaitSeconds(header) ?? 0);
      expect(Number.isInteger(seconds) && seconds >= 0 && seconds <= 25).toBe(true);
      if (seconds > 0) read++;
    }), { numRuns: 800 });
    expect(read).toBeGreaterThan(100);
  });
});
