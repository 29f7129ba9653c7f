import type { Logger, LogFields, LogLevel } from '../lib/log.ts';
import { redactLogFields } from '../lib/redaction.ts';

/**
 * The logging port (lib/log.ts) for local runs: one JSON line per event, handed to `write` (the CLI's --verbose writes
 * to stderr, tests collect the lines). Redacted as the Lambda's Powertools logger is (lib/redaction.ts).
 */
export interface JsonLoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  fields?: LogFields;
  /** Exact strings to mask wherever they appear (the API key once it is known). */
  secrets?: () => readonly string[];
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const secrets = options.secrets ?? (() => []);
  const base = options.fields ?? {};
  return {
    log(level, message, fields) {
      if (LEVELS[level] < threshold) return;
      // level and time come from here, not from callers, so they skip redaction.
      const entry = { level, time: new Date().toISOString(), ...(redactLogFields({ message, ...base, ...fields }, secrets()) as LogFields) };
      write(JSON.stringify(entry));
    },
  };
}
