import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain JavaScript without types: it has to run on the Node versions it turns away.
import { tooOldNodeMessage } from '../../bin/node-version.js';

describe('hc-workflow on an older Node.js', () => {
  it.each(['20.20.2', '18.19.0', '22.17.1'])('says which Node it needs and how to get it, on %s', (version) => {
    const message = tooOldNodeMessage(version, ['run', 'examples/quickstart.json']) as string;
    expect(message).toContain(`needs Node.js 22.18 or later`);
    expect(message).toContain(`this is Node.js ${version}`);
    expect(message).toContain('npx -y node@22 bin/hc-workflow.js run examples/quickstart.json');
  });

  it.each(['22.18.0', '22.23.3', '24.1.0', '25.0.0'])('runs on %s', (version) => {
    expect(tooOldNodeMessage(version)).toBeUndefined();
  });
});
