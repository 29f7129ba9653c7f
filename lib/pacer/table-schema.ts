// The pacer table's shape, shared by the DynamoDB store and the CDK construct (infra/pacer-table.ts). No imports, so
// the CDK app can read it without loading the SDK.

/** Partition key attribute (string): the quota key, e.g. quotaKeyForSecret(secretId). */
export const PARTITION_KEY = 'pk';
/** TTL attribute, epoch seconds. */
export const TTL_ATTRIBUTE = 'expiresAt';
