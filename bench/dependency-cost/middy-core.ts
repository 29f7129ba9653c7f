// bench/dependency-cost.ts: @middy/core wrapping a plain function, as functions/handlers.ts does.
import middy from '@middy/core';

export const handler = middy(async (): Promise<{ ok: true }> => ({ ok: true }));
