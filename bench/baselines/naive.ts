// Naive baseline: a straightforward createNote step as it is often first written. Classic zod, middy, the whole undici
// package (root import), the Secrets Manager SDK; the secret is fetched on every invocation and every call builds
// (and closes) its own undici Agent, so nothing is reused between invocations.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { Agent, request } from 'undici';
import { z } from 'zod';

const secrets = new SecretsManagerClient({});

const eventSchema = z.object({
  note: z.object({ body: z.string().min(1), pin: z.boolean().optional() }).passthrough(),
  run: z.object({ prospectId: z.string().min(1), idempotencyKey: z.string().min(1), warnings: z.array(z.string()) }).passthrough(),
  executionName: z.string().optional(),
});
const secretSchema = z.object({ apiKey: z.string().min(1) });
const responseSchema = z.object({ item: z.object({ id: z.string() }).passthrough() }).passthrough();

async function createNote(event: unknown) {
  const { note, run, executionName } = eventSchema.parse(event);
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  const { apiKey } = secretSchema.parse(JSON.parse(secret.SecretString ?? '{}'));
  const agent = new Agent();
  try {
    const response = await request(`${process.env.HIRINGCENTER_BASE_URL}/notes`, {
      dispatcher: agent,
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'X-Idempotency-Key': run.idempotencyKey },
      body: JSON.stringify({ ...note, prospectId: run.prospectId }),
    });
    const payload: unknown = await response.body.json();
    if (response.statusCode >= 300) throw new Error(`HTTP ${response.statusCode}: ${JSON.stringify(payload)}`);
    const noteId = responseSchema.parse(payload).item.id;
    console.log(JSON.stringify({ level: 'info', message: 'note created', executionName, noteId }));
    return { ...run, noteId };
  } finally {
    await agent.close();
  }
}

export const handler = middy(createNote);
