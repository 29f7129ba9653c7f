/**
 * The soak's workload: one distinct prospect per workflow (its own email and phone), so that any duplicate or missing
 * record can be traced to the workflow that caused it. Seeded, so a run can be repeated exactly.
 */
import { mulberry32 } from '../../dev/sandbox/index.ts';

export type RecordKind = 'prospects' | 'notes' | 'tasks' | 'meetings';
export type Counts = Record<RecordKind, number>;
export const RECORD_KINDS: readonly RecordKind[] = ['prospects', 'notes', 'tasks', 'meetings'];
export const zeroCounts = (): Counts => ({ prospects: 0, notes: 0, tasks: 0, meetings: 0 });

/** Where the execution key comes from: the input's idempotencyKey, the EventBridge event id, or the execution name. */
export type KeyMode = 'idempotencyKey' | 'eventId' | 'executionName';

export interface SoakWorkflow {
  index: number;
  keyMode: KeyMode;
  /** What the trigger hands to StartExecution: the input itself, or the EventBridge event that carries it. */
  payload: Record<string, unknown>;
  /** One per delivery. A redelivered execution-name-keyed workflow reuses its name (a repeated StartExecution or a redrive). */
  executionNames: string[];
  email?: string;
  phone?: string;
  expected: Counts;
}

const FIRST = ['Jordan', 'Ana', 'Sam', 'Priya', 'Luis', 'Mei', 'Tomás', 'Zoë', 'Olu', 'Ingrid'];
const LAST = ['Miller', 'Lee', 'García', 'Okafor', 'Nakamura', 'Schmidt', 'Dubois', 'Kowalski', "O'Brien", 'Haddad'];
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles', 'UTC', 'Australia/Sydney'];
const USER = 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33';
const DAY_MS = 86_400_000;
const BASE_MS = 1_760_000_000_000;

export interface WorkloadOptions {
  workflows: number;
  seed: number;
  /** Share of workflows delivered two or three times, concurrently (at-least-once triggers do that). */
  redeliveryRate: number;
}

export function buildWorkload({ workflows, seed, redeliveryRate }: WorkloadOptions): SoakWorkflow[] {
  const random = mulberry32(seed ^ 0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: workflows }, (_, index) => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const contact = random();
    // 80 % email and phone, 10 % email only, 10 % phone only: the upsert matches by email, then by phone.
    const email = contact < 0.9 ? `soak.${seed}.${index}@example.com` : undefined;
    const phone = contact < 0.8 || contact >= 0.9 ? `+1555${String(index).padStart(7, '0')}` : undefined;
    const input: Record<string, unknown> = {
      prospect: { firstName: first, lastName: last, ...(email ? { email } : {}), ...(phone ? { phone } : {}), labels: ['Soak', `Batch ${index % 7}`] },
    };
    if (random() < 0.85) input.note = { body: `Soak note ${index}: spoke with ${first} about next steps.\n\nFollow up <soon> & confirm.`, pin: random() < 0.5 };
    if (random() < 0.85) input.task = { assignedTo: USER, task: `Follow up with prospect ${index}`, dueAt: BASE_MS + index * DAY_MS };
    if (random() < 0.85) {
      input.meeting = { meetingDate: new Date(BASE_MS + (index % 90) * DAY_MS).toISOString().slice(0, 16), timeZone: pick(ZONES), meetingType: pick(['virtual', 'phone', 'in-person']), ownerId: USER, location: 'Zoom' };
    }
    const keyMode: KeyMode = (['idempotencyKey', 'eventId', 'executionName'] as const)[index % 3] ?? 'executionName';
    if (keyMode === 'idempotencyKey') input.idempotencyKey = `soak-${seed}-${index}`;
    const payload = keyMode === 'eventId'
      ? { version: '0', id: `soak-event-${seed}-${index}`, 'detail-type': 'ProspectActivityRequested', source: 'hiringcenter.workflows', account: '123456789012', time: new Date(BASE_MS).toISOString(), region: 'us-east-1', resources: [], detail: input }
      : input;
    const deliveries = random() < redeliveryRate ? (random() < 0.5 ? 2 : 3) : 1;
    const executionNames = Array.from({ length: deliveries }, (_, delivery) => (keyMode === 'executionName' ? `soak-${seed}-${index}` : `soak-${seed}-${index}-d${delivery}`));
    return {
      index,
      keyMode,
      payload,
      executionNames,
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
      expected: { prospects: 1, notes: input.note ? 1 : 0, tasks: input.task ? 1 : 0, meetings: input.meeting ? 1 : 0 },
    };
  });
}
