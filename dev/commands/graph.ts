import { synthesizeWorkflow } from '../definition.ts';
import { toMermaid } from '../graph.ts';
import { parseOptions } from '../cli.ts';

const HELP = `Usage: hc-workflow graph

Prints the state machine that CDK synthesizes (infra/) as a Mermaid flowchart: states, choices, retries
(dotted self-loops) and catches (dotted edges). Paste it into a \`\`\`mermaid block.
`;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions('graph', argv, { help: { type: 'boolean', short: 'h' } });
  if (typeof parsed === 'string') {
    process.stderr.write(`${parsed}\n`);
    return 2;
  }
  if (parsed.values.help) return void process.stdout.write(HELP), 0;
  process.stdout.write(toMermaid(synthesizeWorkflow().definition));
  return 0;
}
