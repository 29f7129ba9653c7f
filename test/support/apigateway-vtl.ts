import velocity from 'velocityjs';

/*
 * Renders API Gateway mapping templates with a real Velocity engine (velocityjs) and an emulation of the variables API
 * Gateway provides ($input, $util, $context), following the API Gateway mapping-template reference. Where API Gateway
 * and JavaScript differ, the emulation follows API Gateway:
 * - strings are java.lang.String: `length()` counts UTF-16 units, `replaceAll`/`matches` take a java.util.regex
 *   pattern, which matches code points (an emoji is one character to `[^a-z]`, not two), `replace` is literal;
 * - `$input.params('x')` looks in the path, then the query string, then the headers;
 * - `$util.escapeJavaScript` is commons-lang's escapeJavaScript: non-ASCII as \uXXXX, `'` as \', `/` as \/;
 * - `$util.base64Encode` encodes the string's UTF-8 bytes, a lone surrogate as "?" as Java's encoder writes it;
 * - `split` drops trailing empty strings and `trim` removes control characters too, as java.lang.String's do.
 * Regex syntax is the subset both engines share; a pattern JavaScript cannot compile with the `u` flag throws here.
 */
export class JavaString {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
  valueOf(): string {
    return this.value;
  }
  length(): number {
    return this.value.length;
  }
  isEmpty(): boolean {
    return this.value.length === 0;
  }
  replaceAll(regex: unknown, replacement: unknown): JavaString {
    const groups = javaReplacement(String(replacement));
    return new JavaString(this.value.replace(new RegExp(String(regex), 'gu'), (...match: unknown[]) => groups(match as string[])));
  }
  replace(target: unknown, replacement: unknown): JavaString {
    return new JavaString(this.value.split(String(target)).join(String(replacement)));
  }
  matches(regex: unknown): boolean {
    return new RegExp(`^(?:${String(regex)})$`, 'u').test(this.value);
  }
  /** String.split(regex): trailing empty strings are removed, as Java does. */
  split(regex: unknown): JavaString[] {
    const parts = this.value.split(new RegExp(String(regex), 'u'));
    while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
    return (this.value === '' ? [''] : parts).map((part) => new JavaString(part));
  }
  /** String.trim(): every character up to U+0020 off both ends (not JavaScript's Unicode whitespace). */
  trim(): JavaString {
    let start = 0;
    let end = this.value.length;
    while (start < end && this.value.charCodeAt(start) <= 0x20) start++;
    while (end > start && this.value.charCodeAt(end - 1) <= 0x20) end--;
    return new JavaString(this.value.substring(start, end));
  }
  toLowerCase(): JavaString {
    return new JavaString(this.value.toLowerCase());
  }
  substring(start: number, end?: number): JavaString {
    return new JavaString(this.value.substring(start, end));
  }
  startsWith(prefix: unknown): boolean {
    return this.value.startsWith(String(prefix));
  }
  endsWith(suffix: unknown): boolean {
    return this.value.endsWith(String(suffix));
  }
  contains(text: unknown): boolean {
    return this.value.includes(String(text));
  }
  indexOf(text: unknown): number {
    return this.value.indexOf(String(text));
  }
  lastIndexOf(text: unknown): number {
    return this.value.lastIndexOf(String(text));
  }
  equals(other: unknown): boolean {
    return this.value === String(other);
  }
  equalsIgnoreCase(other: unknown): boolean {
    return other !== null && other !== undefined && this.value.toLowerCase() === String(other).toLowerCase();
  }
}

/** java.util.Matcher replacement syntax: `$n` is a group, `\x` is x. */
function javaReplacement(replacement: string): (match: string[]) => string {
  return (match) => replacement.replace(/\\(.)|\$(\d)/gsu, (_all, escaped: string | undefined, group: string | undefined) => (escaped ?? match[Number(group)] ?? ''));
}

/**
 * A java.util.Map as templates use it: `get` answers null for a missing key, `keySet` iterates the keys, and
 * `$map.name` reads the entry (Velocity's property access on a Map).
 */
export class JavaMap {
  private readonly entries: Map<string, unknown>;
  constructor(entries: Record<string, unknown>) {
    this.entries = new Map(Object.entries(entries).map(([key, value]) => [key, wrap(value)]));
    for (const [key, value] of this.entries) if (!(key in this)) Object.defineProperty(this, key, { value, enumerable: false });
  }
  get(key: unknown): unknown {
    return this.entries.has(String(key)) ? this.entries.get(String(key)) : null;
  }
  containsKey(key: unknown): boolean {
    return this.entries.has(String(key));
  }
  keySet(): JavaString[] {
    return [...this.entries.keys()].map((key) => new JavaString(key));
  }
  size(): number {
    return this.entries.size;
  }
}

