import { statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLING } from '../infra/bundling.ts';

/*
 * The small experiment bundles (bench/pacer-cold-start.ts, bench/dependency-cost.ts) are built with esbuild directly,
 * because a CDK synth per variant would take minutes; these options are infra/bundling.ts's, translated, and the build
 * fails loudly when that file gains an option this translation does not know.
 */
function lambdaEsbuildOptions(): BuildOptions {
  const { format, target, minify, sourceMap, bundleAwsSDK, mainFields, define, esbuildArgs, ...rest } = LAMBDA_BUNDLING;
  if (Object.keys(rest).length > 0 || format !== 'cjs' || minify || sourceMap || !bundleAwsSDK) {
    throw new Error(`bench/lambda-esbuild.ts does not mirror infra/bundling.ts any more: ${JSON.stringify(LAMBDA_BUNDLING)}`);
  }
  return {
    bundle: true, platform: 'node', format: 'cjs', target, mainFields: [...mainFields], define: { ...define },
    minifyWhitespace: esbuildArgs['--minify-whitespace'], minifySyntax: esbuildArgs['--minify-syntax'],
    supported: { 'dynamic-import': esbuildArgs['--supported:dynamic-import'] !== 'false' },
    metafile: true, logLevel: 'warning',
  };
}

/** Each package's root directories among the bundle's inputs (node_modules/<name>/ or a nested copy). */
function copiesOf(metafile: Metafile, name: string): string[] {
  const roots = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const at = input.lastIndexOf(`node_modules/${name}/`);
    if (at >= 0) roots.add(input.slice(0, at + `node_modules/${name}`.length));
  }
  return [...roots];
}

export interface LambdaBundle {
  name: string;
  outfile: string;
  bytes: number;
  /** For each package asked about, the directories its modules came from (one entry = one copy). */
  copies: Record<string, string[]>;
}

/** Bundles `<entryDir>/<name>.ts` for each name into `<workdir>/<name>/index.js` as CDK would for a Lambda. */
export async function buildLambdaBundles(
  root: string, entryDir: string, names: readonly string[], workdir: string, packagesToCount: readonly string[] = [],
): Promise<LambdaBundle[]> {
  return Promise.all(names.map(async (name) => {
    const outfile = join(workdir, name, 'index.js');
    const result = await build({ ...lambdaEsbuildOptions(), entryPoints: [join(root, entryDir, `${name}.ts`)], outfile, absWorkingDir: root });
    const metafile = result.metafile ?? { inputs: {}, outputs: {} };
    const copies = Object.fromEntries(packagesToCount.map((pkg) => [pkg, copiesOf(metafile, pkg).map((dir) => relative(root, join(root, dir)))]));
    return { name, outfile, bytes: statSync(outfile).size, copies };
  }));
}
