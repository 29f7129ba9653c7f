import velocity from 'velocityjs';

/*
 * Renders API Gateway mapping templates with a real Velocity engine (velocityjs) and a small emulation of the
 * variables API Gateway provides ($input, $util, $context), following the API Gateway mapping-template reference.
 * Strings are Java strings in API Gateway (replaceAll takes a regex, length() is a method), so they are wrapped.
 */
export class JavaString {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
  toString(): string {
    return this.value;
  }
  length(): number {
    return this.value.length;
  }
  replaceAll(regex: string, replacement: string): JavaString {
    return new JavaString(this.value.replace(new RegExp(regex, 'g'), replacement));
  }
  substring(start: number, end?: number): JavaString {
    return new JavaString(this.value.substring(start, end));
  }
  startsWith(prefix: string): boolean {
    return this.value.startsWith(String(prefix));
  }
  endsWith(suffix: string): boolean {
    return this.value.endsWith(String(suffix));
  }
  contains(text: string): boolean {
    return this.value.includes(String(text));
  }
  indexOf(text: string): number {
    return this.value.indexOf(String(text));
  }
  lastIndexOf(text: string): number {
    return this.value.lastIndexOf(String(text));
  }
  equals(other: unknown): boolean {
    return this.value === String(other);
  }
}

const wrap = (value: unknown): unknown => (typeof value === 'string' ? new JavaString(value) : value);

/** $util.escapeJavaScript: backslash escapes for quotes (both kinds), backslash, slash and control characters. */
export function escapeJavaScript(text: string): string {
  return JSON.stringify(text).slice(1, -1).replace(/'/g, "\\'").replace(/\//g, '\\/');
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
}

export interface RenderResult {
  output: string;
  /** $context.responseOverride.status, when the template set it. */
  statusOverride?: number;
}

export function renderMappingTemplate(template: string, request: RenderRequest): RenderResult {
  const rawBody = JSON.stringify(request.body);
  const responseOverride: { status?: number } = {};
  const context = {
    input: {
      body: new JavaString(rawBody),
      json: (path: string) => new JavaString(JSON.stringify(jsonPath(request.body, path) ?? null)),
      path: (path: string) => wrap(jsonPath(request.body, path) ?? ''),
      params: (name: string) => new JavaString(request.headers?.[name] ?? request.pathParameters?.[name] ?? ''),
    },
    util: {
      escapeJavaScript: (text: unknown) => new JavaString(escapeJavaScript(String(text))),
      parseJson: (text: unknown) => {
        const parsed = JSON.parse(String(text)) as unknown;
        return parsed !== null && typeof parsed === 'object' ? Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, wrap(value)])) : wrap(parsed);
      },
    },
    context: { domainName: 'abc123.execute-api.us-east-1.amazonaws.com', stage: 'v1', responseOverride },
  };
  const output = velocity.render(template, context);
  return { output, ...(responseOverride.status !== undefined ? { statusOverride: Number(responseOverride.status) } : {}) };
}
