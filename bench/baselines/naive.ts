// Naive baseline: a straightforward createNote step as it is often first written. Classic zod, middy, the whole undici
// package (root import), the Secrets Manager SDK, and the DynamoDB SDK's aggregated client (the one the off-the-shelf
// DynamoDB rate limiters require, docs/decisions/quota-pacer.md) for its one quota update per call, sent after the
// secret is read. The secret is fetched on every invocation and every call builds (and closes) its own undici Agent,
// so nothing is reused between invocations.
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { Agent, request } from 'undici';
import { z } from 'zod';

const secrets = new SecretsManagerClient({});
const dynamo = new DynamoDB({});

const eventSchema = z.object({
  state: z.object({
    sections: z.object({ note: z.object({ body: z.string().min(1), pin: z.boolean().optional() }).passthrough() }).passthrough(),
    run: z.object({ prospectId: z.string().min(1), idempotencyKey: z.string().min(1), warnings: z.array(z.string()) }).passthrough(),
  }),
  execution: z.object({ name: z.string().min(1), startTime: z.string() }),
});
const secretSchema = z.object({ apiKey: z.string().min(1) });
const responseSchema = z.object({ item: z.object({ id: z.string() }).passthrough() }).passthrough();

async function createNote(event: unknown) {
  const { state: { sections, run }, execution } = eventSchema.parse(event);
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  const { apiKey } = secretSchema.parse(JSON.parse(secret.SecretString ?? '{}'));
  // A per-minute counter: the quota check as it is often first written.
  await dynamo.updateItem({
    TableName: process.env.PACER_TABLE_NAME,
    Key: { pk: { S: `naive#${Math.floor(Date.now() / 60_000)}` } },
    UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
    ReturnValues: 'ALL_NEW',
  });
  const agent = new Agent();
  try {
    const response = await request(`${process.env.HIRINGCENTER_BASE_URL}/notes`, {
      dispatcher: agent,
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'X-Idempotency-Key': run.idempotencyKey },
      body: JSON.stringify({ ...sections.note, prospectId: run.prospectId }),
    });
    const payload: unknown = await response.body.json();
    if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(payload)}`);
    const noteId = responseSchema.parse(payload).item.id;
    console.log(JSON.stringify({ level: 'info', message: 'note created', executionName: execution.name, noteId }));
    return { sections, run: { ...run, noteId } };
  } finally {
    await agent.close();
  }
}

export const handler = middy(createNote);
