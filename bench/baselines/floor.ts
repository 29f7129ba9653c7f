// Floor baseline: the least a Lambda that calls the API can do. It constructs the Secrets Manager client (so the SDK's
// load cost is in the floor) but never calls it, reserves no quota slot, and sends one plain node:http request
// (keep-alive) to the same sandbox route as createNote, with the key from the environment. No validation, no logging,
// no error mapping. Not a step that could do the job: the minimal baseline is.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Agent, request } from 'node:http';
import type { NoteEvent, NoteResult } from './note-event.ts';

export const secretsClient = new SecretsManagerClient({});
const agent = new Agent({ keepAlive: true });
const base = new URL(process.env.HIRINGCENTER_BASE_URL ?? 'http://127.0.0.1/v2');
const apiKey = process.env.HIRINGCENTER_API_KEY ?? '';

export const handler = (event: NoteEvent): Promise<NoteResult> =>
  new Promise((resolve, reject) => {
    const { sections, run } = event.state;
    const body = JSON.stringify({ ...sections.note, prospectId: run.prospectId });
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: `${base.pathname}/notes`,
        headers: {
          Authorization: `Bearer ${apiKey}`,
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'X-Idempotency-Key': run.idempotencyKey,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          resolve({ sections, run: { ...run, noteId: (JSON.parse(text) as { item: { id: string } }).item.id } });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
