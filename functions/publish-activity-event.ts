import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ACTIVITY_EVENT_SOURCE, activityEventFromStatus, executionStatusSchema } from '../lib/workflow/activity-events.ts';

/*
 * Lambda entry: the target of the status-change rule (infra/activity-events.ts). It receives only the fields the rule's
 * input transformer keeps, and puts one ProspectActivityCompleted or ProspectActivityFailed on the workflow bus.
 * EventBridge invokes it asynchronously, so an error here makes Lambda retry the invocation twice; what still fails goes
 * to the function's dead-letter queue, the same queue that keeps the events the rules could not deliver.
 */
let client: EventBridgeClient | undefined;

export async function handler(event: unknown): Promise<void> {
  const parsed = executionStatusSchema.safeParse(event);
  if (!parsed.success) {
    throw new TypeError(`publish-activity-event: not an execution status: ${parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')}`);
  }
  const { detailType, detail } = activityEventFromStatus(parsed.data);
  client ??= new EventBridgeClient({});
  const result = await client.send(new PutEventsCommand({
    Entries: [{ EventBusName: process.env.WORKFLOW_EVENT_BUS_NAME, Source: ACTIVITY_EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail) }],
  }));
  if ((result.FailedEntryCount ?? 0) > 0) {
    throw new Error(`publish-activity-event: EventBridge refused the ${detailType} event: ${result.Entries?.[0]?.ErrorCode ?? 'unknown error'}`);
  }
}
