// Cold-start variant B (bench/pacer-cold-start.ts): variant A plus the bare DynamoDB client and one UpdateItem, the
// request the pacer makes per reservation under load.
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let secrets: SecretsManagerClient | undefined;
let dynamo: DynamoDBClient | undefined;

export const handler = async (): Promise<{ secretLength: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  dynamo ??= new DynamoDBClient({});
  await dynamo.send(new UpdateItemCommand({
    TableName: process.env.PACER_TABLE_NAME,
    Key: { pk: { S: 'bench' } },
    UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
    ExpressionAttributeNames: { '#n': 'n' },
    ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
    ReturnValues: 'ALL_OLD',
  }));
  return { secretLength: secret.SecretString?.length ?? 0 };
};
