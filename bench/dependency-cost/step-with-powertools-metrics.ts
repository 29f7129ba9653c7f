// bench/dependency-cost.ts: step-without-powertools plus Powertools Metrics exactly as deployed (emfStepMetrics and
// logMetrics), still without Powertools Logger.
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { createJsonLogger } from '../../dev/json-logger.ts';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/commons/constants.ts';
import { dependenciesFromEnv } from '../../functions/commons/dependencies.ts';
import { lazy } from '../../lib/lazy.ts';
import { emfStepMetrics } from '../../functions/commons/emf-step-metrics.ts';
import { createNoteHandler } from '../../functions/handlers.ts';

const secrets = new Set<string>();
const metrics = new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE });
const telemetry = {
  logger: createJsonLogger({ secrets: () => [...secrets] }),
  metrics: emfStepMetrics(metrics, new Metrics({ serviceName: SERVICE_NAME, namespace: METRICS_NAMESPACE })),
  maskInLogs: (secret: string) => void secrets.add(secret),
};

export const handler = createNoteHandler(lazy(() => dependenciesFromEnv(process.env, telemetry)), [logMetrics(metrics)]);
