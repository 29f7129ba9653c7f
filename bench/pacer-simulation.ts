// A discrete-event model of the fleet under a burst, to size the pacer before it is wired into the steps: `node
// bench/pacer-simulation.ts`. Virtual time, no sockets: each workflow runs its steps one after another; each step takes
// a slot from the real pacer algorithm (lib/pacer/gcra.ts), waits for it the way lib/pacer/README.md prescribes
// (in process up to inProcessWaitMs, else a Wait state rounded up to the second and then confirm), and sends to the
// sandbox's own rate limiter (dev/sandbox/rate-limit.ts: fixed minute and hour windows). A 429 is reported to the
// pacer and the step reserves again. It models no faults, no Lambda overhead and a fixed API latency, so the soak, not
// this, is the acceptance test; docs/decisions/quota-pacer.md records what it predicts.
import { resolveRetryAfterSeconds, parseRateLimitHeaders } from '../lib/hiringcenter/rate-limit.ts';
import { applyRateLimited, INITIAL_STATE, isReservationCurrent, reserveSlot, type PacerState } from '../lib/pacer/gcra.ts';
import { quotaSchedule, type QuotaSettings } from '../lib/pacer/schedule.ts';
import { RateLimiter } from '../dev/sandbox/rate-limit.ts';

interface Scenario {
  name: string;
  workflows: number;
  stepsPerWorkflow: number;
  api: { perMinute: number; perHour: number };
  pacer: QuotaSettings;
  latencyMs: number;
}

type NewEvent = { at: number; workflow: number } & ({ kind: 'want' } | { kind: 'wake'; slotAt: number; generation: number } | { kind: 'send' });
type Event = NewEvent & { seq: number };

function run(scenario: Scenario) {
  const schedule = quotaSchedule(scenario.pacer);
  const start = Date.UTC(2026, 11, 1, 9, 0, 7);
  let now = start;
  const limiter = new RateLimiter(scenario.api, () => now);
  let state: PacerState = INITIAL_STATE;
  let seq = 0;
  const queue: Event[] = [];
  // Kept sorted by (at, seq): events are inserted where they belong, and taken from the front.
  const push = (event: NewEvent): void => {
    const entry: Event = { ...event, seq: seq++ };
    let lo = 0;
    let hi = queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const other = queue[mid] as Event;
      if (other.at < entry.at || (other.at === entry.at && other.seq < entry.seq)) lo = mid + 1;
      else hi = mid;
    }
    queue.splice(lo, 0, entry);
  };
  const stepsDone = new Array<number>(scenario.workflows).fill(0);
  const waits: number[] = [];
  const wantedAt = new Map<number, number>();
  let requests = 0;
  let rateLimited = 0;
  let lastDone = start;

  const take = (workflow: number): void => {
    const outcome = reserveSlot(state, now, schedule);
    if (!outcome.reserved) throw new Error('refused without a deadline');
    state = outcome.state;
    if (outcome.slotAt - now <= schedule.inProcessWaitMs) push({ at: outcome.slotAt, workflow, kind: 'send' });
    // A Wait state wakes on a whole second at the earliest after the slot.
    else push({ at: Math.ceil(outcome.slotAt / 1000) * 1000, workflow, kind: 'wake', slotAt: outcome.slotAt, generation: outcome.generation });
  };

  for (let workflow = 0; workflow < scenario.workflows; workflow += 1) push({ at: start, workflow, kind: 'want' });
  while (queue.length > 0) {
    const event = queue.shift() as Event;
    now = event.at;
    if (event.kind === 'want') {
      wantedAt.set(event.workflow, now);
      take(event.workflow);
    } else if (event.kind === 'wake') {
      if (isReservationCurrent(state, event)) push({ at: Math.max(now, event.slotAt), workflow: event.workflow, kind: 'send' });
      else take(event.workflow);
    } else {
      requests += 1;
      const decision = limiter.hit('key');
      if (decision.allowed) {
        waits.push(now - (wantedAt.get(event.workflow) ?? now));
        const done = now + scenario.latencyMs;
        stepsDone[event.workflow] = (stepsDone[event.workflow] ?? 0) + 1;
        lastDone = Math.max(lastDone, done);
        if ((stepsDone[event.workflow] ?? 0) < scenario.stepsPerWorkflow) push({ at: done, workflow: event.workflow, kind: 'want' });
      } else {
        rateLimited += 1;
        const headers = decision.response?.headers ?? {};
        const info = parseRateLimitHeaders(headers, now);
        state = applyRateLimited(state, { retryAfterSeconds: resolveRetryAfterSeconds(headers, decision.response?.body, now), ...info }, now + scenario.latencyMs, schedule);
        now += scenario.latencyMs;
        take(event.workflow);
      }
    }
  }
  const writes = scenario.workflows * scenario.stepsPerWorkflow;
  // The least time both windows allow: the minute quota's pace, plus a whole hour for every full hour's quota before
  // the last request.
  const fullHours = Math.floor((writes - 1) / scenario.api.perHour);
  const floorMs = Math.max(writes / scenario.api.perMinute, fullHours * 60 + (writes - fullHours * scenario.api.perHour) / scenario.api.perMinute) * 60_000;
  const sorted = [...waits].sort((a, b) => a - b);
  const pct = (q: number): number => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) / 1000);
  return {
    scenario: scenario.name,
    writes,
    requests,
    rateLimited,
    rateLimitedShare: `${((100 * rateLimited) / requests).toFixed(1)} %`,
    wallMinutes: Number(((lastDone - start) / 60_000).toFixed(1)),
    floorMinutes: Number((floorMs / 60_000).toFixed(1)),
    ratio: Number(((lastDone - start) / floorMs).toFixed(2)),
    waitSeconds: { p50: pct(0.5), p95: pct(0.95), max: pct(0.999999) },
    generations: state.generation,
  };
}

// The soak's sandbox quota (bench/soak/rig.ts): the hour never binds there.
const soakApi = (perMinute: number) => ({ perMinute, perHour: Math.max(10_000, perMinute * 60) });
const live = { perMinute: 500, perHour: 10_000 };
const scenarios: Scenario[] = [
  { name: 'soak: 8× burst, pacer = API quota (50/min)', workflows: 400, stepsPerWorkflow: 4, api: soakApi(50), pacer: { perMinute: 50, perHour: soakApi(50).perHour }, latencyMs: 50 },
  { name: 'soak: 8× burst, pacer configured 10× (500/min)', workflows: 400, stepsPerWorkflow: 4, api: soakApi(50), pacer: { perMinute: 500, perHour: soakApi(500).perHour }, latencyMs: 50 },
  { name: 'soak: 4× burst, pacer = API quota (500/min)', workflows: 500, stepsPerWorkflow: 4, api: soakApi(500), pacer: { perMinute: 500, perHour: soakApi(500).perHour }, latencyMs: 50 },
  // The live quota, where the hour binds: how the hour window's burst tolerance trades medium bursts against long runs.
  ...[500, 1_000, 4_000].flatMap((workflows) =>
    [450, 2_250, 4_500].map((hourBurst) => ({ name: `live: ${workflows * 4} writes, hourBurst ${hourBurst}`, workflows, stepsPerWorkflow: 4, api: live, pacer: { hourBurst }, latencyMs: 50 }))),
];
for (const scenario of scenarios) process.stdout.write(`${JSON.stringify(run(scenario))}\n`);
