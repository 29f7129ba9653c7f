/**
 * After a soak: which records exist per workflow (found by the workflow's own email or phone), against what the
 * workflow asked for, and whether a secret or a prospect's contact details appear anywhere in what was captured.
 */
import type { LocalRunResult } from '../../dev/runner.ts';
import type { SandboxRecords } from '../../dev/sandbox/index.ts';
import { RECORD_KINDS, zeroCounts, type Counts, type SoakWorkflow } from './workload.ts';

export interface AuditResult {
  created: Counts;
  expected: Counts;
  /** Records beyond what a workflow asked for (a second prospect for one email, a second note for one prospect...). */
  duplicates: number;
  duplicatesByKind: Counts;
  /** Records missing from a workflow whose every delivery reported success. */
  lost: number;
  lostByKind: Counts;
  /** Records that belong to no workflow. */
  unattributed: number;
  /** Successful deliveries whose output names a record that is not the workflow's, or that differ between deliveries. */
  outputMismatches: number;
  /** Up to five descriptions, by workflow index (no contact details). */
  examples: string[];
}

export function auditRecords(workflows: readonly SoakWorkflow[], results: readonly (readonly LocalRunResult[])[], records: SandboxRecords): AuditResult {
  const audit: AuditResult = {
    created: { prospects: records.prospects.length, notes: records.notes.length, tasks: records.tasks.length, meetings: records.meetings.length },
    expected: zeroCounts(),
    duplicates: 0,
    duplicatesByKind: zeroCounts(),
    lost: 0,
    lostByKind: zeroCounts(),
    unattributed: 0,
    outputMismatches: 0,
    examples: [],
  };
  const note = (text: string) => {
    if (audit.examples.length < 5) audit.examples.push(text);
  };
  const byEmail = groupBy(records.prospects, (prospect) => prospect.email?.toLowerCase());
  const byPhone = groupBy(records.prospects, (prospect) => prospect.phone ?? undefined);
  type Child = { id: string; prospectId: string };
  const byProspect = (items: readonly Child[]) => groupBy(items, (record) => record.prospectId);
  const children: Record<'notes' | 'tasks' | 'meetings', Map<string, Child[]>> = {
    notes: byProspect(records.notes),
    tasks: byProspect(records.tasks),
    meetings: byProspect(records.meetings),
  };
  const attributed = new Set<string>();

  workflows.forEach((workflow, index) => {
    const prospects = workflow.email ? (byEmail.get(workflow.email.toLowerCase()) ?? []) : (byPhone.get(workflow.phone ?? '') ?? []);
    const prospectIds = new Set(prospects.map((prospect) => prospect.id));
    for (const id of prospectIds) attributed.add(id);
    const ids: Record<string, Set<string>> = { prospects: prospectIds };
    const actual: Counts = { ...zeroCounts(), prospects: prospects.length };
    for (const kind of ['notes', 'tasks', 'meetings'] as const) {
      const owned = [...prospectIds].flatMap((id) => children[kind].get(id) ?? []);
      actual[kind] = owned.length;
      ids[kind] = new Set(owned.map((record) => record.id));
    }
    const deliveries = results[index] ?? [];
    const allSucceeded = deliveries.length > 0 && deliveries.every((result) => result.status === 'SUCCEEDED');
    for (const kind of RECORD_KINDS) {
      audit.expected[kind] += workflow.expected[kind];
      const extra = Math.max(0, actual[kind] - workflow.expected[kind]);
      audit.duplicatesByKind[kind] += extra;
      if (extra > 0) note(`workflow ${workflow.index}: ${actual[kind]} ${kind}, expected ${workflow.expected[kind]}`);
      const missing = allSucceeded ? Math.max(0, workflow.expected[kind] - actual[kind]) : 0;
      audit.lostByKind[kind] += missing;
      if (missing > 0) note(`workflow ${workflow.index} succeeded but has ${actual[kind]} ${kind}, expected ${workflow.expected[kind]}`);
    }
    const outputs = deliveries.filter((result) => result.status === 'SUCCEEDED').map((result) => result.output);
    for (const output of outputs) {
      const named = { prospects: output?.prospectId, notes: output?.noteId, tasks: output?.taskId, meetings: output?.meetingId };
      const wrong = RECORD_KINDS.filter((kind) => (workflow.expected[kind] > 0 ? !ids[kind]?.has(named[kind] ?? '') : named[kind] !== undefined));
      const differs = JSON.stringify(output) !== JSON.stringify(outputs[0]);
      if (wrong.length > 0 || differs) {
        audit.outputMismatches += 1;
        note(`workflow ${workflow.index}: output ${differs ? 'differs between deliveries' : `names unknown ${wrong.join(', ')}`}`);
      }
    }
  });

  const owned = (prospectId: string) => attributed.has(prospectId);
  audit.unattributed = records.prospects.filter((prospect) => !owned(prospect.id)).length
    + records.notes.filter((record) => !owned(record.prospectId)).length
    + records.tasks.filter((record) => !owned(record.prospectId)).length
    + records.meetings.filter((record) => !owned(record.prospectId)).length;
  if (audit.unattributed > 0) note(`${audit.unattributed} record(s) belong to no workflow`);
  audit.duplicates = RECORD_KINDS.reduce((sum, kind) => sum + audit.duplicatesByKind[kind], 0) + audit.unattributed;
  audit.lost = RECORD_KINDS.reduce((sum, kind) => sum + audit.lostByKind[kind], 0);
  return audit;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

export interface LeakCount {
  secretLeaks: number;
  piiLeaks: number;
  scannedChars: number;
  /** Which kind of value leaked and where (the value itself is not repeated). */
  examples: string[];
}

/**
 * Occurrences of the secrets and of every PII value in the captured text. Emails are matched case-insensitively,
 * phones also as bare digits (a log that strips the "+" still leaks the number).
 */
export function countLeaks(texts: readonly string[], secrets: readonly string[], emails: readonly string[], phones: readonly string[]): LeakCount {
  const text = texts.join('\n');
  const lower = text.toLowerCase();
  const result: LeakCount = { secretLeaks: 0, piiLeaks: 0, scannedChars: text.length, examples: [] };
  const count = (haystack: string, needle: string, kind: string) => {
    let found = 0;
    for (let at = haystack.indexOf(needle); at >= 0 && needle !== ''; at = haystack.indexOf(needle, at + needle.length)) {
      found += 1;
      if (result.examples.length < 5) result.examples.push(`${kind} at offset ${at}: …${haystack.slice(Math.max(0, at - 60), at).replace(/\s+/g, ' ')}[${kind}]`);
    }
    return found;
  };
  for (const secret of secrets) result.secretLeaks += count(text, secret, 'secret');
  for (const email of emails) result.piiLeaks += count(lower, email.toLowerCase(), 'email');
  for (const phone of phones) result.piiLeaks += count(text, phone.replace(/\D/g, ''), 'phone');
  return result;
}
