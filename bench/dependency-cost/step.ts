// bench/dependency-cost.ts: the createNote Lambda entry as deployed (Powertools Logger, Metrics and Parameters).
export { handler } from '../../functions/create-note.ts';
