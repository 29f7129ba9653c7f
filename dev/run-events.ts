import type { StateMachine } from 'aws-local-stepfunctions';

type EventLog = Awaited<ReturnType<ReturnType<StateMachine['run']>['eventLogs']['next']>>['value'];

/** Progress of a local execution, for the CLI's live output, the soak's counts and the tests. */
export type RunEvent =
  | { type: 'state-entered'; state: string; stateType: string; at: number; input: unknown }
  | { type: 'state-exited'; state: string; stateType: string; at: number; durationMs: number; output: unknown; caught: boolean }
  | { type: 'state-retried'; state: string; attempt: number; error: string; at: number }
  | { type: 'state-caught'; state: string; error: string; at: number }
  | { type: 'state-failed'; state: string; stateType: string; error: string; cause: string; at: number };

/** Follows one execution's event log: what it needs to remember between events (entry times, caught states). */
export class RunEventReader {
  readonly #entered = new Map<string, number>();
  readonly #caught = new Set<string>();

  read(event: EventLog): RunEvent | undefined {
    if (!event || !('state' in event)) return undefined;
    const state = event.state.name;
    switch (event.type) {
      case 'StateEntered':
        this.#entered.set(state, event.timestamp);
        this.#caught.delete(state);
        return { type: 'state-entered', state, stateType: event.state.type, at: event.timestamp, input: event.state.input };
      case 'StateExited':
        return {
          type: 'state-exited', state, stateType: event.state.type, at: event.timestamp,
          durationMs: event.timestamp - (this.#entered.get(state) ?? event.timestamp), output: event.state.output, caught: this.#caught.has(state),
        };
      case 'StateRetried':
        return { type: 'state-retried', state, attempt: event.retry.attempt, error: event.retry.retrier.ErrorEquals.join('|'), at: event.timestamp };
      case 'StateCaught':
        this.#caught.add(state);
        return { type: 'state-caught', state, error: event.catch.catcher.ErrorEquals.join('|'), at: event.timestamp };
      case 'StateFailed':
        return { type: 'state-failed', state, stateType: event.state.type, error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause), at: event.timestamp };
      default:
        return undefined;
    }
  }
}
