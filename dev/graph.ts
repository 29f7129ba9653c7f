interface AslState {
  Type: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string; Variable?: string; IsPresent?: boolean; StringEquals?: string; NumericGreaterThan?: number }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[];
}

/** A Mermaid flowchart of an ASL definition: states, transitions, choices, catches and retries. */
export function toMermaid(definition: { StartAt: string; States: Record<string, unknown> }): string {
  const states = definition.States as Record<string, AslState>;
  const id = (name: string) => name.replace(/[^A-Za-z0-9_]/g, '_');
  const lines = ['flowchart TD', `  start((start)) --> ${id(definition.StartAt)}`];
  for (const [name, state] of Object.entries(states)) {
    const shape = state.Type === 'Choice' ? `{${name}}` : state.Type === 'Task' ? `[${name}]` : state.Type === 'Wait' ? `[/${name}/]` : state.Type === 'Fail' ? `[[${name}]]` : `(${name})`;
    lines.push(`  ${id(name)}${shape}`);
    if (state.Next) lines.push(`  ${id(name)} --> ${id(state.Next)}`);
    if (state.End || state.Type === 'Succeed') lines.push(`  ${id(name)} --> finish((end))`);
    for (const choice of state.Choices ?? []) lines.push(`  ${id(name)} -->|${describeChoice(choice)}| ${id(choice.Next)}`);
    if (state.Default) lines.push(`  ${id(name)} -->|otherwise| ${id(state.Default)}`);
    if (state.Retry?.length) lines.push(`  ${id(name)} -.->|retry ${summariseRetriedErrors(state.Retry)}| ${id(name)}`);
    for (const catcher of state.Catch ?? []) lines.push(`  ${id(name)} -.->|${catcher.ErrorEquals.join(', ')}| ${id(catcher.Next)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** "Unavailable, InFlight, Lambda errors": the retriers of one state on one edge, so the diagram stays readable. */
function summariseRetriedErrors(retriers: NonNullable<AslState['Retry']>): string {
  const names = new Set<string>();
  for (const retrier of retriers) {
    for (const error of retrier.ErrorEquals) names.add(/^(Lambda|Sandbox)\./.test(error) ? 'Lambda errors' : error.replace(/^HiringCenter\./, ''));
  }
  return [...names].join(', ');
}

function describeChoice(choice: NonNullable<AslState['Choices']>[number]): string {
  const variable = choice.Variable?.replace(/^\$\./, '') ?? '';
  if (choice.IsPresent !== undefined) return `${variable} present`;
  if (choice.StringEquals !== undefined) return `${variable} = ${choice.StringEquals}`;
  if (choice.NumericGreaterThan !== undefined) return `${variable} > ${choice.NumericGreaterThan}`;
  return variable || 'when';
}
