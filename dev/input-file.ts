import { readFile } from 'node:fs/promises';
import { buffer } from 'node:stream/consumers';
import { MAX_INPUT_DEPTH } from '../lib/workflow/limits.ts';

export type ReadResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * The workflow input of `hc-workflow run FILE` (or stdin with "-"): one JSON object in UTF-8. Anything else is refused
 * here with a one-line message, before the engine starts: bytes that are not UTF-8 (a lenient decoder would silently
 * turn them into U+FFFD in a name), a document that is not an object, and nesting deeper than any workflow input has
 * (the engine copies its input with JSON.stringify, which fails a few thousand levels down). A UTF-8 BOM is skipped.
 */
export async function readInputFile(file: string): Promise<ReadResult> {
  const fail = (reason: string): ReadResult => ({ ok: false, message: `hc-workflow run: ${file} ${reason}` });
  const read = await readUtf8Text(file);
  if ('unreadable' in read) return { ok: false, message: `hc-workflow run: ${read.unreadable}. Pass a workflow input JSON file, or - for stdin.` };
  if ('invalidByte' in read) return fail(`is not UTF-8 text (byte ${read.invalidByte} is not valid UTF-8). Save it as UTF-8 JSON.`);
  const parsed = parseJsonObject(read.text);
  if ('problem' in parsed) return fail(`${parsed.problem}. See hc-workflow schema for the expected shape.`);
  return { ok: true, value: parsed.value };
}

/**
 * One workflow input object from JSON text (a `run` file, or one line of a `.jsonl` import), or the problem with it.
 * A syntax error is reported by position only: V8's own message quotes the text around it, which may be an e-mail or
 * a phone number.
 */
export function parseJsonObject(text: string): { value: Record<string, unknown> } | { problem: string } {
  const depth = nestingDepth(text);
  if (depth > MAX_INPUT_DEPTH) return { problem: `nests ${depth} levels deep; a workflow input nests at most ${MAX_INPUT_DEPTH}` };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    return { problem: `is not valid JSON${position === undefined ? '' : ` (at character ${Number(position) + 1})`}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: `must hold one JSON object (a workflow input), not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}` };
  }
  return { value: value as Record<string, unknown> };
}

/**
 * A file (or stdin for "-") as strict UTF-8 text: bytes that are not UTF-8 are refused rather than turned into U+FFFD
 * in a name. A UTF-8 BOM (Excel's "CSV UTF-8" writes one) is dropped.
 */
export async function readUtf8Text(file: string): Promise<{ text: string } | { unreadable: string } | { invalidByte: number; line: number }> {
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? await buffer(process.stdin) : await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { unreadable: `cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${code ?? String(error)}`}` };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    const at = firstInvalidUtf8Byte(bytes);
    return { invalidByte: at, line: bytes.subarray(0, at).reduce((lines, byte) => lines + (byte === 0x0a ? 1 : 0), 1) };
  }
}

/** The deepest nesting of objects and arrays in JSON text, counted without parsing (so without recursion). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (inString) {
      if (char === 0x5c) i++; // backslash: skip the escaped character
      else if (char === 0x22) inString = false;
    } else if (char === 0x22) {
      inString = true;
    } else if (char === 0x7b || char === 0x5b) {
      deepest = Math.max(deepest, ++depth);
    } else if (char === 0x7d || char === 0x5d) {
      depth--;
    }
  }
  return deepest;
}

/** Valid bytes survive a lenient decode and re-encode unchanged, so the first difference is the first invalid byte. */
export function firstInvalidUtf8Byte(bytes: Uint8Array): number {
  const roundTrip = Buffer.from(Buffer.from(bytes).toString('utf8'), 'utf8');
  let index = 0;
  while (index < bytes.length && bytes[index] === roundTrip[index]) index++;
  return index;
}
