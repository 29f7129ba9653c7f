import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/**
 * `hc-workflow ARGS` as a user runs it: a child process from the repository root, with the HiringCenter variables of
 * the test's own environment removed (so a developer's shell cannot change the outcome), returning stdout, stderr and
 * the exit code.
 */
export async function cli(args: string[], env: Record<string, string> = {}, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const baseEnv = { ...process.env };
  delete baseEnv.HIRINGCENTER_BASE_URL;
  delete baseEnv.HIRINGCENTER_API_KEY;
  delete baseEnv.HIRINGCENTER_SECRET_ID;
  delete baseEnv.HIRINGCENTER_DEFAULT_USER_ID;
  try {
    const child = run(process.execPath, ['bin/hc-workflow.js', ...args], { cwd: root, env: { ...baseEnv, ...env }, timeout: 60_000 });
    if (stdin !== undefined) {
      child.child.stdin?.end(stdin);
    }
    const { stdout, stderr } = await child;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}
