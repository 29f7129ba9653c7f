// bench/dependency-cost.ts: @aws-lambda-powertools/logger with its middy middleware, one log line.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

const logger = new Logger({ serviceName: 'bench' });

export const handler = middy(async (): Promise<{ ok: true }> => {
  logger.info('step succeeded', { step: 'bench' });
  return { ok: true };
}).use(injectLambdaContext(logger));
