// The one UpdateItem that variants B and D send, and the minimal baseline of `npm run bench` (bench/baselines/minimal.ts):
// the shape of a pacer reservation (a conditional-free counter update, returning the old item), so that they differ only
// in the client that sends it.
export const BENCH_UPDATE = {
  Key: { pk: { S: 'bench' } },
  UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one',
  ExpressionAttributeNames: { '#n': 'n' },
  ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
  ReturnValues: 'ALL_OLD',
} as const;
