import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How every Lambda in this project is bundled. One constant, shared by infra/workflow.ts and by the benchmark and the
 * bundle-size guard (both synthesize real NodejsFunctions with it), so what is measured is what is deployed.
 * bench/README.md has the measurements behind each choice; in short, against the previous ESM + source-map build:
 *
 * - CommonJS output. On Node 22 an ESM `import` of `node:http` builds a module facade that reads every export, and
 *   http's lazy `WebSocket`/`MessageEvent` getters then load Node's internal copy of undici (~25 ms at cold start).
 *   The SDK's ESM sources import `node:http` that way; bundled to CommonJS the same imports are plain `require()` calls.
 *   CommonJS output also needs no `createRequire` banner.
 * - `dynamic-import` marked unsupported, so esbuild turns the SDK's `await import('node:http')` (used for http://
 *   endpoints) into a `require()` as well; left as `import()`, the first such request pays the same facade cost.
 * - No source map: it only helped together with NODE_OPTIONS=--enable-source-maps, which made Node read and parse the
 *   2.9 MB map at every cold start (60-70 ms). Error names and messages, which is what the logs and the state machine
 *   carry, do not depend on it.
 * - Identifiers are not minified. With `--minify-identifiers`, esbuild emits each bundled module's wrapper as an arrow
 *   function passed in parentheses (`var a=L((e,t)=>{...})`), which V8 apparently treats as "immediately invoked" and
 *   compiles eagerly: every module body is compiled at load, even the many that never run (measured: 10-25 ms).
 *   Without it the wrappers are object methods (`__commonJS({"path"(exports,module){...}})`) that V8 compiles lazily.
 *   The bundle is larger on disk but loads faster, and stack traces keep readable function names without a source map.
 * - `mainFields` prefers the packages' ESM sources, which esbuild tree-shakes better, even for CommonJS output.
 * - `esbuildDetection` defined, as undici's own bundled build does (see below).
 */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.CJS,
  target: 'node22',
  // Whitespace and syntax only; see below for why identifiers stay unminified.
  minify: false,
  sourceMap: false,
  bundleAwsSDK: true,
  mainFields: ['module', 'main'],
  // undici's own flag for bundled builds (its `build:node` script, which makes the copy inside Node): it drops the
  // experimental Milo HTTP parser, 157 kB of WebAssembly in base64 that an npm build otherwise carries, and keeps llhttp,
  // the parser Node's own fetch uses. Measured: createNote's cold start -7 ms. The flag is undici-internal (it also sets
  // fetch's default User-Agent, unused here); test/infra/bundle-size.test.ts fails if an upgrade brings Milo back.
  define: { esbuildDetection: '1' },
  esbuildArgs: {
    '--minify-whitespace': true,
    '--minify-syntax': true,
    '--supported:dynamic-import': 'false',
  },
} as const satisfies BundlingOptions;

/** Environment every function gets besides its own settings (none today: see the source-map note above). */
export const LAMBDA_RUNTIME_ENVIRONMENT: Readonly<Record<string, string>> = {};
