/**
 * Time scaling for local runs (runner option `timeScale`): every duration of the definition multiplied by one factor,
 * and the rate-limit Wait's Retry-After with it. Also the cache of validated StateMachines, one per definition and scale.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

/**
 * Validating a definition compiles asl-validator's JSON Schema (about 100 ms of CPU), so each definition and time scale
 * is validated once and its StateMachine reused: a run keeps all of its state in the execution, not in the machine.
 */
const machines = new WeakMap<StateMachineDefinition, Map<number, StateMachine>>();

export function stateMachineFor(definition: StateMachineDefinition, timeScale: number): StateMachine {
  let byScale = machines.get(definition);
  if (!byScale) machines.set(definition, (byScale = new Map()));
  let machine = byScale.get(timeScale);
  if (!machine) {
    const scaled = timeScale === 1 ? definition : scaleDefinitionTime(definition, timeScale);
    machine = new StateMachine(scaled, { validationOptions: { checkArn: false } });
    byScale.set(timeScale, machine);
  }
  return machine;
}

type StateRecord = Record<string, unknown> & { Type?: string; Retry?: Record<string, unknown>[]; States?: Record<string, StateRecord> };
const DEFAULT_RETRY_INTERVAL_SECONDS = 1;

/**
 * A copy of the definition with every fixed duration multiplied by `factor`: retriers' IntervalSeconds (the ASL
 * default of 1 s made explicit) and MaxDelaySeconds, Wait `Seconds`, TimeoutSeconds and HeartbeatSeconds, in nested
 * Parallel branches and Map processors too. BackoffRate, MaxAttempts and JitterStrategy are kept, so the k-th retry
 * waits exactly factor × what it waits in AWS (the engine honours fractional seconds for all of these).
 */
export function scaleDefinitionTime<D extends StateMachineDefinition>(definition: D, factor: number): D {
  const scaled = structuredClone(definition);
  const scaleMachine = (machine: StateRecord) => {
    if (typeof machine.TimeoutSeconds === 'number') machine.TimeoutSeconds *= factor;
    for (const state of Object.values(machine.States ?? {})) {
      for (const key of ['TimeoutSeconds', 'HeartbeatSeconds'] as const) {
        if (typeof state[key] === 'number') state[key] *= factor;
      }
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds *= factor;
      for (const retrier of state.Retry ?? []) {
        retrier.IntervalSeconds = (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : DEFAULT_RETRY_INTERVAL_SECONDS) * factor;
        if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds *= factor;
      }
      for (const branch of (state.Branches as StateRecord[] | undefined) ?? []) scaleMachine(branch);
      for (const key of ['Iterator', 'ItemProcessor'] as const) {
        const inner = state[key] as StateRecord | undefined;
        if (inner) scaleMachine(inner);
      }
    }
  };
  scaleMachine(scaled as unknown as StateRecord);
  return scaled;
}

/**
 * Scaled waits for the Wait states that read their duration from the state (SecondsPath). The engine checks that path
 * for a whole number of seconds, and its override takes a fixed ms value per state without seeing the state, so the
 * override is a getter that the engine reads as the Wait starts. In this definition the only SecondsPath Wait is the
 * rate-limit wait, and its value is always the `retryAfterSeconds` of the 429 that sent the execution there (the
 * execution has no parallel branches, so that is the last 429 this execution's tasks threw). With no such value the
 * getter returns undefined and the engine reads the path itself, unscaled.
 */
export function scaledWaits(definition: StateMachineDefinition, factor: number, takeRetryAfter: () => number | undefined): Record<string, number> {
  const waits: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, StateRecord>)) {
    if (state.Type !== 'Wait' || typeof state.SecondsPath !== 'string') continue;
    Object.defineProperty(waits, name, {
      enumerable: true,
      get: () => {
        const seconds = takeRetryAfter();
        return seconds === undefined ? undefined : seconds * 1000 * factor;
      },
    });
  }
  return waits;
}

/** `States.StringToJson(Cause.errorMessage).retryAfterSeconds`, as the ASL reads it; undefined unless a whole number ≥ 0. */
export function retryAfterOf(lambdaError: Error): number | undefined {
  try {
    const cause = JSON.parse(lambdaError.message) as { errorMessage?: unknown };
    const detail = typeof cause.errorMessage === 'string' ? (JSON.parse(cause.errorMessage) as { retryAfterSeconds?: unknown }) : undefined;
    const seconds = detail?.retryAfterSeconds;
    return typeof seconds === 'number' && Number.isInteger(seconds) && seconds >= 0 ? seconds : undefined;
  } catch {
    return undefined;
  }
}
