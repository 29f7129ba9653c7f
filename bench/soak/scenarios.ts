/**
 * Two drills the random soak cannot stage on purpose: the same request delivered three times at once, and a last step
 * whose write commits while every answer to it is lost, outlasting the retries, followed by a redrive (once within the
 * API's idempotency retention, once after it).
 */
import { RETRY_POLICY, StateNames } from '../../infra/state-machine-definition.ts';
import { ActivityEventType } from '../../lib/workflow/activity-events.ts';
import type { RandomFaults } from '../../dev/sandbox/index.ts';
import { startRig, type Delivery } from './rig.ts';
import type { Counts } from './workload.ts';

const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';
/** The sandbox keeps completed idempotency keys for 24 h (dev/sandbox/idempotency.ts). */
const RETENTION_MS = 24 * 60 * 60 * 1000;

function drillInput(tag: string): Record<string, unknown> {
  return {
    prospect: { firstName: 'Drill', lastName: tag, email: `drill.${tag}@example.com`, phone: '+15559990000' },
    note: { body: `Drill ${tag}` },
    task: { assignedTo: USER, task: `Drill ${tag} task`, dueAt: 1_760_000_000_000 },
    meeting: { meetingDate: '2025-10-10T14:00:00Z', timeZone: 'America/New_York', meetingType: 'virtual', ownerId: USER },
  };
}

export interface DuplicateDeliveryReport {
  /** How the key reached the workflow. */
  via: 'idempotencyKey' | 'eventId';
  deliveries: number;
  succeeded: number;
  /** Every delivery returned the same ids. */
  sameOutput: boolean;
  counts: Counts;
}

/**
 * Three concurrent deliveries and a late fourth of one request, with random faults on: exactly one prospect, note,
 * task and meeting must exist, and every delivery must report them.
 */
export async function duplicateDeliveryDrill(options: { seed: number; timeScale: number; faults?: RandomFaults }): Promise<DuplicateDeliveryReport[]> {
  const rig = await startRig(options);
  try {
    const reports: DuplicateDeliveryReport[] = [];
    for (const via of ['idempotencyKey', 'eventId'] as const) {
      rig.sandbox.reset();
      const input = drillInput(`dup-${via}`);
      const payload = via === 'idempotencyKey'
        ? { ...input, idempotencyKey: `zap-delivery-${options.seed}` }
        : { version: '0', id: `event-${options.seed}`, 'detail-type': 'ProspectActivityRequested', source: 'hiringcenter.workflows', account: '123456789012', time: '2025-10-01T12:00:00Z', region: 'us-east-1', resources: [], detail: input };
      const concurrent = await Promise.all([1, 2, 3].map((n) => rig.run(payload, `dup-${via}-${n}`)));
      const late = await rig.run(payload, `dup-${via}-4`);
      const deliveries: Delivery[] = [...concurrent, late];
      const outputs = deliveries.map((delivery) => JSON.stringify(delivery.output));
      reports.push({
        via,
        deliveries: deliveries.length,
        succeeded: deliveries.filter((delivery) => delivery.status === 'SUCCEEDED').length,
        sameOutput: outputs.every((output) => output === outputs[0]),
        counts: rig.sandbox.counts(),
      });
    }
    return reports;
  } finally {
    await rig.close();
  }
}

export interface RedriveReport {
  /** Hours between the failure and the redrive. */
  redriveAfterHours: number;
  firstAttempt: { status: string; error?: string; failedState?: string; retriesAtFailedState: number; failureEvent?: { detailType: string; status?: string; message?: string }; counts: Counts };
  redrive: { status: string; resumedAt?: string; transitions: number; counts: Counts; keptIds: boolean; completedEvent: boolean };
}

/**
 * POST /meetings commits, and its answer is lost (the connection is reset after the commit), on every attempt until
 * the retries run out: the execution fails at CreateMeeting with the meeting already written. The outage ends and the
 * execution is redriven as Step Functions does (at the failed state, with its input). Within the API's key retention the
 * step's key replays the meeting; past it, the step finds the meeting it wrote and adopts it. Either way: one of each.
 */
export async function redriveDrill(options: { seed: number; timeScale: number; redriveAfterMs?: number }): Promise<RedriveReport> {
  const rig = await startRig({ seed: options.seed, timeScale: options.timeScale });
  try {
    const input = drillInput(`redrive-${options.redriveAfterMs ?? 0}`);
    rig.sandbox.startOutage({ method: 'POST', path: '/meetings' }, 'resetAfterCommit');
    const first = await rig.run(input, `redrive-drill-${options.seed}`);
    const afterFailure = rig.sandbox.counts();
    rig.sandbox.endOutages();
    rig.advanceClock(options.redriveAfterMs ?? 0);
    const second = await rig.redrive(first);
    const records = rig.sandbox.records();
    const failureEvent = first.activityEvents.find((event) => event.detailType === ActivityEventType.failed);
    const failedState = first.failure?.state;
    return {
      redriveAfterHours: (options.redriveAfterMs ?? 0) / 3_600_000,
      firstAttempt: {
        status: first.status,
        ...(first.failure ? { error: first.failure.error } : {}),
        ...(failedState ? { failedState } : {}),
        retriesAtFailedState: failedState ? (first.retries[failedState] ?? 0) : 0,
        ...(failureEvent ? { failureEvent: { detailType: failureEvent.detailType, status: failureEvent.detail.status, message: failureEvent.detail.message } } : {}),
        counts: afterFailure,
      },
      redrive: {
        status: second.status,
        ...(second.resumedAt ? { resumedAt: second.resumedAt } : {}),
        transitions: second.transitions,
        counts: rig.sandbox.counts(),
        keptIds: second.output?.prospectId === records.prospects[0]?.id && second.output?.noteId === records.notes[0]?.id
          && second.output?.taskId === records.tasks[0]?.id && second.output?.meetingId === records.meetings[0]?.id,
        completedEvent: second.activityEvents.some((event) => event.detailType === ActivityEventType.completed),
      },
    };
  } finally {
    await rig.close();
  }
}

/** The retries an outage has to outlast at one step: the Unavailable retrier's attempts. */
export const UNAVAILABLE_RETRIES = RETRY_POLICY.unavailable.maxAttempts;
export const LAST_STEP = StateNames.createMeeting;
export { RETENTION_MS };
