import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const LAMBDA_ENTRIES = ['upsert-prospect', 'create-note', 'create-task', 'create-meeting', 'publish-activity-event'];
/**
 * What must never ship in a Lambda: local tooling, infrastructure code, the dev-only libraries (so their cold-start cost
 * in AWS is zero, bench/README.md) and classic zod.
 */
const FORBIDDEN =
  /^(dev|infra|test|bench)\/|node_modules\/(aws-local-stepfunctions|aws-cdk-lib|aws-cdk|cdk-nag|vitest|fast-check|csv-parse|cli-progress|dynalite|velocityjs|ajv-draft-04|aws-sdk-client-mock)\/|node_modules\/zod\/v4\/classic\//;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    return statSync(join(root, path)).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('what a Lambda can reach', () => {
  it('no file under functions/, lib/hiringcenter, lib/secrets, lib/workflow or lib/webhook imports the sandbox, the runner or infra', () => {
    const files = ['functions', 'lib/hiringcenter', 'lib/secrets', 'lib/workflow', 'lib/webhook'].flatMap(sourceFiles).concat(['lib/errors.ts', 'lib/log.ts', 'lib/redaction.ts']);
    expect(files.length).toBeGreaterThan(15);
    for (const file of files) {
      const imports = [...readFileSync(join(root, file), 'utf8').matchAll(/from\s+['"]([^'"]+)['"]/g)].map((match) => match[1] ?? '');
      for (const specifier of imports) {
        expect(`${file} imports ${specifier}`).not.toMatch(/imports .*(dev\/|infra\/|aws-local-stepfunctions|aws-cdk-lib|cdk-nag)/);
      }
    }
  });

  it('nothing under lib/ reads the environment: the functions and the CLI pass what they read (functions/commons/dependencies.ts)', () => {
    const files = sourceFiles('lib');
    expect(files.length).toBeGreaterThan(30);
    const readers = files.filter((file) => /process\.env\b/.test(readFileSync(join(root, file), 'utf8')));
    expect(readers).toEqual([]);
  });

  it.each(LAMBDA_ENTRIES)('the %s bundle contains neither the sandbox, the runner, CDK, a dev-only library nor classic zod', async (entry) => {
    const result = await build({
      entryPoints: [join(root, 'functions', `${entry}.ts`)],
      bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).map((path) => relative(root, join(root, path)));
    expect(inputs.some((path) => path.startsWith('functions/'))).toBe(true);
    expect(inputs.filter((path) => FORBIDDEN.test(path))).toEqual([]);
  });

  it('the row-to-input function of imports bundles for a Lambda: zod/mini, no CSV parser, no file system', async () => {
    const result = await build({
      entryPoints: [join(root, 'lib/workflow/import-row.ts')],
      bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs).map((path) => relative(root, join(root, path)));
    expect(inputs).toContain('lib/workflow/input.ts');
    expect(inputs.filter((path) => FORBIDDEN.test(path))).toEqual([]);
    const imports = Object.values(result.metafile.outputs).flatMap((output) => output.imports.map((entry) => entry.path));
    expect(imports.filter((path) => /^(node:)?fs/.test(path))).toEqual([]);
  });
});
