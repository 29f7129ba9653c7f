// A real DynamoDB-API server for tests: dynalite, in-process and in-memory, on a free loopback port.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { PARTITION_KEY } from '../../lib/pacer/index.ts';

type DynaliteFactory = (options: { createTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;

export interface LocalDynamo {
  readonly endpoint: string;
  /** A new client, as a separate Lambda container would have. */
  client(): DynamoDBClient;
  /** A table shaped like infra/pacer-table.ts (partition key `pk`, string). */
  createPacerTable(name: string): Promise<void>;
  getItem(table: string, key: string): Promise<Record<string, AttributeValue> | undefined>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clients: DynamoDBClient[] = [];
  const client = (): DynamoDBClient => {
    const created = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(created);
    return created;
  };
  const admin = client();
  return {
    endpoint,
    client,
    async createPacerTable(name) {
      await admin.send(new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: PARTITION_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }));
    },
    async getItem(table, key) {
      return (await admin.send(new GetItemCommand({ TableName: table, Key: { [PARTITION_KEY]: { S: key } }, ConsistentRead: true }))).Item;
    },
    async close() {
      for (const each of clients) each.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
