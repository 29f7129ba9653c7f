import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One command: parses its own argv, writes to stdout/stderr, returns the exit code. */
type Command = { summary: string; run: (argv: string[]) => Promise<number> };

const COMMANDS: Record<string, Command> = {
  run: { summary: 'run the workflow locally: the synthesized state machine, against the embedded sandbox or an API', run: async (argv) => (await import('./commands/run.ts')).run(argv) },
  import: { summary: 'import a spreadsheet (.csv) or JSON Lines file: one workflow per row, validated first', run: async (argv) => (await import('./commands/import.ts')).run(argv) },
  sandbox: { summary: 'serve the HiringCenter API sandbox on loopback', run: async (argv) => (await import('./commands/sandbox.ts')).run(argv) },
  doctor: { summary: 'check the API key and base URL with GET /auth', run: async (argv) => (await import('./commands/doctor.ts')).run(argv) },
  schema: { summary: 'print the workflow input JSON Schema (generated from the zod schema)', run: async (argv) => (await import('./commands/schema.ts')).run(argv) },
  graph: { summary: 'print the synthesized state machine as a Mermaid diagram', run: async (argv) => (await import('./commands/graph.ts')).run(argv) },
};

export const USAGE = `hc-workflow: HiringCenter workflows, locally

Usage: hc-workflow <command> [options]     (hc-workflow <command> --help for details)

Commands:
${Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(9)} ${command.summary}`).join('\n')}

Environment:
  HIRINGCENTER_BASE_URL         API base URL (run, import: unset = embedded sandbox; doctor: default https://api.hiringcenterpro.com/v2)
  HIRINGCENTER_API_KEY          API key for a real or separately started API
  HIRINGCENTER_DEFAULT_USER_ID  fallback for task.assignedTo and meeting.ownerId

Examples: hc-workflow run examples/quickstart.json
          hc-workflow import examples/career-fair.csv --dry-run
`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`hc-workflow: unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}. Try hc-workflow --help.\n`);
    return 2;
  }
  return command.run(rest);
}

/** parseArgs with the error turned into a message that names the option and points at --help. */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
): { values: ReturnType<typeof parseArgs<{ options: T; allowPositionals: boolean; args: string[] }>>['values']; positionals: string[] } | string {
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values, positionals };
  } catch (error) {
    return `hc-workflow ${command}: ${error instanceof Error ? error.message : String(error)}. See hc-workflow ${command} --help.`;
  }
}

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
