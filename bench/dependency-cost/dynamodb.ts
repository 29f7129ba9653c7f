// bench/dependency-cost.ts: @aws-sdk/client-dynamodb and one UpdateItem, the quota pacer's request.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { BENCH_UPDATE } from '../pacer-cold-start/update-input.ts';

export const handler = async (): Promise<{ ok: true }> => {
  await new DynamoDBClient({}).send(new UpdateItemCommand({ TableName: process.env.PACER_TABLE_NAME, ...BENCH_UPDATE }));
  return { ok: true };
};
