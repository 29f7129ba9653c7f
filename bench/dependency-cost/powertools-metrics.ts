// bench/dependency-cost.ts: @aws-lambda-powertools/metrics with its middy middleware, one EMF metric flushed.
import middy from '@middy/core';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';

const metrics = new Metrics({ namespace: 'Bench', serviceName: 'bench' });

export const handler = middy(async (): Promise<{ ok: true }> => {
  metrics.addMetric('StepSucceeded', MetricUnit.Count, 1);
  return { ok: true };
}).use(logMetrics(metrics));
