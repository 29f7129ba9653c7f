import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The modules that end up in a bundle of what a step will import from lib/pacer next to the Secrets Manager client it already has. */
async function bundleInputs(): Promise<string[]> {
  const result = await build({
    stdin: {
      contents: [
        "export { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
        "export { createQuotaPacer, DynamoDbPacerStore, MemoryPacerStore, quotaKeyForSecret } from './lib/pacer/index.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true, write: false, metafile: true, platform: 'node', format: 'cjs', target: 'node22', mainFields: ['module', 'main'], logLevel: 'silent',
  });
  // Only what reaches the output: a module tree-shaken to nothing is still listed among the inputs.
  const output = Object.values(result.metafile.outputs)[0];
  return Object.entries(output?.inputs ?? {}).filter(([, used]) => used.bytesInOutput > 0).map(([path]) => path);
}

describe('lib/pacer in a Lambda bundle', () => {
  it('brings DynamoDBClient and two commands, on the same SDK core as Secrets Manager, and nothing from dev/ or infra/', async () => {
    const inputs = await bundleInputs();
    expect(inputs.some((path) => path.startsWith('lib/pacer/'))).toBe(true);
    expect(inputs.filter((path) => /^(dev|infra|test|bench)\//.test(path))).toEqual([]);
    // Neither the aggregated client (every command), nor the document client, nor classic zod.
    expect(inputs.filter((path) => /client-dynamodb\/dist-es\/DynamoDB\.js$|@aws-sdk\/lib-dynamodb|zod\/v4\/classic\//.test(path))).toEqual([]);
    const commands = inputs.filter((path) => path.includes('client-dynamodb/dist-es/commands/') && !path.endsWith('index.js'));
    // DescribeEndpoints comes with DynamoDBClient itself (endpoint discovery), not from lib/pacer.
    expect(commands.map((path) => path.split('/').pop()).sort()).toEqual(['DescribeEndpointsCommand.js', 'GetItemCommand.js', 'UpdateItemCommand.js']);
    for (const pkg of ['@smithy/core', '@aws-sdk/core']) {
      const copies = new Set(inputs.filter((path) => path.includes(`node_modules/${pkg}/`)).map((path) => path.slice(0, path.lastIndexOf(`node_modules/${pkg}/`))));
      expect([...copies], `copies of ${pkg}`).toHaveLength(1);
    }
  });
});
