import * as z from 'zod/mini';
import { workflowInputSchema } from './input.ts';

export type JsonSchemaTarget = 'draft-4' | 'draft-7' | 'draft-2020-12';

/**
 * JSON Schema of the workflow input, generated from the same zod schema the handlers validate with. API Gateway models
 * need draft-04. Refinements that JSON Schema cannot express (real IANA zones, real calendar dates, default user ids)
 * are checked again by the first step, so the model is a subset of the checks, never a contradiction.
 */
export function workflowInputJsonSchema(target: JsonSchemaTarget = 'draft-4'): Record<string, unknown> {
  return z.toJSONSchema(workflowInputSchema(), { target, unrepresentable: 'any' }) as Record<string, unknown>;
}
