import type { InputIssue } from '../errors.ts';

/**
 * Limits that keep an accepted input able to complete. Field lengths alone do not bound bytes: 100,000 characters of
 * note body are 300 KB of UTF-8 when they are '€', and 600 KB of JSON when they are control characters, while Step
 * Functions carries at most 256 KiB per execution input and per state (the state adds the execution key, the run record
 * and error details). Nesting is bounded because JSON.stringify, which the engine and the API client both use, fails
 * with a RangeError a few thousand levels down; a legitimate input nests five levels at most.
 */
export const MAX_INPUT_BYTES = 200 * 1024;
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /\p{Cs}/u;
/** Keys that would be invisible or unreadable in a dotted path: empty, blank-edged, control characters, surrogates. */
const NEEDS_QUOTES = /^$|^\s|\s$|[\p{Cc}\p{Cs}]/u;
const MAX_FIELD_NAME = 64;

/** A key as it appears in an issue path: unreadable keys quoted with JSON escapes, very long ones cut. */
export function fieldName(key: string): string {
  const cut = key.length > MAX_FIELD_NAME ? `${key.slice(0, MAX_FIELD_NAME)}…` : key;
  return NEEDS_QUOTES.test(cut) ? JSON.stringify(cut) : cut;
}

/** Why a string cannot be sent: a lone surrogate cannot be encoded as UTF-8, and NUL is refused by many stores. */
function textProblem(text: string): string | undefined {
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which cannot be encoded as UTF-8 text';
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  return undefined;
}

interface Node {
  bytes: number;
  /** The child holding the most bytes, to name the field that makes an input too large. */
  biggest?: { key: string; node: Node };
}

/**
 * Issues with the input as a whole: its JSON size, its nesting, text that cannot travel as UTF-8, and `__proto__`
 * keys (a parser or validator that copies objects turns them into a prototype, and the key is silently lost).
 * `prefix` is the path of `raw` inside the workflow input (a section name when a step checks its own section).
 */
export function inputLimitIssues(raw: unknown, prefix = ''): InputIssue[] {
  const issues: InputIssue[] = [];
  const join = (path: string, key: string) => (path ? `${path}.${fieldName(key)}` : fieldName(key));
  const walk = (value: unknown, path: string, depth: number): Node => {
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push({ path, message: problem });
      return { bytes: Buffer.byteLength(JSON.stringify(value), 'utf8') };
    }
    if (value === null || typeof value !== 'object') return { bytes: String(JSON.stringify(value) ?? 'null').length };
    if (depth >= MAX_INPUT_DEPTH) {
      issues.push({ path, message: `nests deeper than ${MAX_INPUT_DEPTH} levels` });
      return { bytes: 0 };
    }
    const node: Node = { bytes: 2 };
    for (const [key, inner] of Object.entries(value)) {
      const childPath = join(path, key);
      const keyProblem = textProblem(key);
      if (keyProblem) issues.push({ path: childPath, message: `is a key that ${keyProblem}` });
      if (key === '__proto__') issues.push({ path: childPath, message: 'is a reserved key (it would replace the object prototype, and the field would be lost)' });
      const child = walk(inner, childPath, depth + 1);
      node.bytes += child.bytes + (Array.isArray(value) ? 1 : Buffer.byteLength(JSON.stringify(key), 'utf8') + 2);
      if (!node.biggest || child.bytes > node.biggest.node.bytes) node.biggest = { key, node: child };
    }
    return node;
  };
  const root = walk(raw, prefix, 0);
  if (root.bytes > MAX_INPUT_BYTES) {
    // Name the field that makes it large: follow the biggest child while it holds most of its parent's bytes.
    let path = prefix;
    let node = root;
    while (node.biggest && (path === prefix || node.biggest.node.bytes * 2 > node.bytes)) {
      path = join(path, node.biggest.key);
      node = node.biggest.node;
    }
    issues.push({
      path,
      message: `makes the input ${Math.ceil(root.bytes / 1024)} KiB of JSON; an input may be at most ${MAX_INPUT_BYTES / 1024} KiB (Step Functions carries 256 KiB per state)`,
    });
  }
  return issues;
}
