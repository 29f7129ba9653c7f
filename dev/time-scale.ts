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
 * Overrides for the Wait states that read their end from the state (TimestampPath): the quota waits. Their timestamp
 * is on the handlers' clock, which a soak runs faster than real time (and a redrive drill moves by hours), so the engine
 * must not wait for it on the wall clock. The engine's override takes a fixed ms value per state without seeing the
 * state, so it is a getter the engine reads as the Wait starts: it takes the `until` of the rate-limit error that sent
 * the execution there (an execution has no parallel branches, so that is the last one its tasks threw), and waits the
 * distance to it on the handlers' clock, times the scale. With no such value the engine reads the path itself.
 */
export function scaledTimestampWaits(
  definition: StateMachineDefinition,
  waitMs: (untilMs: number) => number,
  takeUntil: () => number | undefined,
): Record<string, number> {
  const waits: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States as Record<string, StateRecord>)) {
    if (state.Type !== 'Wait' || typeof state.TimestampPath !== 'string') continue;
    Object.defineProperty(waits, name, {
      enumerable: true,
      get: () => {
        const until = takeUntil();
        return until === undefined ? undefined : Math.max(0, waitMs(until));
      },
    });
  }
  return waits;
}

/** `States.StringToJson(Cause.errorMessage).until`, as the ASL reads it, in epoch ms; undefined when absent. */
export function untilOf(lambdaError: Error): number | undefined {
  try {
    const cause = JSON.parse(lambdaError.message) as { errorMessage?: unknown };
    const detail = typeof cause.errorMessage === 'string' ? (JSON.parse(cause.errorMessage) as { until?: unknown }) : undefined;
    const until = typeof detail?.until === 'string' ? Date.parse(detail.until) : Number.NaN;
    return Number.isNaN(until) ? undefined : until;
  } catch {
    return undefined;
  }
}
