// Cold-start variant B (bench/pacer-cold-start.ts): variant A plus the bare DynamoDB client and one UpdateItem, the
// request the pacer makes per reservation under load.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BENCH_UPDATE } from './update-input.ts';

let secrets: SecretsManagerClient | undefined;
let dynamo: DynamoDBClient | undefined;

export const handler = async (): Promise<{ secretLength: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  dynamo ??= new DynamoDBClient({});
  await dynamo.send(new UpdateItemCommand({ TableName: process.env.PACER_TABLE_NAME, ...BENCH_UPDATE }));
  return { secretLength: secret.SecretString?.length ?? 0 };
};
