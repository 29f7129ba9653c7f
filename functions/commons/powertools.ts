import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { StepHandler, StepHandlerFactory } from '../handlers.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from './constants.ts';
import { dependenciesFromEnv, type StepTelemetry } from './dependencies.ts';
import { lazy } from '../../lib/lazy.ts';
import { emfStepMetrics } from './emf-step-metrics.ts';
import { powertoolsLogPort, RedactingLogFormatter } from './powertools-ports.ts';

/*
 * The one place Powertools is configured, as Powertools' own examples/app keeps it in functions/commons: one Logger and
 * the Metrics per container, named SERVICE_NAME and METRICS_NAMESPACE (functions/commons/constants.ts), adapted to the
 * ports the handlers write to (./powertools-ports.ts, ./emf-step-metrics.ts), and their middy middlewares around every step.
 */

const secretsInLogs = new Set<string>();

export const logger = new PowertoolsLogger({ serviceName: SERVICE_NAME, logFormatter: new RedactingLogFormatter(() => [...secretsInLogs]) });
export const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
const eventMetrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });

const telemetry: StepTelemetry = {
  logger: powertoolsLogPort(logger),
  metrics: emfStepMetrics(metrics, eventMetrics),
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
  return factory(lazy(() => dependenciesFromEnv(process.env, telemetry)), [
    injectLambdaContext(logger, { resetKeys: true }),
    logMetrics(metrics),
  ]);
}
