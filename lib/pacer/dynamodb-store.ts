import { DynamoDBClient, GetItemCommand, UpdateItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  applyRateLimitPlan,
  INITIAL_STATE,
  planRateLimited,
  planHolds,
  planReservation,
  reserveSlot,
  applyRateLimited,
  type PacerState,
  type RateLimitSignal,
  type ReserveOptions,
  type ReserveOutcome,
} from './gcra.ts';
import { decodeItem, rateLimitUpdate, replaceUpdate, reservationUpdate, type StoredState } from './dynamodb-item.ts';
import { PARTITION_KEY } from './table-schema.ts';
import type { QuotaSchedule } from './schedule.ts';
import type { PacerStore } from './store.ts';

export interface DynamoDbPacerStoreOptions {
  tableName: string;
  /** Created lazily on first use when omitted, so constructing the store costs nothing at cold start. */
  client?: DynamoDBClient;
}

/** Attempts per operation; each failed one means the item left the regime the attempt assumed (rare under load). */
const MAX_ATTEMPTS = 10;

type Known = { fresh: boolean; stored: StoredState | undefined };

/**
 * The schedule in a DynamoDB table shared by the whole fleet. A reservation is one conditional UpdateItem computed
 * from the last state this container saw; its condition checks only the regime (lib/pacer/dynamodb-item.ts), so it
 * holds under load and the item answers with the old values, from which the slot follows. When the condition fails,
 * the state is read again (from the failure itself when DynamoDB returns it, else with a consistent GetItem) and the
 * update is recomputed.
 */
export class DynamoDbPacerStore implements PacerStore {
  readonly tableName: string;
  #client: DynamoDBClient | undefined;
  /** Last state seen per quota key: a guess for the next plan, never trusted without a condition. */
  readonly #seen = new Map<string, StoredState | undefined>();

  constructor(options: DynamoDbPacerStoreOptions) {
    const tableName = typeof options.tableName === 'string' ? options.tableName.trim() : '';
    if (tableName === '') throw new RangeError('DynamoDbPacerStore needs tableName (the pacer table, e.g. from PACER_TABLE_NAME)');
    this.tableName = tableName;
    this.#client = options.client;
  }

