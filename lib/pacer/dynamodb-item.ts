// The DynamoDB item of one quota and the update expressions that apply lib/pacer/gcra.ts to it. Kept apart from the
// store's I/O so the expressions can be read (and tested) next to the plans they encode.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import * as z from 'zod/mini';
import type { NextSlotClamp, PacerState, RateLimitPlan, ReservationPlan, WindowUpdate } from './gcra.ts';
import type { QuotaSchedule, WindowSchedule } from './schedule.ts';
import { PARTITION_KEY, TTL_ATTRIBUTE } from './table-schema.ts';


/**
 * Stored next to each window's next slot (N = TAT − τ) is its TAT itself, so that conditions can compare "TAT >= slot"
 * without arithmetic (DynamoDB conditions allow none). `scheduleId` says which tolerances those TATs were written with.
 */
const ATTRIBUTES = {
  mn: 'minuteNext',
  mt: 'minuteTat',
  hn: 'hourNext',
  ht: 'hourTat',
  hu: 'holdUntil',
  mf: 'minuteFactor',
  hf: 'hourFactor',
  gen: 'generation',
  sid: 'scheduleId',
  exp: TTL_ATTRIBUTE,
  pk: PARTITION_KEY,
} as const;
type Alias = keyof typeof ATTRIBUTES;

/** A stored item, decoded: the pure state plus the schedule it was written under. */
export interface StoredState {
  readonly state: PacerState;
  readonly scheduleId: string;
}

const NumberValue = z.object({ N: z.string() });
const StoredItem = z.object({
  minuteNext: NumberValue, hourNext: NumberValue, holdUntil: NumberValue, minuteFactor: NumberValue, hourFactor: NumberValue, generation: NumberValue,
  scheduleId: z.object({ S: z.string() }),
});

export function decodeItem(item: Record<string, AttributeValue>, where: string): StoredState {
  const parsed = StoredItem.safeParse(item);
  const fields = parsed.success ? parsed.data : undefined;
  const numbers = fields && {
    minuteNext: Number(fields.minuteNext.N), hourNext: Number(fields.hourNext.N), holdUntil: Number(fields.holdUntil.N),
    minuteFactor: Number(fields.minuteFactor.N), hourFactor: Number(fields.hourFactor.N), generation: Number(fields.generation.N),
  };
  const bad = numbers ? Object.entries(numbers).find(([, value]) => !Number.isFinite(value))?.[0] : parsed.error?.issues[0]?.path.join('.');
  if (fields === undefined || numbers === undefined || bad !== undefined) {
    throw new Error(`Quota pacer: the stored schedule ${where} is malformed (attribute ${bad ?? '?'}); delete the item to start afresh`);
  }
  return { state: numbers, scheduleId: fields.scheduleId.S };
}

/** When DynamoDB may delete the item: a day (or ten recovery doublings) after the last time the state matters. */
function expiresAtSeconds(state: PacerState, now: number, schedule: QuotaSchedule): number {
  const lastRelevantMs = Math.max(now, state.minuteNext + schedule.minute.toleranceMs, state.hourNext + schedule.hour.toleranceMs, state.holdUntil);
  return Math.ceil((lastRelevantMs + Math.max(86_400_000, 10 * schedule.recoveryDoublingMs)) / 1000);
}

/** Collects the names and values an expression uses (DynamoDB rejects unused ones). */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};
  readonly conditions: string[] = [];
  readonly sets: string[] = [];

  attr(alias: Alias): string {
    this.names[`#${alias}`] = ATTRIBUTES[alias];
    return `#${alias}`;
  }

  num(label: string, value: number): string {
    if (!Number.isFinite(value)) throw new RangeError(`Quota pacer: ${label} is not a finite number`);
    this.values[`:${label}`] = { N: String(value) };
    return `:${label}`;
  }

  str(label: string, value: string): string {
    this.values[`:${label}`] = { S: value };
    return `:${label}`;
  }

  toInput(): { UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, AttributeValue> } {
    return {
      UpdateExpression: `SET ${this.sets.join(', ')}`,
      ConditionExpression: this.conditions.join(' AND '),
      ExpressionAttributeNames: this.names,
      ExpressionAttributeValues: this.values,
    };
  }
}

