export { noticingKeys, type ApiKeyProvider } from './types.ts';
export { EnvKeyProvider, StaticKeyProvider } from './env.ts';
export type { Env } from './env.ts';
export { SECRET_MAX_AGE_SECONDS, SecretsManagerKeyProvider, parseApiKeySecret } from './secrets-manager.ts';