const wrap = (value: unknown): unknown => (typeof value === 'string' ? new JavaString(value) : value);

/** A parsed JSON value as $util.parseJson gives it: strings at any depth are java.lang.String. */
function wrapDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(wrapDeep);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, wrapDeep(inner)]));
  return wrap(value);
}

/** commons-lang StringEscapeUtils.escapeJavaScript, which $util.escapeJavaScript is. */
export function escapeJavaScript(text: string): string {
  let out = '';
  for (const char of text) {
    for (let i = 0; i < char.length; i++) {
      const code = char.charCodeAt(i);
      const hex = code.toString(16).toUpperCase();
      if (code > 0x7f) out += `\\u${hex.padStart(4, '0')}`;
      else if (code < 0x20) out += ({ 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' } as Record<number, string>)[code] ?? `\\u${hex.padStart(4, '0')}`;
      else out += ({ '"': '\\"', "'": "\\'", '\\': '\\\\', '/': '\\/' } as Record<string, string>)[char[i] as string] ?? char[i];
    }
  }
  return out;
}

/** new String(bytes) → getBytes(UTF_8): a lone surrogate becomes "?". */
function javaUtf8(text: string): Buffer {
  return Buffer.from(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu, '?'), 'utf8');
}

function jsonPath(document: unknown, path: string): unknown {
  if (path === '$') return document;
  let value = document;
  for (const key of path.replace(/^\$\.?/, '').split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export interface RenderRequest {
  /** The body the template reads through $input: the method request body (request templates) or the integration response (response templates). */
  body: unknown;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  queryString?: Record<string, string>;
  /** $context.identity: apiKeyId (API key auth) or caller (IAM auth). */
  identity?: { apiKeyId?: string; caller?: string };
  requestId?: string;
  requestTimeEpoch?: number;
  /** $context.error.validationErrorString, for gateway responses. */
  validationErrorString?: string;
}

export interface RenderResult {
  output: string;
  /** $context.responseOverride.status, when the template set it. */
  statusOverride?: number;
  /** $context.responseOverride.header.*, as the template set them. */
  headerOverrides: Record<string, string>;
}

export const TEST_DOMAIN = 'abc123.execute-api.us-east-1.amazonaws.com';

export function renderMappingTemplate(template: string, request: RenderRequest): RenderResult {
  const rawBody = JSON.stringify(request.body);
  const responseOverride: { status?: number; header: Record<string, unknown> } = { header: {} };
  const path = new JavaMap(request.pathParameters ?? {});
  const querystring = new JavaMap(request.queryString ?? {});
  const header = new JavaMap(request.headers ?? {});
  const params = new JavaMap({ path, querystring, header });
  const context = {
    input: {
      body: new JavaString(rawBody),
      json: (expression: string) => new JavaString(JSON.stringify(jsonPath(request.body, expression) ?? null)),
      path: (expression: string) => wrap(jsonPath(request.body, expression) ?? ''),
      params: (name?: string) => {
        if (name === undefined) return params;
        for (const source of [path, querystring, header]) if (source.containsKey(name)) return source.get(name);
        return new JavaString('');
      },
    },
    util: {
      escapeJavaScript: (text: unknown) => new JavaString(escapeJavaScript(String(text))),
      base64Encode: (text: unknown) => new JavaString(javaUtf8(String(text)).toString('base64')),
      parseJson: (text: unknown) => wrapDeep(JSON.parse(String(text))),
    },
    context: {
      domainName: TEST_DOMAIN,
      stage: 'v1',
      requestId: request.requestId ?? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: request.requestTimeEpoch ?? 1_764_496_800_000,
      identity: { apiKeyId: request.identity?.apiKeyId, caller: request.identity?.caller },
      error: { validationErrorString: request.validationErrorString === undefined ? undefined : new JavaString(request.validationErrorString) },
      responseOverride,
    },
  };
  // A string a template builds ("$a_$b") is a java.lang.String in API Gateway, with its methods.
  const output = velocity.render(template, context, undefined, { valueMapper: wrap });
  const headerOverrides = Object.fromEntries(Object.entries(responseOverride.header).map(([name, value]) => [name, String(value)]));
  return { output, headerOverrides, ...(responseOverride.status !== undefined ? { statusOverride: Number(responseOverride.status) } : {}) };
}
