import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synthesizeWorkflow } from '../../dev/definition.ts';
import { toMermaid } from '../../dev/graph.ts';
import { cli } from '../support/cli.ts';

/*
 * The README is what a new user follows, so what it tells them to run must exist and work: the set-up commands, every
 * npm script, every hc-workflow command with the flags it shows, every file it links, and the local commands it shows
 * that need no network or AWS.
 */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** Every line of the README's shell code blocks. */
const shellLines = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((match) => (match[1] ?? '').split('\n'));

describe('README', () => {
  it('shows the state machine exactly as hc-workflow graph generates it from the synthesized definition', () => {
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(toMermaid(synthesizeWorkflow().definition));
  });

  it('gives the two set-up commands', () => {
    expect(shellLines.some((line) => line.startsWith('npm ci && npm start'))).toBe(true);
    expect(shellLines.some((line) => line.startsWith('npm test'))).toBe(true);
  });

  it('names only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts);
    const named = [...readme.matchAll(/npm run ([a-z:-]+)/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThanOrEqual(4);
    for (const script of named) expect(scripts).toContain(script);
  });

  it('shows only hc-workflow commands and flags that exist, each with a working --help', async () => {
    const invocations = shellLines.filter((line) => line.includes('hc-workflow ')).map((line) => line.slice(line.indexOf('hc-workflow ') + 'hc-workflow '.length).split('#')[0]?.trim() ?? '');
    expect(invocations.length).toBeGreaterThanOrEqual(6);
    const commands = new Map<string, Set<string>>();
    for (const invocation of invocations) {
      const [command = '', ...rest] = invocation.split(/\s+/);
      const flags = commands.get(command) ?? new Set<string>();
      for (const word of rest) if (word.startsWith('--')) flags.add(word);
      commands.set(command, flags);
    }
    for (const [command, flags] of commands) {
      const { code, stdout } = await cli([command, '--help']);
      expect(code, `hc-workflow ${command} --help`).toBe(0);
      expect(stdout, `hc-workflow ${command} --help`).toMatch(/^Usage: hc-workflow/);
      for (const flag of flags) expect(stdout, `hc-workflow ${command} ${flag}`).toContain(flag);
    }
  }, 120_000);

  it('runs, as written, the local commands it shows that need no network', async () => {
    const offline = shellLines.filter((line) => /^npx hc-workflow (import \S+ --dry-run|schema|graph)\b/.test(line));
    expect(offline.length).toBeGreaterThanOrEqual(1);
    for (const line of offline) {
      const args = (line.split('#')[0] ?? '').trim().split(/\s+/).slice(2);
      expect((await cli(args)).code, line).toBe(0);
    }
  }, 120_000);

  it('links only files that exist in the repository', () => {
    const links = [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((match) => match[1] ?? '');
    expect(links.length).toBeGreaterThan(5);
    for (const link of links) expect(existsSync(new URL(`../../${link}`, import.meta.url)), link).toBe(true);
  });
});
