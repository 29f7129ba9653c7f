import { workflowInputJsonSchema, type JsonSchemaTarget } from '../../lib/workflow/json-schema.ts';
import { parseOptions } from '../cli.ts';

const HELP = `Usage: hc-workflow schema [--target draft-4|draft-7|draft-2020-12]

Prints the JSON Schema of the workflow input (the webhook body, the EventBridge detail, the run FILE).
It is generated from the same zod schema the handlers validate with. Default target: draft-4, the dialect
of API Gateway models.
`;

const TARGETS: readonly JsonSchemaTarget[] = ['draft-4', 'draft-7', 'draft-2020-12'];

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions('schema', argv, { target: { type: 'string', default: 'draft-4' }, help: { type: 'boolean', short: 'h' } });
  if (typeof parsed === 'string') return fail(parsed);
  if (parsed.values.help) return void process.stdout.write(HELP), 0;
  const target = parsed.values.target as JsonSchemaTarget;
  if (!TARGETS.includes(target)) return fail(`hc-workflow schema: --target must be one of ${TARGETS.join(', ')}.`);
  process.stdout.write(`${JSON.stringify(workflowInputJsonSchema(target), null, 2)}\n`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
