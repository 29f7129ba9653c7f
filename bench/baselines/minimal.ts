// Minimal baseline (a diagnostic, not in the JSON): the I/O that the product contract requires of a step and nothing
// else. It reads the API key from Secrets Manager through the SDK on the first call and caches it, then sends createNote's
// request through an undici Agent (deep imports, as lib/hiringcenter/agent.ts does). No validation, logging, error
// mapping or idempotency-key derivation. Its cold start is what any handler on this stack pays before doing its own work,
// which is why it is shown next to the floor (which fetches no secret and uses node:http).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';

interface NoteEvent {
  note: Record<string, unknown>;
  run: { prospectId: string; idempotencyKey: string; warnings: string[] };
}

let secrets: SecretsManagerClient | undefined;
let agent: InstanceType<typeof AgentClass> | undefined;
let apiKey: string | undefined;

export const handler = async (event: NoteEvent): Promise<NoteEvent['run'] & { noteId: string }> => {
  if (apiKey === undefined) {
    secrets ??= new SecretsManagerClient({});
    const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
    apiKey = (JSON.parse(secret.SecretString ?? '{}') as { apiKey: string }).apiKey;
  }
  agent ??= new AgentClass({ allowH2: false });
  const base = new URL(process.env.HIRINGCENTER_BASE_URL ?? 'http://127.0.0.1/v2');
  const response = await apiRequest.call(agent, {
    origin: base.origin,
    path: `${base.pathname}/notes`,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-idempotency-key': event.run.idempotencyKey },
    body: JSON.stringify({ ...event.note, prospectId: event.run.prospectId }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${text}`);
  return { ...event.run, noteId: (JSON.parse(text) as { item: { id: string } }).item.id };
};
