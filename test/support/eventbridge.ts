/**
 * EventBridge's input transformer, as its documentation describes it, for testing the synthesized rules: each
 * variable is the JSON value at a dot path of the event; a placeholder that stands alone is replaced by that value's
 * JSON (a string arrives quoted and escaped, an object as is); a placeholder inside a quoted string by the value's
 * text. A variable whose path is not in the event is not created, and its placeholder would stay behind: this
 * emulation refuses that, so a test catches a rule that reads a field some status does not have.
 */
export function renderInputTransformer(transformer: { InputPathsMap: Record<string, string>; InputTemplate: string }, event: unknown): unknown {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap)) {
    const value = valueAt(event, path);
    if (value !== undefined) values.set(name, value);
  }
  let inString = false;
  let out = '';
  const template = transformer.InputTemplate;
  for (let index = 0; index < template.length; index += 1) {
    const char = template[index];
    if (char === '"' && template[index - 1] !== '\\') inString = !inString;
    if (char !== '<') {
      out += char;
      continue;
    }
    const end = template.indexOf('>', index);
    const name = template.slice(index + 1, end);
    if (!values.has(name)) throw new Error(`the template uses <${name}>, whose path is not in this event`);
    const value = values.get(name);
    out += inString ? (typeof value === 'string' ? value : JSON.stringify(value)) : JSON.stringify(value);
    index = end;
  }
  return JSON.parse(out) as unknown;
}

/** Does the event match the rule's pattern? Exact values and arrays of alternatives, nested: what the project's rules use. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((alternative) => JSON.stringify(alternative) === JSON.stringify(event));
  if (pattern === null || typeof pattern !== 'object') return pattern === event;
  if (event === null || typeof event !== 'object') return false;
  return Object.entries(pattern).every(([key, inner]) => matchesPattern(inner, (event as Record<string, unknown>)[key]));
}

function valueAt(event: unknown, path: string): unknown {
  let current = event;
  for (const segment of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}
