import type { ResponseEvent } from '../../lib/hiringcenter/index.ts';
import type { StepName } from '../../lib/workflow/keys.ts';

/**
 * What the steps measure (functions/commons/constants.ts names the metrics). In Lambda the adapter writes EMF through
 * Powertools Metrics (functions/commons/powertools.ts); local runs measure nothing unless a test passes a recorder.
 */
export interface StepMetrics {
  stepSucceeded(step: StepName): void;
  stepFailed(step: StepName, errorName: string): void;
  /** Every HTTP response from the API: its latency by route, and a 429 counted apart. */
  apiResponded(response: ResponseEvent): void;
  /** A quota slot a step reserved, and how long it waits for it. */
  quotaWaited(waitMs: number): void;
}

export const noStepMetrics: StepMetrics = {
  stepSucceeded() {},
  stepFailed() {},
  apiResponded() {},
  quotaWaited() {},
};
