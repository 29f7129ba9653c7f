// Cold-start variant A (bench/pacer-cold-start.ts): what every step already loads and does, the Secrets Manager client
// and one GetSecretValue. The other variants add the DynamoDB side to exactly this.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let secrets: SecretsManagerClient | undefined;

export const handler = async (): Promise<{ secretLength: number }> => {
  secrets ??= new SecretsManagerClient({});
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.HIRINGCENTER_SECRET_ID }));
  return { secretLength: secret.SecretString?.length ?? 0 };
};
