/**
 * The logging port the step handlers write to: one structured line per event. Callers pass ids, names and durations,
 * never request bodies; each adapter still redacts every field with lib/redaction.ts's `redactLogFields`, so an API
 * message quoting a prospect cannot leak. In Lambda the adapter is Powertools Logger (functions/commons/powertools.ts);
 * local runs and tests write JSON lines wherever they like (dev/json-logger.ts). docs/decisions/powertools.md says why
 * there is a port at all.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
}

export const silentLogger: Logger = { log() {} };
