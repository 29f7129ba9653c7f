import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { createJsonLogger } from '../lib/log.ts';
import { callerIdOf, type CallerIdentitySource } from '../lib/webhook/execution-name.ts';
import { startAndWait, type WaiterDependencies } from '../lib/webhook/waiter.ts';

/*
 * Lambda entry behind POST /activities/sync (Lambda proxy integration): reads what lib/webhook/waiter.ts needs from
 * API Gateway's event and returns its answer. STATE_MACHINE_ARN names the workflow; WEBHOOK_CALLER_IDENTITY says which
 * identity scopes the execution names (apiKey or iam), as the direct integration's templates do.
 */
const proxyEventSchema = z.object({
  body: z.nullable(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  headers: z.optional(z.nullable(z.record(z.string(), z.string()))),
  multiValueHeaders: z.optional(z.nullable(z.record(z.string(), z.array(z.string())))),
  requestContext: z.object({
    requestId: z.string(),
    requestTimeEpoch: z.number(),
    domainName: z.string(),
    stage: z.string(),
    identity: z.object({ apiKeyId: z.optional(z.nullable(z.string())), caller: z.optional(z.nullable(z.string())) }),
  }),
});

export function createWebhookWaiterHandler(getDeps: () => WaiterDependencies, identitySource: CallerIdentitySource) {
  return async (event: unknown): Promise<APIGatewayProxyResult> => {
    const parsed = proxyEventSchema.safeParse(event);
    if (!parsed.success) {
      throw new TypeError(`webhook-waiter: not an API Gateway proxy event: ${parsed.error.issues.map((issue) => issue.path.join('.') || '(root)').join(', ')}`);
    }
    const { body, isBase64Encoded, headers, multiValueHeaders, requestContext } = parsed.data;
    const preferHeaders = Object.entries(multiValueHeaders ?? {}).filter(([name]) => name.toLowerCase() === 'prefer').flatMap(([, values]) => values);
    return startAndWait(getDeps(), {
      body: isBase64Encoded && body !== null ? Buffer.from(body, 'base64').toString('utf8') : (body ?? ''),
      headers: headers ?? {},
      preferHeaders: preferHeaders.length > 0 ? preferHeaders : Object.entries(headers ?? {}).filter(([name]) => name.toLowerCase() === 'prefer').map(([, value]) => value),
      callerId: callerIdOf(identitySource, requestContext.identity),
      requestId: requestContext.requestId,
      requestTimeEpoch: requestContext.requestTimeEpoch,
      statusUrlBase: `https://${requestContext.domainName}/${requestContext.stage}/activities/`,
    });
  };
}

let deps: WaiterDependencies | undefined;

/** Collaborators built on the first invocation (not at import), once per container. */
export const handler = createWebhookWaiterHandler(() => (deps ??= {
  sfn: new SFNClient({}),
  stateMachineArn: process.env.STATE_MACHINE_ARN ?? '',
  now: Date.now,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  logger: createJsonLogger({ fields: { function: 'webhook-waiter' } }),
}), process.env.WEBHOOK_CALLER_IDENTITY === 'iam' ? 'iam' : 'apiKey');