type UpdateInput = ReturnType<Expression['toInput']>;

/** The item's adaptive fields (generation, hold, factors, schedule) are still those of `state`. */
function sameAdaptiveFields(e: Expression, state: PacerState, scheduleId: string, label = 'old'): void {
  e.conditions.push(
    `${e.attr('gen')} = ${e.num(`${label}Gen`, state.generation)}`,
    `${e.attr('hu')} = ${e.num(`${label}Hu`, state.holdUntil)}`,
    `${e.attr('mf')} = ${e.num(`${label}Mf`, state.minuteFactor)}`,
    `${e.attr('hf')} = ${e.num(`${label}Hf`, state.hourFactor)}`,
    `${e.attr('sid')} = ${e.str(`${label}Sid`, scheduleId)}`,
  );
}

const WINDOWS = [
  { name: 'minute', next: 'mn', tat: 'mt' },
  { name: 'hour', next: 'hn', tat: 'ht' },
] as const;

/**
 * The hot path: one conditional UpdateItem that takes the slot as `plan` describes. Its condition holds as long as the
 * item is in the plan's regime (same slot source, same add/set per window, same adaptive fields), whatever the exact
 * values: under load that is every call, so each reservation is one request. ReturnValues ALL_OLD gives the slot.
 */
export function reservationUpdate(plan: ReservationPlan, known: PacerState, schedule: QuotaSchedule, now: number, notLaterThan: number | undefined): UpdateInput {
  const e = new Expression();
  sameAdaptiveFields(e, known, schedule.id);
  const nowValue = e.num('now', now);
  const [mn, hn] = [e.attr('mn'), e.attr('hn')];
  const slot = plan.source === 'now' ? nowValue : plan.source === 'minute' ? mn : hn;
  if (plan.source === 'now') e.conditions.push(`${mn} <= ${nowValue}`, `${hn} <= ${nowValue}`);
  else e.conditions.push(`${slot} >= ${nowValue}`, `${slot} >= ${plan.source === 'minute' ? hn : mn}`);
  if (notLaterThan !== undefined && plan.source !== 'now') e.conditions.push(`${slot} <= ${e.num('deadline', notLaterThan)}`);
  for (const window of WINDOWS) {
    const update: WindowUpdate = plan[window.name];
    const tolerance = schedule[window.name].toleranceMs;
    const increment = plan.increments[window.name];
    const [next, tat] = [e.attr(window.next), e.attr(window.tat)];
    e.conditions.push(`${tat} ${update === 'add' ? '>=' : '<='} ${slot}`);
    if (update === 'add') {
      const step = e.num(`${window.name}Step`, increment);
      e.sets.push(`${tat} = ${tat} + ${step}`, `${next} = ${next} + ${step}`);
    } else if (plan.source === 'now') {
      e.sets.push(`${tat} = ${e.num(`${window.name}Tat`, now + increment)}`, `${next} = ${e.num(`${window.name}Next`, now + increment - tolerance)}`);
    } else {
      e.sets.push(`${tat} = ${slot} + ${e.num(`${window.name}Step`, increment)}`, `${next} = ${slot} + ${e.num(`${window.name}Offset`, increment - tolerance)}`);
    }
  }
  e.sets.push(`${e.attr('exp')} = ${e.num('exp', expiresAtSeconds(plan.next, now, schedule))}`);
  return e.toInput();
}

