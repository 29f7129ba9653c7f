/*
 * The names operators see: the Powertools service name on every log line and metric, the CloudWatch namespace, and the
 * EMF metrics the steps emit. infra/workflow-function.ts sets POWERTOOLS_SERVICE_NAME and POWERTOOLS_METRICS_NAMESPACE
 * from these, and a dashboard or alarm reads the metrics by these names and dimensions. No imports, so infra/ can use
 * them without loading Powertools.
 */
export const SERVICE_NAME = 'hiringcenter-workflows';
export const METRICS_NAMESPACE = 'HiringCenterWorkflows';

/**
 * Every metric also has the default dimension `service` = SERVICE_NAME.
 * - StepSucceeded: Count, dimension `step` (upsert-prospect, create-note, create-task, create-meeting).
 * - StepFailed: Count, dimensions `step` and `errorName` (HiringCenter.RateLimited, Input.Invalid, ... or the JavaScript
 *   error's name). A RateLimited failure is the quota pacer handing its wait to the state machine, not a lost step.
 * - ApiLatency: Milliseconds, dimension `route` (`POST /notes`, `GET /prospects`, ...), one per HTTP response.
 * - ApiRateLimited: Count, one per 429 from the API.
 * - QuotaWait: Milliseconds, the wait of each quota slot a step reserved (0 when the slot was free at once).
 */
export const MetricName = {
  StepSucceeded: 'StepSucceeded',
  StepFailed: 'StepFailed',
  ApiLatency: 'ApiLatency',
  ApiRateLimited: 'ApiRateLimited',
  QuotaWait: 'QuotaWait',
} as const;

export const MetricDimension = { step: 'step', errorName: 'errorName', route: 'route' } as const;
