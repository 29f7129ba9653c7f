// Cold-start variant C (bench/pacer-cold-start.ts): variant A plus the project's pacer (lib/pacer) on DynamoDB, taking
// one slot as a step will. The stand-in (bench/dynamodb-standin.ts) answers with an idle schedule, so the container's
// first guess holds: one UpdateItem, as in variant B. (A wrong guess costs one more UpdateItem on DynamoDB.)
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createQuotaPacer, DynamoDbPacerStore, type QuotaPacer } from '../../lib/pacer/index.ts';

let secrets: SecretsManagerClient | undefined;
let pacer: QuotaPacer | undefined;

export const handler = async (): Promise<{ secretLength: number; slotAt: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  pacer ??= createQuotaPacer({ store: new DynamoDbPacerStore({ tableName: process.env.PACER_TABLE_NAME ?? '' }), quotaKey: 'bench-pacer' });
  const decision = await pacer.reserve();
  return { secretLength: secret.SecretString?.length ?? 0, slotAt: decision.reserved ? decision.slotAt : -1 };
};
