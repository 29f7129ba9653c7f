import { LogFormatter, LogItem, type Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Logger } from '../../lib/log.ts';
import { redactLogFields, redactText } from '../../lib/redaction.ts';
import { MetricDimension, MetricName } from './constants.ts';
import type { StepMetrics } from './step-metrics.ts';

/*
 * The ports the handlers write to (lib/log.ts, ./step-metrics.ts) on Powertools Logger and Metrics. No instances here:
 * functions/commons/powertools.ts makes the Lambda's, tests make their own.
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

/**
 * The StepMetrics port as EMF through Powertools Metrics. The step's outcome goes into the invocation's metric set, with
 * the `step` dimension, which logMetrics flushes after the handler. The API latency, 429s and quota waits have other
 * dimensions, so each goes out at once through a second instance (one EMF line each). Not `singleMetric()`: it builds
 * a new Metrics per call, about 120 µs of CPU against 20 µs for a flush (bench/README.md).
 */
export function emfStepMetrics(outcome: Metrics, events: Metrics): StepMetrics {
  return {
    stepSucceeded(step) {
      outcome.addDimension(MetricDimension.step, step);
      outcome.addMetric(MetricName.StepSucceeded, MetricUnit.Count, 1);
    },
    stepFailed(step, errorName) {
      outcome.addDimension(MetricDimension.step, step);
      outcome.addDimension(MetricDimension.errorName, errorName);
      outcome.addMetric(MetricName.StepFailed, MetricUnit.Count, 1);
    },
    apiResponded(response) {
      events.addDimension(MetricDimension.route, `${response.method} ${response.path}`);
      events.addMetric(MetricName.ApiLatency, MetricUnit.Milliseconds, response.durationMs);
      events.publishStoredMetrics();
      if (response.status === 429) {
        events.addMetric(MetricName.ApiRateLimited, MetricUnit.Count, 1);
        events.publishStoredMetrics();
      }
    },
    quotaWaited(waitMs) {
      events.addMetric(MetricName.QuotaWait, MetricUnit.Milliseconds, waitMs);
      events.publishStoredMetrics();
    },
  };
}
