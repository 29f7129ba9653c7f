import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback stand-in for DynamoDB that answers `UpdateItem` and `GetItem` at once (AWS JSON 1.0) with one constant item:
 * an idle pacer schedule (lib/pacer/dynamodb-item.ts's attributes), so a pacer's first reservation succeeds in one
 * request. Like bench/secrets-manager-standin.ts, it lets a cold-start measurement time the client, not a server.
 */
export interface DynamoDbStandIn {
  readonly url: string;
  requests(): number;
  close(): Promise<void>;
}

const IDLE_ITEM = {
  pk: { S: 'bench' },
  minuteNext: { N: '0' }, minuteTat: { N: '0' }, hourNext: { N: '0' }, hourTat: { N: '0' },
  holdUntil: { N: '0' }, minuteFactor: { N: '1' }, hourFactor: { N: '1' }, generation: { N: '0' },
  scheduleId: { S: 'bench' }, expiresAt: { N: '0' },
};

export async function startDynamoDbStandIn(): Promise<DynamoDbStandIn> {
  let requests = 0;
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'bench' });
    res.end(text);
  };
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests += 1;
    const target = req.headers['x-amz-target'];
    if (target === 'DynamoDB_20120810.UpdateItem') return reply(res, 200, { Attributes: IDLE_ITEM });
    if (target === 'DynamoDB_20120810.GetItem') return reply(res, 200, { Item: IDLE_ITEM });
    reply(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message: `not served by the stand-in: ${String(target)}` });
  };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handle(req, res));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
