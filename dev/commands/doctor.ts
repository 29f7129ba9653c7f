import { HiringCenterClient } from '../../lib/hiringcenter/index.ts';
import { isWorkflowError } from '../../lib/errors.ts';
import { DEFAULT_BASE_URL, keyProviderFromEnv } from '../../functions/commons/dependencies.ts';
import { isHttpUrl, parseOptions } from '../cli.ts';

const HELP = `Usage: hc-workflow doctor [--base-url URL]

Calls GET /auth to check that the API key is valid and active, and prints the account id and permissions.
  --base-url URL   default $HIRINGCENTER_BASE_URL, else ${DEFAULT_BASE_URL}
The key comes from HIRINGCENTER_API_KEY, or from Secrets Manager when HIRINGCENTER_SECRET_ID is set.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions('doctor', argv, { 'base-url': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (typeof parsed === 'string') return void process.stderr.write(`${parsed}\n`), 2;
  if (parsed.values.help) return void process.stdout.write(HELP), 0;
  const baseUrl = parsed.values['base-url'] ?? (process.env.HIRINGCENTER_BASE_URL?.trim() || DEFAULT_BASE_URL);
  if (!isHttpUrl(baseUrl)) {
    process.stderr.write(`hc-workflow doctor: --base-url (or HIRINGCENTER_BASE_URL) "${baseUrl}" is not an http(s) URL, e.g. ${DEFAULT_BASE_URL}.\n`);
    return 2;
  }
  try {
    const client = new HiringCenterClient({ baseUrl, keys: keyProviderFromEnv(process.env) });
    const { accountId, apiKeyId, name, active, permissions } = await client.verifyAuth();
    // Only the documented fields: the rest of GET /auth's answer is undocumented and could hold the key or a person's
    // contact details.
    const shown = { accountId, apiKeyId, name, active, permissions };
    process.stdout.write(`✓ ${baseUrl}: key accepted\n${JSON.stringify(shown, null, 2)}\n`);
    return 0;
  } catch (error) {
    const name = isWorkflowError(error) ? `${error.name}: ` : '';
    process.stderr.write(`✗ ${baseUrl}: ${name}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
