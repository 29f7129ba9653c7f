import * as z from 'zod/mini';
import { redactText } from '../redaction.ts';

/*
 * The workflow's own events, made from Step Functions' "Execution Status Change" events. The rule's input transformer
 * (infra/activity-events.ts) passes on only the fields below, never the execution input, which holds contact details;
 * this module turns them into ProspectActivityCompleted / ProspectActivityFailed. The local runner calls it with the
 * same fields from a local execution's outcome, so both produce the same events.
 */

export const ACTIVITY_EVENT_SOURCE = 'hiringcenter.workflows';
export const ActivityEventType = { completed: 'ProspectActivityCompleted', failed: 'ProspectActivityFailed', importCompleted: 'ProspectImportCompleted' } as const;

export const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export const FAILED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** What the input transformer keeps of a status-change event. Null where Step Functions sends none. */
export const executionStatusSchema = z.object({
  executionArn: z.string().check(z.minLength(1)),
  executionName: z.string().check(z.minLength(1)),
  status: z.enum(TERMINAL_STATUSES),
  output: z.optional(z.nullable(z.string())),
  error: z.optional(z.nullable(z.string())),
  cause: z.optional(z.nullable(z.string())),
});
export type ExecutionStatus = z.infer<typeof executionStatusSchema>;

export type ActivityEvent =
  | { detailType: typeof ActivityEventType.completed; detail: { executionArn: string; executionName: string; output: unknown } }
  | { detailType: typeof ActivityEventType.failed; detail: { executionArn: string; executionName: string; status: (typeof FAILED_STATUSES)[number]; error: string; message: string } };

/** What a failure says when its cause is not a step's own error: a pointer to where the cause is, never the cause. */
export const FAILURE_POINTERS: Record<(typeof FAILED_STATUSES)[number], string> = {
  FAILED: 'The execution failed; its history in the Step Functions console shows the state and the cause.',
  TIMED_OUT: 'The execution timed out: its retries or quota waits outlasted the state machine timeout. Redrive it to resume at the step that was running.',
  ABORTED: 'The execution was stopped before it finished. Redrive it to resume where it stopped.',
};

export function activityEventFromStatus(status: ExecutionStatus): ActivityEvent {
  const { executionArn, executionName } = status;
  if (status.status === 'SUCCEEDED') {
    return { detailType: ActivityEventType.completed, detail: { executionArn, executionName, output: parseJson(status.output) } };
  }
  return {
    detailType: ActivityEventType.failed,
    detail: {
      executionArn,
      executionName,
      status: status.status,
      error: status.error || (status.status === 'TIMED_OUT' ? 'States.Timeout' : status.status === 'ABORTED' ? 'States.Aborted' : 'States.Runtime'),
      message: failureMessageOf(status.status, status.cause),
    },
  };
}

function parseJson(text: string | null | undefined): unknown {
  if (text === null || text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The message of a failed, timed-out or aborted execution, for events here and for the webhook's answers (its mapping
 * templates in infra/webhook-templates.ts run this rule in API Gateway, and test/infra/webhook-templates.test.ts checks
 * them against this function). Only a step's own error is quoted: its Cause is the Lambda runtime's JSON
 * `{errorType, errorMessage, trace}` and its message names the step and never a contact detail. Any other cause
 * (States.Runtime, a Lambda service error) can quote the state input, so it is replaced by a fixed pointer.
 */
export function failureMessageOf(status: (typeof FAILED_STATUSES)[number], cause: string | null | undefined): string {
  return stepErrorMessage(cause) ?? FAILURE_POINTERS[status];
}

function stepErrorMessage(cause: string | null | undefined): string | undefined {
  if (!cause || !cause.startsWith('{') || !cause.endsWith('}')) return undefined;
  const parsed = parseJson(cause);
  const message = (parsed as { errorMessage?: unknown } | null)?.errorMessage;
  return typeof message === 'string' && message !== '' ? redactText(message) : undefined;
}
