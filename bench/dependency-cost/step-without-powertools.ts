// bench/dependency-cost.ts: createNote (functions/handlers.ts) with the collaborators it has in Lambda, but logging
// through the local JSON logger (dev/json-logger.ts, same redaction) and no metrics: the step without Powertools Logger
// and Metrics. Parameters stays (the key is read through lib/secrets as deployed).
import { createJsonLogger } from '../../dev/json-logger.ts';
import { dependenciesFromEnv } from '../../functions/commons/dependencies.ts';
import { lazy } from '../../lib/lazy.ts';
import { noStepMetrics } from '../../functions/commons/step-metrics.ts';
import { createNoteHandler } from '../../functions/handlers.ts';

const secrets = new Set<string>();
const telemetry = { logger: createJsonLogger({ secrets: () => [...secrets] }), metrics: noStepMetrics, maskInLogs: (secret: string) => void secrets.add(secret) };

export const handler = createNoteHandler(lazy(() => dependenciesFromEnv(process.env, telemetry)), []);
