// bench/dependency-cost.ts: @aws-sdk/client-eventbridge, loaded by functions/publish-activity-event.ts only. There is no
// EventBridge stand-in, so the client is built and its request serialised, not sent.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

export const handler = async (): Promise<{ ok: boolean }> => {
  const client = new EventBridgeClient({});
  const command = new PutEventsCommand({ Entries: [{ Source: 'bench', DetailType: 'Bench', Detail: '{}' }] });
  return { ok: client.config.region !== undefined && command.input.Entries?.length === 1 };
};
