#!/usr/bin/env node
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18), so there is no build step to forget.
// This file is plain JavaScript so that an older Node gets a clear sentence instead of ERR_UNKNOWN_FILE_EXTENSION.
import { tooOldNodeMessage } from './node-version.js';

const tooOld = tooOldNodeMessage(process.versions.node, process.argv.slice(2));
if (tooOld) {
  process.stderr.write(tooOld);
  process.exit(2);
}
const { main } = await import('../dev/cli.ts');
process.exitCode = await main(process.argv.slice(2));
