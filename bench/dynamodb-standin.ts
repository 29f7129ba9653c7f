import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server.ts';

/**
 * A loopback stand-in for DynamoDB (AWS JSON 1.0) that answers at once, so that a measurement times the client, not a
 * server; like bench/secrets-manager-standin.ts. Two modes:
 *
 * - `idle` (bench/pacer-cold-start.ts): every `UpdateItem` and `GetItem` answers with one constant item, an idle pacer
 *   schedule (lib/pacer/dynamodb-item.ts's attributes), so a pacer's first reservation in a process succeeds in one
 *   request. Only a first reservation: a second one would be planned from a state this constant item contradicts.
 * - `table` (`npm run bench`): items are kept, and `UpdateItem` evaluates the expressions the pacer and the baselines
 *   send (conditions with comparisons, BETWEEN, attribute_(not_)exists and AND; SET with `+`, `-` and if_not_exists),
 *   answering as DynamoDB does, a failed condition included, so a step can reserve slot after slot in a warm loop.
 */
export interface DynamoDbStandIn {
  readonly url: string;
  requests(): number;
  close(): Promise<void>;
}

type Value = { N: string } | { S: string };
type Item = Record<string, Value>;

const IDLE_ITEM: Item = {
  pk: { S: 'bench' },
  minuteNext: { N: '0' }, minuteTat: { N: '0' }, hourNext: { N: '0' }, hourTat: { N: '0' },
  holdUntil: { N: '0' }, minuteFactor: { N: '1' }, hourFactor: { N: '1' }, generation: { N: '0' },
  scheduleId: { S: 'bench' }, expiresAt: { N: '0' },
};

interface UpdateRequest {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValues?: 'NONE' | 'ALL_OLD' | 'ALL_NEW';
  ReturnValuesOnConditionCheckFailure?: 'NONE' | 'ALL_OLD';
}

class Unsupported extends Error {}

/** One table's items and the two operations on them, evaluated against an expression's names and values. */
class Table {
  readonly #items = new Map<string, Item>();

  get(key: Item): Item | undefined {
    return this.#items.get(JSON.stringify(key));
  }

  update(request: UpdateRequest): { status: number; body: unknown } {
    const id = JSON.stringify(request.Key);
    const old = this.#items.get(id);
    const scope = new Scope(old ?? {}, request.ExpressionAttributeNames ?? {}, request.ExpressionAttributeValues ?? {});
    if (request.ConditionExpression && !scope.condition(request.ConditionExpression)) {
      const withItem = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old ? { Item: old } : {};
      return { status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed', ...withItem } };
    }
    const next: Item = { ...(old ?? request.Key), ...scope.assignments(request.UpdateExpression) };
    this.#items.set(id, next);
    const returned = request.ReturnValues === 'ALL_NEW' ? next : request.ReturnValues === 'ALL_OLD' ? old : undefined;
    return { status: 200, body: returned ? { Attributes: returned } : {} };
  }
}

/** Reads one expression over one item. Numbers are whole (the pacer stores whole ms) or decimal (its rate factors). */
class Scope {
  readonly item: Item;
  readonly names: Record<string, string>;
  readonly values: Item;

  constructor(item: Item, names: Record<string, string>, values: Item) {
    this.item = item;
    this.names = names;
    this.values = values;
  }

