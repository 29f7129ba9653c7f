// Floor baseline: the least a step Lambda can do. It constructs the Secrets Manager client (so the SDK's load cost is
// in the floor) but never calls it, and sends one plain node:http request (keep-alive) to the same sandbox route as
// createNote, with the key from the environment. No validation, no logging, no error mapping.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Agent, request } from 'node:http';

export const secretsClient = new SecretsManagerClient({});
const agent = new Agent({ keepAlive: true });
const base = new URL(process.env.HIRINGCENTER_BASE_URL ?? 'http://127.0.0.1/v2');
const apiKey = process.env.HIRINGCENTER_API_KEY ?? '';

interface NoteEvent {
  note: Record<string, unknown>;
  run: { prospectId: string; idempotencyKey: string; warnings: string[] };
}

export const handler = (event: NoteEvent): Promise<NoteEvent['run'] & { noteId: string }> =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify({ ...event.note, prospectId: event.run.prospectId });
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
          'X-Idempotency-Key': event.run.idempotencyKey,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300) return reject(new Error(`HTTP ${res.statusCode}: ${text}`));
          resolve({ ...event.run, noteId: (JSON.parse(text) as { item: { id: string } }).item.id });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
