// bench/dependency-cost.ts: zod/mini, as lib/workflow parses a step's input: build one object schema, parse once.
import * as z from 'zod/mini';

export const handler = async (event: unknown): Promise<{ ok: boolean }> => {
  const schema = z.object({ execution: z.object({ name: z.string(), startTime: z.string() }) });
  return { ok: schema.safeParse(event).success };
};
