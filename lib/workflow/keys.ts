import { hash } from 'node:crypto';

export const STEPS = ['upsert-prospect', 'create-note', 'create-task', 'create-meeting'] as const;
export type StepName = (typeof STEPS)[number];

/**
 * Each step's Task state in the state machine. The names are a contract: operators' alarms and the execution history
 * show them, the local runner binds handlers by them, and a redrive resumes at one of them.
 */
export const STATE_OF_STEP = {
  'upsert-prospect': 'UpsertProspect',
  'create-note': 'CreateNote',
  'create-task': 'CreateTask',
  'create-meeting': 'CreateMeeting',
} as const satisfies Record<StepName, string>;
export type StepStateName = (typeof STATE_OF_STEP)[StepName];

/**
 * X-Idempotency-Key for one step of one execution: deterministic, different per step, 90 characters (the API allows
 * 512), and free of PII because the caller's key, which could be anything, only enters through SHA-256.
 * The `v1` lets a future format change avoid colliding with keys already stored by the API.
 */
export function deriveStepKey(executionKey: string, step: StepName): string {
  // One-shot crypto.hash (Node 21.7+) is about twice as fast as createHash().update().digest() for short inputs.
  const digest = hash('sha256', executionKey, 'hex');
  return `hcwf-v1-${step}-${digest}`;
}
