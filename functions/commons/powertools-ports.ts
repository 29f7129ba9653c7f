import { LogFormatter, LogItem, type Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { Logger } from '../../lib/log.ts';
import { redactLogFields, redactText } from '../../lib/redaction.ts';

/*
 * The logging port the handlers write to (lib/log.ts) on Powertools Logger; ./emf-step-metrics.ts does the same for
 * metrics on Powertools Metrics. No instances here: functions/commons/powertools.ts makes the Lambda's, tests make their
 * own.
 */

/**
 * Powertools' standard JSON keys (level, message, timestamp, service, cold_start, function_*, xray_trace_id) with
 * everything a caller passes, the message included, redacted by lib/redaction.ts. Powertools' own values are left
 * alone: a request id or trace id can hold seven digits in a row, which the phone pattern would mask.
 */
export class RedactingLogFormatter extends LogFormatter {
  readonly #secrets: () => readonly string[];

  constructor(secrets: () => readonly string[]) {
    super();
    this.#secrets = secrets;
  }

  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    const secrets = this.#secrets();
    const context = attributes.lambdaContext;
    return new LogItem({
      attributes: {
        level: attributes.logLevel,
        message: redactText(attributes.message ?? '', secrets),
        timestamp: this.formatTimestamp(attributes.timestamp),
        service: attributes.serviceName,
        cold_start: context?.coldStart,
        function_arn: context?.invokedFunctionArn,
        function_memory_size: context?.memoryLimitInMB,
        function_name: context?.functionName,
        function_request_id: context?.awsRequestId,
        sampling_rate: attributes.sampleRateValue,
        xray_trace_id: attributes.xRayTraceId,
      },
    }).addAttributes(redactLogFields(additionalLogAttributes, secrets) as LogAttributes);
  }
}

/** The lib/log.ts port on a Powertools Logger. */
export function powertoolsLogPort(logger: PowertoolsLogger): Logger {
  return { log: (level, message, fields) => logger[level](message, fields ?? {}) };
}