  condition(expression: string): boolean {
    const tokens = expression.match(/attribute_(?:not_)?exists\(#\w+\)|BETWEEN|AND|<>|<=|>=|[=<>]|[#:]\w+/g) ?? [];
    let at = 0;
    const take = (): string => tokens[at++] ?? '';
    let holds = true;
    while (at < tokens.length) {
      const first = take();
      const exists = /^attribute_(not_)?exists\((#\w+)\)$/.exec(first);
      if (exists) {
        const present = this.item[this.#name(exists[2] ?? '')] !== undefined;
        holds &&= exists[1] ? !present : present;
      } else {
        const operator = take();
        const left = this.#operand(first);
        if (operator === 'BETWEEN') {
          const low = this.#operand(take());
          if (take() !== 'AND') throw new Unsupported(`BETWEEN without AND in ${expression}`);
          const high = this.#operand(take());
          holds &&= left !== undefined && low !== undefined && high !== undefined && compare(left, low) >= 0 && compare(left, high) <= 0;
        } else {
          const right = this.#operand(take());
          holds &&= left !== undefined && right !== undefined && test(operator, compare(left, right));
        }
      }
      if (at < tokens.length && take() !== 'AND') throw new Unsupported(`only AND joins conditions: ${expression}`);
    }
    return holds;
  }

  assignments(expression: string): Item {
    const match = /^SET\s+(.*)$/s.exec(expression.trim());
    if (!match) throw new Unsupported(`only SET updates: ${expression}`);
    const out: Item = {};
    // Commas inside if_not_exists(...) do not separate clauses.
    for (const clause of (match[1] ?? '').split(/,(?![^(]*\))/)) {
      const parts = /^\s*(#\w+)\s*=\s*(if_not_exists\(#\w+,\s*:\w+\)|[#:]\w+)\s*(?:([+-])\s*([#:]\w+))?\s*$/.exec(clause);
      if (!parts) throw new Unsupported(`SET clause ${clause}`);
      const [, target = '', first = '', sign, second] = parts;
      let value = this.#operand(first);
      if (value === undefined) throw new Unsupported(`${first} is not set in ${clause}`);
      if (sign && second) {
        const other = this.#operand(second);
        if (!('N' in value) || other === undefined || !('N' in other)) throw new Unsupported(`arithmetic on a non-number in ${clause}`);
        value = { N: String(Number(value.N) + (sign === '+' ? 1 : -1) * Number(other.N)) };
      }
      out[this.#name(target)] = value;
    }
    return out;
  }

  #name(token: string): string {
    const name = this.names[token];
    if (name === undefined) throw new Unsupported(`no ExpressionAttributeNames entry for ${token}`);
    return name;
  }

  #operand(token: string): Value | undefined {
    const fallback = /^if_not_exists\((#\w+),\s*(:\w+)\)$/.exec(token);
    if (fallback) return this.item[this.#name(fallback[1] ?? '')] ?? this.values[fallback[2] ?? ''];
    if (token.startsWith(':')) return this.values[token];
    return this.item[this.#name(token)];
  }
}

function compare(left: Value, right: Value): number {
  if ('N' in left && 'N' in right) return Number(left.N) - Number(right.N);
  if ('S' in left && 'S' in right) return left.S < right.S ? -1 : left.S > right.S ? 1 : 0;
  return Number.NaN;
}

function test(operator: string, order: number): boolean {
  switch (operator) {
    case '=': return order === 0;
    case '<>': return order !== 0;
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    default: throw new Unsupported(`operator ${operator}`);
  }
}

export async function startDynamoDbStandIn(options: { mode?: 'idle' | 'table' } = {}): Promise<DynamoDbStandIn> {
  const mode = options.mode ?? 'idle';
  const tables = new Map<string, Table>();
  const tableOf = (name: string): Table => {
    let table = tables.get(name);
    if (!table) tables.set(name, (table = new Table()));
    return table;
  };
  let requests = 0;
  const reply = (res: ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/x-amz-json-1.0', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': 'bench' });
    res.end(text);
  };
  const invalid = (res: ServerResponse, message: string): void => reply(res, 400, { __type: 'com.amazon.coral.validate#ValidationException', message });
  const handle = (req: IncomingMessage, res: ServerResponse, text: string): void => {
    requests += 1;
    const target = req.headers['x-amz-target'];
    if (mode === 'idle') {
      if (target === 'DynamoDB_20120810.UpdateItem') return reply(res, 200, { Attributes: IDLE_ITEM });
      if (target === 'DynamoDB_20120810.GetItem') return reply(res, 200, { Item: IDLE_ITEM });
      return invalid(res, `not served by the stand-in: ${String(target)}`);
    }
    try {
      const request = JSON.parse(text) as UpdateRequest;
      if (target === 'DynamoDB_20120810.UpdateItem') {
        const { status, body } = tableOf(request.TableName).update(request);
        return reply(res, status, body);
      }
      if (target === 'DynamoDB_20120810.GetItem') {
        const item = tableOf(request.TableName).get(request.Key);
        return reply(res, 200, item ? { Item: item } : {});
      }
      return invalid(res, `not served by the stand-in: ${String(target)}`);
    } catch (error) {
      // A shape the stand-in does not evaluate must fail loudly, never answer as if it had applied.
      return invalid(res, `the stand-in cannot evaluate this request: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const server = await listenOnLoopback(handle);
  return { url: server.url, requests: () => requests, close: () => server.close() };
}
