import { lazyDependencies } from '../lib/workflow/dependencies.ts';
import { createMeetingHandler } from './handlers.ts';

/** Lambda entry: collaborators come from the environment, built once per container on the first invocation. */
export const handler = createMeetingHandler(lazyDependencies());
