import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Logger } from '../../lib/log.ts';
import { redactLogFields, redactText } from '../../lib/redaction.ts';
import type { StepHandler, StepHandlerFactory } from '../handlers.ts';
import { METRICS_NAMESPACE, MetricDimension, MetricName, SERVICE_NAME } from './constants.ts';
import { dependenciesFromEnv, lazyDependencies, type StepTelemetry } from './dependencies.ts';
import type { StepMetrics } from './step-metrics.ts';

/*
 * The one place Powertools is configured, as Powertools' own examples/app keeps it in functions/commons: one Logger and
 * one Metrics per container, named SERVICE_NAME and METRICS_NAMESPACE (functions/commons/constants.ts), adapted to the
 * ports the handlers write to (lib/log.ts, ./step-metrics.ts), and their middy middlewares around every step.
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
 * The StepMetrics port as EMF through Powertools Metrics. The step's outcome goes into the invocation's own metric set
 * (flushed by logMetrics after the handler) with the `step` dimension; the API latency, 429s and quota waits are each a
 * single metric with their own dimensions, written at once.
 */
export function emfStepMetrics(metrics: Metrics): StepMetrics {
  return {
    stepSucceeded(step) {
      metrics.addDimension(MetricDimension.step, step);
      metrics.addMetric(MetricName.StepSucceeded, MetricUnit.Count, 1);
    },
    stepFailed(step, errorName) {
      metrics.addDimension(MetricDimension.step, step);
      metrics.addDimension(MetricDimension.errorName, errorName);
      metrics.addMetric(MetricName.StepFailed, MetricUnit.Count, 1);
    },
    apiResponded(response) {
      const latency = metrics.singleMetric();
      latency.addDimension(MetricDimension.route, `${response.method} ${response.path}`);
      latency.addMetric(MetricName.ApiLatency, MetricUnit.Milliseconds, response.durationMs);
      if (response.status === 429) metrics.singleMetric().addMetric(MetricName.ApiRateLimited, MetricUnit.Count, 1);
    },
    quotaWaited(waitMs) {
      metrics.singleMetric().addMetric(MetricName.QuotaWait, MetricUnit.Milliseconds, waitMs);
    },
  };
}

const secretsInLogs = new Set<string>();

export const logger = new PowertoolsLogger({ serviceName: SERVICE_NAME, logFormatter: new RedactingLogFormatter(() => [...secretsInLogs]) });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });

const telemetry: StepTelemetry = {
  logger: powertoolsLogPort(logger),
  metrics: emfStepMetrics(metrics),
  maskInLogs: (secret) => {
    if (secret !== '') secretsInLogs.add(secret);
  },
};

/**
 * A step handler as the Lambda runs it: collaborators from the environment, built on the first invocation, inside
 * Powertools' middlewares (the Lambda context on every log line; the metrics flushed after every invocation, failed or
 * not).
 */
export function lambdaStep(factory: StepHandlerFactory): StepHandler {
  return factory(lazyDependencies(() => dependenciesFromEnv(process.env, telemetry)), [
    injectLambdaContext(logger, { resetKeys: true }),
    logMetrics(metrics),
  ]);
}
