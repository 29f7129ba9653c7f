/**
 * Structured JSON logs, one line per event. Callers only ever pass ids, names and durations, never request bodies;
 * redaction here is the second line of defence: known secret/contact fields are masked by name, and any email address
 * or phone-like number inside a string is masked by pattern (lib/redaction.ts), so an API message quoting a prospect
 * cannot leak.
 */
import { redactText } from './redaction.ts';

// Re-exported for modules that already redact through the logger's function; it is lib/redaction.ts's.
export { redactText };

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SENSITIVE_KEYS = /^(api[-_]?key|authorization|x-api-key|secret|password|token|email|phone)$/i;
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function redactValue(value: unknown, secrets: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = SENSITIVE_KEYS.test(key) ? '[redacted]' : redactValue(inner, secrets, depth + 1);
  }
  return out;
}

export interface JsonLoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
  /** Exact strings to mask wherever they appear (the API key once it is known). */
  secrets?: () => readonly string[];
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = options.secrets ?? (() => []);
  const make = (base: LogFields): Logger => ({
    log(level, message, fields) {
      if (LEVELS[level] < threshold) return;
      // level and time come from here, not from callers, so they skip redaction.
      const entry = { level, time: new Date().toISOString(), ...(redactValue({ message, ...base, ...fields }, secrets()) as LogFields) };
      write(JSON.stringify(entry));
    },
    child(fields) {
      return make({ ...base, ...fields });
    },
  });
  return make(options.fields ?? {});
}

export const silentLogger: Logger = { log() {}, child: () => silentLogger };
