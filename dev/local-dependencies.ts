import type { Logger } from '../lib/log.ts';
import { DEFAULT_STEP_POLICY, systemClock } from '../lib/workflow/pacing.ts';
import type { ActivityApi } from '../lib/workflow/steps.ts';
import { pacerFromEnv } from '../functions/commons/dependencies.ts';
import { noStepMetrics } from '../functions/commons/step-metrics.ts';
import { workflowConfigFromEnv } from '../functions/commons/workflow-config.ts';
import type { StepDependencies } from '../functions/handlers.ts';

/**
 * Step collaborators for local runs (CLI, tests, benchmarks): the deployed defaults, HIRINGCENTER_DEFAULT_USER_ID and
 * the quota settings from the environment, a quota pacer in this process's memory (all local steps share the process;
 * the logic is the deployed pacer's), no metrics, and whatever the caller overrides. The runner replaces the policy's
 * execution timeout with the one in the synthesized definition, so the steps and the state machine agree as they do in
 * AWS.
 */
export function localStepDependencies(parts: { api: ActivityApi; logger: Logger } & Partial<Omit<StepDependencies, 'api' | 'logger'>>, env: NodeJS.ProcessEnv = process.env): StepDependencies {
  const clock = parts.clock ?? systemClock;
  return {
    config: workflowConfigFromEnv(env),
    pacer: parts.pacer ?? pacerFromEnv({ ...env, PACER_TABLE_NAME: '' }, clock),
    policy: DEFAULT_STEP_POLICY,
    clock,
    metrics: noStepMetrics,
    ...parts,
  };
}