  reserve(key: string, schedule: QuotaSchedule, now: number, options: ReserveOptions = {}): Promise<ReserveOutcome> {
    const { notLaterThan, cost } = options;
    return this.#withState<ReserveOutcome>(key, schedule, async ({ fresh, stored }) => {
      if (stored === undefined || stored.scheduleId !== schedule.id) {
        const outcome = reserveSlot(stored?.state ?? INITIAL_STATE, now, schedule, options);
        if (!outcome.reserved && fresh) return { done: outcome };
        if (!outcome.reserved) return { retry: undefined };
        const replaced = await this.#replace(key, stored, outcome.state, schedule, now);
        return replaced.applied ? { done: outcome } : { retry: replaced.current };
      }
      const plan = planReservation(stored.state, now, schedule, cost);
      if (notLaterThan !== undefined && plan.slotAt > notLaterThan) {
        return fresh ? { done: { reserved: false, earliestSlotAt: plan.slotAt, state: stored.state } } : { retry: undefined };
      }
      const result = await this.#update(key, reservationUpdate(plan, stored.state, schedule, now, notLaterThan), 'ALL_OLD');
      if (!result.applied) return { retry: result.current };
      // The slot and the new state follow from the old item, in the regime the condition guaranteed.
      const old = this.#decode(key, result.item).state;
      if (!planHolds(plan, old, now, schedule)) {
        throw new Error(`Quota pacer: the update for quota ${key} was applied outside its regime (a bug in lib/pacer/dynamodb-item.ts)`);
      }
      const applied = planReservation(old, now, schedule, cost);
      this.#seen.set(key, { state: applied.next, scheduleId: schedule.id });
      return { done: { reserved: true, slotAt: applied.slotAt, generation: old.generation, state: applied.next } };
    });
  }

  rateLimited(key: string, schedule: QuotaSchedule, signal: RateLimitSignal, now: number): Promise<PacerState> {
    return this.#withState<PacerState>(key, schedule, async ({ fresh, stored }) => {
      if (stored === undefined || stored.scheduleId !== schedule.id) {
        const next = applyRateLimited(stored?.state ?? INITIAL_STATE, signal, now, schedule);
        if (stored !== undefined && next === stored.state && fresh) return { done: next };
        const replaced = await this.#replace(key, stored, next, schedule, now);
        return replaced.applied ? { done: next } : { retry: replaced.current };
      }
      const plan = planRateLimited(stored.state, signal, now, schedule);
      // A hold only ever moves later, so a stale state can wrongly ask for a change but never wrongly skip one.
      if (plan === undefined) return { done: stored.state };
      const next = applyRateLimitPlan(stored.state, plan);
      const result = await this.#update(key, rateLimitUpdate(plan, stored.state, next, schedule, now), 'ALL_NEW');
      if (!result.applied) return { retry: result.current };
      const state = this.#decode(key, result.item).state;
      this.#seen.set(key, { state, scheduleId: schedule.id });
      return { done: state };
    });
  }

  /**
   * Runs `attempt` on the best known state until it is done: from the last state seen (or a guess) first, then from
   * what a failed condition returned, or from a fresh read (`retry: undefined`).
   */
  async #withState<T>(key: string, schedule: QuotaSchedule, attempt: (known: Known) => Promise<{ done: T } | { retry: Known | undefined }>): Promise<T> {
    let known: Known | undefined = this.#known(key, schedule);
    for (let round = 0; round < MAX_ATTEMPTS; round += 1) {
      known ??= { fresh: true, stored: await this.#read(key) };
      const result = await attempt(known);
      if ('done' in result) return result.done;
      known = result.retry;
    }
    throw this.#contention(key);
  }

  async read(key: string): Promise<PacerState> {
    return (await this.#read(key))?.state ?? INITIAL_STATE;
  }

  /**
   * The state to plan from: the last one seen, else a guess of an idle, never-cut schedule. The guess costs nothing
   * when right (a quiet quota: one request at cold start) and one failed condition when wrong, whose answer carries
   * the item in DynamoDB (a GetItem with servers that do not return it).
   */
  #known(key: string, schedule: QuotaSchedule): Known {
    if (this.#seen.has(key)) return { fresh: false, stored: this.#seen.get(key) };
    return { fresh: false, stored: { state: INITIAL_STATE, scheduleId: schedule.id } };
  }

  get #dynamo(): DynamoDBClient {
    this.#client ??= new DynamoDBClient({});
    return this.#client;
  }

  #decode(key: string, item: Record<string, AttributeValue> | undefined): StoredState {
    if (item === undefined) throw new Error(`Quota pacer: DynamoDB returned no item for quota ${key} in table ${this.tableName}`);
    return decodeItem(item, `for quota ${key} in table ${this.tableName}`);
  }

  async #read(key: string): Promise<StoredState | undefined> {
    const response = await this.#send('GetItem', () =>
      this.#dynamo.send(new GetItemCommand({ TableName: this.tableName, Key: { [PARTITION_KEY]: { S: key } }, ConsistentRead: true })),
    );
    const stored = response.Item === undefined ? undefined : this.#decode(key, response.Item);
    this.#seen.set(key, stored);
    return stored;
  }

  /** Writes `next` whole; a lost race answers with the item as it now is (when the server returns it), as #update does. */
  async #replace(key: string, previous: StoredState | undefined, next: PacerState, schedule: QuotaSchedule, now: number) {
    const result = await this.#update(key, replaceUpdate(previous, next, schedule, now), 'NONE');
    if (result.applied) this.#seen.set(key, { state: next, scheduleId: schedule.id });
    return result;
  }

  /** One conditional UpdateItem. A failed condition is an answer, not an error: it carries the item as it is now. */
  async #update(
    key: string,
    input: ReturnType<typeof reservationUpdate>,
    returnValues: 'ALL_OLD' | 'ALL_NEW' | 'NONE',
  ): Promise<{ applied: true; item: Record<string, AttributeValue> | undefined } | { applied: false; current: Known | undefined }> {
    try {
      const response = await this.#dynamo.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PARTITION_KEY]: { S: key } },
          ...input,
          ReturnValues: returnValues,
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { applied: true, item: response.Attributes };
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException') throw this.#failure('UpdateItem', error);
      // DynamoDB returns the item with the failure; a server that does not (dynalite) leaves it to a GetItem.
      const item = (error as { Item?: Record<string, AttributeValue> }).Item;
      if (item === undefined) return { applied: false, current: undefined };
      const stored = this.#decode(key, item);
      this.#seen.set(key, stored);
      return { applied: false, current: { fresh: true, stored } };
    }
  }

  async #send<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.#failure(operation, error);
    }
  }

  #failure(operation: string, error: unknown): Error {
    const name = (error as { name?: unknown }).name;
    const hint =
      name === 'AccessDeniedException'
        ? `; grant dynamodb:UpdateItem and dynamodb:GetItem on it (PacerTable.grantReserve)`
        : name === 'ResourceNotFoundException'
          ? '; check that the table exists and PACER_TABLE_NAME names it'
          : '';
    // DynamoDB's messages name attributes and expressions, never item values beyond this quota's own numbers.
    const message = error instanceof Error ? `: ${error.message}` : '';
    return new Error(`Quota pacer: DynamoDB ${operation} on table ${this.tableName} failed (${String(name)})${hint}${message}`, { cause: error });
  }

  #contention(key: string): Error {
    return new Error(`Quota pacer: quota ${key} in table ${this.tableName} changed under ${MAX_ATTEMPTS} attempts in a row; try again`);
  }
}
