/**
 * The names of the workflow's own CloudWatch metrics (embedded metric format, written by the steps through
 * Powertools). One place, because the steps write them and the dashboard (infra/dashboard.ts) reads them.
 */
export const SERVICE_NAME = 'hiringcenter-workflows';
export const METRICS_NAMESPACE = 'HiringCenterWorkflows';

export const MetricName = {
  /** Count, dimension `step`. */
  stepSucceeded: 'StepSucceeded',
  /** Count, dimensions `step`, `errorName`. */
  stepFailed: 'StepFailed',
  /** Milliseconds per API request, dimension `route`. */
  apiLatency: 'ApiLatency',
  /** Count of 429s from the API. */
  apiRateLimited: 'ApiRateLimited',
  /** Milliseconds each request waited for its quota slot. */
  quotaWait: 'QuotaWait',
} as const;
