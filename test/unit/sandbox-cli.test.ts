import { describe, expect, it } from 'vitest';
import { run } from '../../dev/commands/sandbox.ts';

function capture(): { out: string[]; err: string[]; deps: { out: (l: string) => void; err: (l: string) => void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

describe('hc-workflow sandbox command', () => {
  it('prints usage with every option and its default for --help', async () => {
    const c = capture();
    expect(await run(['--help'], { ...c.deps, env: {} })).toBe(0);
    const text = c.out.join('\n');
    for (const option of ['--port', '--host', '--key', '--fault-rate', '--seed', '--latency', '--help']) {
      expect(text).toContain(option);
    }
    expect(text).toMatch(/default 4010/);
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--fault-rate', '1.5'], '--fault-rate'],
    [['--seed', '1.2'], '--seed'],
    [['--latency', '-5'], '--latency'],
    [['--nope'], '--nope'],
    [['extra'], 'extra'],
  ])('refuses %j with exit code 2 and names the option', async (argv, name) => {
    const c = capture();
    expect(await run(argv, { ...c.deps, env: {} })).toBe(2);
    expect(c.err.join('\n')).toContain(name);
  });

  it('serves the sandbox with the given key until stopped, printing export lines and an access log', async () => {
    const c = capture();
    const stop = new AbortController();
    const done = run(['--port', '0', '--key', 'hc_cli_test_key'], { ...c.deps, env: {}, signal: stop.signal });
    await expect.poll(() => c.out.length, { timeout: 5000 }).toBe(2);
    const baseUrl = /^export HIRINGCENTER_BASE_URL=(\S+)$/.exec(c.out[0] ?? '')?.[1] ?? '';
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v2$/);
    expect(c.out[1]).toBe('export HIRINGCENTER_API_KEY=hc_cli_test_key');
    const res = await fetch(`${baseUrl}/prospects?email=secret%40example.com`, {
      headers: { authorization: 'Bearer hc_cli_test_key' },
    });
    expect(res.status).toBe(200);
    await expect.poll(() => c.err.some((l) => l.startsWith('[sandbox] GET /v2/prospects 200'))).toBe(true);
    expect(c.err.join('\n')).not.toContain('secret');
    stop.abort();
    expect(await done).toBe(0);
  });

  it('uses HIRINGCENTER_API_KEY without printing it, and generates a key otherwise', async () => {
    const c = capture();
    const stop = new AbortController();
    stop.abort();
    expect(await run(['--port', '0'], { ...c.deps, env: { HIRINGCENTER_API_KEY: 'from-env-key' }, signal: stop.signal })).toBe(0);
    expect([...c.out, ...c.err].join('\n')).not.toContain('from-env-key');
    const g = capture();
    expect(await run(['--port', '0'], { ...g.deps, env: {}, signal: stop.signal })).toBe(0);
    expect(g.out[1]).toMatch(/^export HIRINGCENTER_API_KEY=hc_sandbox_[0-9a-f]{32}$/);
  });
});
