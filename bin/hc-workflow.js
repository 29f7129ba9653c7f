#!/usr/bin/env node
// The CLI is TypeScript run by Node's built-in type stripping (Node >= 22.18), so there is no build step to forget.
import { main } from '../dev/cli.ts';

process.exitCode = await main(process.argv.slice(2));
