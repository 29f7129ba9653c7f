// bench/dependency-cost.ts: @aws-sdk/client-secrets-manager and one GetSecretValue (from the stand-in).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export const handler = async (): Promise<{ length: number }> => {
  const secret = await new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  return { length: secret.SecretString?.length ?? 0 };
};
