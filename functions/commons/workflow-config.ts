import type { WorkflowConfig } from '../../lib/workflow/input.ts';

/**
 * HIRINGCENTER_DEFAULT_USER_ID: the user a note, task or meeting is written as when its input names none. Apart from
 * ./dependencies.ts so that the CLI's dry run can read it without loading the API client and the AWS SDK.
 */
export function workflowConfigFromEnv(env: NodeJS.ProcessEnv): WorkflowConfig {
  const defaultUserId = env.HIRINGCENTER_DEFAULT_USER_ID?.trim();
  return defaultUserId ? { defaultUserId } : {};
}