/** One window's clamp: which of its three cases applies (below, above, inside) is part of the condition. */
function clampPremise(e: Expression, window: (typeof WINDOWS)[number], clamp: NextSlotClamp, current: number, schedule: WindowSchedule): void {
  if (clamp.lo === undefined && clamp.hi === undefined) return;
  const next = e.attr(window.next);
  const bound = (side: 'Lo' | 'Hi', value: number): string => e.num(`${window.name}${side}`, value);
  const setTo = (operand: string, value: number): void => {
    e.sets.push(`${next} = ${operand}`, `${e.attr(window.tat)} = ${e.num(`${window.name}Tat`, value + schedule.toleranceMs)}`);
  };
  const { lo, hi } = clamp;
  if (lo !== undefined && current <= lo) {
    const operand = bound('Lo', lo);
    e.conditions.push(`${next} <= ${operand}`);
    setTo(operand, lo);
  } else if (hi !== undefined && current >= hi) {
    const operand = bound('Hi', hi);
    e.conditions.push(`${next} >= ${operand}`);
    setTo(operand, hi);
  } else if (lo !== undefined && hi !== undefined) {
    e.conditions.push(`${next} BETWEEN ${bound('Lo', lo)} AND ${bound('Hi', hi)}`);
  } else {
    e.conditions.push(lo !== undefined ? `${next} >= ${bound('Lo', lo)}` : `${next} <= ${bound('Hi', hi ?? current)}`);
  }
}

/** A 429's hold (and cut) as one conditional UpdateItem; each window's clamp case is part of the condition. */
export function rateLimitUpdate(plan: RateLimitPlan, known: PacerState, next: PacerState, schedule: QuotaSchedule, now: number): UpdateInput {
  const e = new Expression();
  sameAdaptiveFields(e, known, schedule.id);
  clampPremise(e, WINDOWS[0], plan.minute, known.minuteNext, schedule.minute);
  clampPremise(e, WINDOWS[1], plan.hour, known.hourNext, schedule.hour);
  e.sets.push(
    `${e.attr('hu')} = ${e.num('newHu', plan.holdUntil)}`,
    `${e.attr('mf')} = ${e.num('newMf', plan.factors.minute)}`,
    `${e.attr('hf')} = ${e.num('newHf', plan.factors.hour)}`,
    `${e.attr('gen')} = ${e.num('newGen', plan.generation)}`,
    `${e.attr('exp')} = ${e.num('exp', expiresAtSeconds(next, now, schedule))}`,
  );
  return e.toInput();
}

/**
 * The rare path (no item yet, or one written under another schedule): write every attribute, on condition that the
 * item is still exactly what was read.
 */
export function replaceUpdate(previous: StoredState | undefined, next: PacerState, schedule: QuotaSchedule, now: number): UpdateInput {
  const e = new Expression();
  if (previous === undefined) {
    e.conditions.push(`attribute_not_exists(${e.attr('pk')})`);
  } else {
    const old = previous.state;
    sameAdaptiveFields(e, old, previous.scheduleId);
    e.conditions.push(
      `${e.attr('mn')} = ${e.num('oldMn', old.minuteNext)}`,
      `${e.attr('hn')} = ${e.num('oldHn', old.hourNext)}`,
    );
  }
  e.sets.push(
    `${e.attr('mn')} = ${e.num('mn', next.minuteNext)}`,
    `${e.attr('mt')} = ${e.num('mt', next.minuteNext + schedule.minute.toleranceMs)}`,
    `${e.attr('hn')} = ${e.num('hn', next.hourNext)}`,
    `${e.attr('ht')} = ${e.num('ht', next.hourNext + schedule.hour.toleranceMs)}`,
    `${e.attr('hu')} = ${e.num('hu', next.holdUntil)}`,
    `${e.attr('mf')} = ${e.num('mf', next.minuteFactor)}`,
    `${e.attr('hf')} = ${e.num('hf', next.hourFactor)}`,
    `${e.attr('gen')} = ${e.num('gen', next.generation)}`,
    `${e.attr('sid')} = ${e.str('sid', schedule.id)}`,
    `${e.attr('exp')} = ${e.num('exp', expiresAtSeconds(next, now, schedule))}`,
  );
  return e.toInput();
}
