// bench/dependency-cost.ts: @aws-lambda-powertools/parameters' getSecret, which brings the Secrets Manager client with
// it; compare with the secrets-manager variant for what Parameters itself adds.
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';

export const handler = async (): Promise<{ length: number }> => {
  const secret = await getSecret(process.env.HIRINGCENTER_SECRET_ID ?? '', { maxAge: 300 });
  return { length: typeof secret === 'string' ? secret.length : 0 };
};
