import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/**
 * A loopback stand-in for Secrets Manager that speaks just enough of the AWS JSON 1.1 protocol for
 * `GetSecretValue`: the SDK is pointed at it with AWS_ENDPOINT_URL_SECRETS_MANAGER and dummy credentials. It answers
 * at once (no artificial delay) and counts the requests, so the benchmark can report secret fetches.
 */
export interface SecretsManagerStandIn {
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly secretId: string;
  /** GetSecretValue requests served since start (or the last reset). */
  fetches(): number;
  close(): Promise<void>;
}

export const COUNT_PATH = '/__count';

export async function startSecretsManagerStandIn(options: { secretId: string; secretString: string }): Promise<SecretsManagerStandIn> {
  let fetches = 0;
  const arn = `arn:aws:secretsmanager:us-east-1:123456789012:secret:${options.secretId}-AbCdEf`;
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'bench' });
    res.end(text);
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    // The children read the counter here, so a warm loop can count only its own timed invocations.
    if (req.method === 'GET' && req.url === COUNT_PATH) return reply(res, 200, { fetches });
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      return reply(res, 400, { __type: 'UnknownOperationException', message: `not served by the stand-in: ${String(target)}` });
    }
    let secretId: unknown;
    try {
      secretId = (JSON.parse(raw) as { SecretId?: unknown }).SecretId;
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }
    fetches += 1;
    if (secretId !== options.secretId && secretId !== arn) {
      return reply(res, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    }
    reply(res, 200, {
      ARN: arn,
      Name: options.secretId,
      SecretString: options.secretString,
      VersionId: '00000000-0000-4000-8000-000000000000',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: 1_760_000_000,
    });
  };
  const server = await listenOnLoopback(handle);
  return { url: server.url, secretId: options.secretId, fetches: () => fetches, close: () => server.close() };
}
