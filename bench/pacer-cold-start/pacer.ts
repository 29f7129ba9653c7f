// Cold-start variant C (bench/pacer-cold-start.ts): variant A plus the project's pacer (lib/pacer) on DynamoDB, taking
// one slot as a step will. No burst tolerance and a quota far above the bench's pace, so the schedule is idle at every
// cold start and the container's first guess (an idle schedule) is right: one UpdateItem, as in variant B. (A wrong
// guess costs one more UpdateItem on DynamoDB, or an UpdateItem and a GetItem on dynalite.)
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createQuotaPacer, DynamoDbPacerStore, type QuotaPacer } from '../../lib/pacer/index.ts';

let secrets: SecretsManagerClient | undefined;
let pacer: QuotaPacer | undefined;

export const handler = async (): Promise<{ secretLength: number; slotAt: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  pacer ??= createQuotaPacer({ store: new DynamoDbPacerStore({ tableName: process.env.PACER_TABLE_NAME ?? '' }), quotaKey: 'bench-pacer', perMinute: 1e6, perHour: 1e8, minuteBurst: 1, hourBurst: 1 });
  const decision = await pacer.reserve();
  return { secretLength: secret.SecretString?.length ?? 0, slotAt: decision.reserved ? decision.slotAt : -1 };
};
