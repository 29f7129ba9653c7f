import { lambdaStep } from './commons/powertools.ts';
import { createTaskHandler } from './handlers.ts';

/** Lambda entry: collaborators from the environment, built once per container on the first invocation. */
export const handler = lambdaStep(createTaskHandler);
