import type { Logger } from '../lib/log.ts';
import { systemClock, type StepDependencies } from '../lib/workflow/dependencies.ts';
import { DEFAULT_STEP_POLICY, UNPACED } from '../lib/workflow/pacing.ts';
import type { ActivityApi } from '../lib/workflow/steps.ts';

/**
 * Step collaborators for local runs (CLI, tests, benchmarks): the deployed defaults, HIRINGCENTER_DEFAULT_USER_ID from
 * the environment, and whatever the caller overrides. The runner replaces the policy's execution timeout with the one
 * in the synthesized definition, so the steps and the state machine agree as they do in AWS.
 */
export function localStepDependencies(parts: { api: ActivityApi; logger: Logger } & Partial<Omit<StepDependencies, 'api' | 'logger'>>, env: NodeJS.ProcessEnv = process.env): StepDependencies {
  const defaultUserId = env.HIRINGCENTER_DEFAULT_USER_ID?.trim();
  return {
    config: defaultUserId ? { defaultUserId } : {},
    quota: UNPACED,
    policy: DEFAULT_STEP_POLICY,
    clock: systemClock,
    ...parts,
  };
}
