import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synthesizeWorkflow } from '../../dev/definition.ts';
import { toMermaid } from '../../dev/graph.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('shows the state machine exactly as hc-workflow graph generates it from the synthesized definition', () => {
    const block = /```mermaid\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBe(toMermaid(synthesizeWorkflow().definition));
  });

  it('names every npm script it tells users to run', () => {
    const scripts = Object.keys((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> }).scripts);
    for (const [, script] of readme.matchAll(/npm run ([a-z:-]+)/g)) expect(scripts).toContain(script);
  });
});
