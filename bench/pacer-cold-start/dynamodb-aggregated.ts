// Cold-start variant D (bench/pacer-cold-start.ts): variant A plus the aggregated `DynamoDB` client, the one that
// rate-limiter-flexible's RateLimiterDynamo requires ("MUST be an instance of AWS.DynamoDB"), and one updateItem.
import { DynamoDB } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { BENCH_UPDATE } from './update-input.ts';

let secrets: SecretsManagerClient | undefined;
let dynamo: DynamoDB | undefined;

export const handler = async (): Promise<{ secretLength: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  dynamo ??= new DynamoDB({});
  await dynamo.updateItem({ TableName: process.env.PACER_TABLE_NAME, ...BENCH_UPDATE });
  return { secretLength: secret.SecretString?.length ?? 0 };
};
