// Minimal baseline: the I/O that the product contract requires of a step, and nothing else. On its first call it reads
// the API key from Secrets Manager through the SDK (and caches it) while it reserves its quota slot: one UpdateItem
// through the DynamoDB client and operation lib/pacer uses, in the shape of a reservation (bench/pacer-cold-start/
// update-input.ts), both at once as the handlers do. Then it sends createNote's request through an undici Agent (deep
// imports, as lib/hiringcenter/agent.ts does). No validation, logging, metrics, error mapping or key derivation. Its
// cold start is what any step on this stack pays before doing any work of its own.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import apiRequest from 'undici/lib/api/api-request.js';
import { BENCH_UPDATE } from '../pacer-cold-start/update-input.ts';
import type { NoteEvent, NoteResult } from './note-event.ts';

let secrets: SecretsManagerClient | undefined;
let dynamo: DynamoDBClient | undefined;
let agent: InstanceType<typeof AgentClass> | undefined;
let apiKey: string | undefined;

async function readKey(): Promise<string> {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  return (JSON.parse(secret.SecretString ?? '{}') as { apiKey: string }).apiKey;
}

export const handler = async (event: NoteEvent): Promise<NoteResult> => {
  dynamo ??= new DynamoDBClient({});
  const reserved = dynamo.send(new UpdateItemCommand({ TableName: process.env.PACER_TABLE_NAME, ...BENCH_UPDATE }));
  [apiKey] = await Promise.all([apiKey ?? readKey(), reserved]);
  agent ??= new AgentClass({ allowH2: false });
  const base = new URL(process.env.HIRINGCENTER_BASE_URL ?? 'http://127.0.0.1/v2');
  const { sections, run } = event.state;
  const response = await apiRequest.call(agent, {
    origin: base.origin,
    path: `${base.pathname}/notes`,
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-idempotency-key': run.idempotencyKey },
    body: JSON.stringify({ ...sections.note, prospectId: run.prospectId }),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${text}`);
  return { sections, run: { ...run, noteId: (JSON.parse(text) as { item: { id: string } }).item.id } };
};
