import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbStandIn } from '../../bench/dynamodb-standin.ts';
import { DynamoDbPacerStore } from '../../lib/pacer/index.ts';
import { describePacerStore } from '../support/pacer-store-suite.ts';

/*
 * The benchmark's DynamoDB stand-in (bench/dynamodb-standin.ts, table mode) answers at once so that `npm run bench` times
 * the client. It must still answer as DynamoDB does for the pacer's expressions, or a warm loop would measure a pacer
 * that never holds: so it passes the same behavioural suite as dynalite and the in-memory store.
 */
describePacerStore('DynamoDbPacerStore on the benchmark stand-in', async () => {
  const standIn = await startDynamoDbStandIn({ mode: 'table' });
  const clients: DynamoDBClient[] = [];
  const client = (): DynamoDBClient => {
    const created = new DynamoDBClient({ endpoint: standIn.url, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    clients.push(created);
    return created;
  };
  return {
    container: () => new DynamoDbPacerStore({ tableName: 'bench-pacer', client: client() }),
    close: async () => {
      for (const each of clients) each.destroy();
      await standIn.close();
    },
  };
});
