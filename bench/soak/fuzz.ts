/**
 * Fuzz targets for everything that reads a workflow input. The expectation is the same everywhere: a case is either
 * accepted and valid (it can travel through Step Functions and reach the API intact), or rejected with a clear message
 * that names the field; nothing crashes, and a rejected case calls no API and creates no record.
 */
import AjvModule from 'ajv-draft-04';
import fc from 'fast-check';
import {
  createMeetingHandler, createNoteHandler, createTaskHandler, createUpsertProspectHandler, type StepHandler,
} from '../../functions/handlers.ts';
import { InputInvalidError } from '../../lib/errors.ts';
import { createJsonLogger } from '../../dev/json-logger.ts';
import type { StepDependencies } from '../../functions/handlers.ts';
import { localStepDependencies } from '../../dev/local-dependencies.ts';
import { parseWorkflowInput, type WorkflowConfig } from '../../lib/workflow/input.ts';
import { workflowInputJsonSchema } from '../../lib/workflow/json-schema.ts';
import { workflowStateSchema } from '../../lib/workflow/state.ts';
import type { ActivityApi } from '../../lib/workflow/steps.ts';
import { HOSTILE_VALUES, workflowConfigCase, workflowInputCase } from './hostile.ts';

/** Step Functions carries at most 256 KiB per execution input and per state; 16 KiB is left for the state's own fields. */
export const STATE_BUDGET_BYTES = 256 * 1024 - 16 * 1024;
/** The sandbox refuses bodies over 1 MiB (the real API documents no limit). */
const API_BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_MESSAGE_CHARS = 5_000;
const MAX_LOG_LINE_CHARS = 16_384;

export class Violation extends Error {
  override readonly name = 'Violation';
}

export type Verdict = 'accepted' | 'rejected';

export interface FuzzTarget<C> {
  name: string;
  arbitrary: fc.Arbitrary<C>;
  check(testCase: C): Verdict | Promise<Verdict>;
  /** Resources the target holds (a sandbox, a temp directory). */
  close?(): Promise<void>;
}

export interface FuzzResult {
  target: string;
  cases: number;
  accepted: number;
  rejected: number;
  violations: number;
  /** The first few, with a short description of the case. */
  examples: string[];
  ms: number;
}

const CHUNK = 100;

/** Runs `cases` generated cases (seeded, in chunks so that no more than 100 live at once) and counts the verdicts. */
export async function runFuzzTarget<C>(target: FuzzTarget<C>, cases: number, seed: number): Promise<FuzzResult> {
  const started = performance.now();
  const result: FuzzResult = { target: target.name, cases: 0, accepted: 0, rejected: 0, violations: 0, examples: [], ms: 0 };
  for (let offset = 0; offset < cases; offset += CHUNK) {
    for (const testCase of fc.sample(target.arbitrary, { numRuns: Math.min(CHUNK, cases - offset), seed: seed + offset })) {
      result.cases += 1;
      try {
        result[await target.check(testCase)] += 1;
      } catch (error) {
        result.violations += 1;
        // One example per kind of violation (the message up to its first digit tells kinds apart), at most five.
        const kind = describeError(error).split(/\d/)[0] ?? '';
        if (result.examples.length < 5 && !result.examples.some((example) => example.startsWith(kind))) {
          result.examples.push(`${describeError(error)} | case: ${describeCase(testCase)}`);
        }
      }
    }
  }
  result.ms = Math.round(performance.now() - started);
  return result;
}

// ------------------------------------------------------------------------------------------------ shared checks

export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function describeCase(value: unknown): string {
  let text: string;
  try {
    text = value instanceof Uint8Array ? `<${value.length} bytes> ${Buffer.from(value.subarray(0, 120)).toString('latin1')}` : (JSON.stringify(value) ?? String(value));
  } catch {
    text = '<not serializable: nested too deep>';
  }
  return text.length > 240 ? `${text.slice(0, 240)}… (${text.length} chars)` : text;
}

/** Size of the JSON text in UTF-8, as Step Functions counts it; throws a Violation when it cannot be serialized. */
export function jsonBytes(value: unknown, what: string): number {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new Violation(`${what} cannot be serialized to JSON (${describeError(error)}), so Step Functions or the API call would fail after acceptance`);
  }
  return Buffer.byteLength(json, 'utf8');
}

const LONE_SURROGATE = /\p{Cs}/u;

/** Strings that cannot be written as UTF-8 (lone surrogates) or that many stores refuse (NUL), keys included. */
function assertStorableText(value: unknown, what: string, path = ''): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new Violation(`${what} ${path || '(root)'} holds a lone surrogate, which UTF-8 cannot carry`);
    if (value.includes('\u0000')) throw new Violation(`${what} ${path || '(root)'} holds a NUL character`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [key, inner] of Object.entries(value)) {
    assertStorableText(key, `${what} key`, path);
    assertStorableText(inner, what, path ? `${path}.${key}` : key);
  }
}

/**
 * Plain JSON data: objects with the ordinary prototype (a `__proto__` key turned into a prototype loses that field on
 * the wire) and no values that JSON drops or changes (undefined, NaN, Infinity, functions). -0 is fine: it is sent as 0.
 */
function assertPlainJson(value: unknown, what: string, path = ''): void {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Violation(`${what} ${path} is ${value}, which JSON cannot carry`);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
    throw new Violation(`${what} ${path} holds a ${typeof value}, which JSON drops`);
  }
  if (value === null || typeof value !== 'object') return;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== (Array.isArray(value) ? Array.prototype : Object.prototype) && prototype !== null) {
    throw new Violation(`${what} ${path || '(root)'} has a replaced prototype: a field was lost on the way`);
  }
  for (const [key, inner] of Object.entries(value)) assertPlainJson(inner, what, path ? `${path}.${key}` : key);
}

/** What every accepted input must satisfy to complete: it fits, it serializes, and it reaches the API unchanged. */
export function assertAcceptedInputValid(raw: unknown, bodies: readonly unknown[]): void {
  const bytes = jsonBytes(raw, 'the accepted input');
  if (bytes > STATE_BUDGET_BYTES) {
    throw new Violation(`the accepted input is ${Math.round(bytes / 1024)} KiB of JSON; Step Functions carries at most 256 KiB per state, so it cannot complete`);
  }
  for (const body of bodies) {
    if (jsonBytes(body, 'an API request body') > API_BODY_LIMIT_BYTES) throw new Violation('an API request body exceeds 1 MiB');
    assertStorableText(body, 'the API request body');
    assertPlainJson(body, 'the API request body');
  }
  const rawMentions = (raw as { note?: { mentions?: unknown } } | null)?.note?.mentions;
  const sentMentions = bodies.map((body) => (body as { mentions?: unknown } | null)?.mentions).find((mentions) => mentions !== undefined);
  if (Array.isArray(rawMentions) && sentMentions !== undefined && JSON.stringify(rawMentions) !== JSON.stringify(sentMentions)) {
    throw new Violation('note.mentions reached the API altered (a key was dropped on the way)');
  }
}

/** A rejection must be Input.Invalid, name each field, stay readable, and never echo an email or phone. */
export function assertClearRejection(error: unknown, raw: unknown): void {
  if (!(error instanceof InputInvalidError)) throw new Violation(`crashed instead of rejecting: ${describeError(error)}`);
  if (error.issues.length === 0) throw new Violation('rejected without any issue');
  if (error.message.length > MAX_MESSAGE_CHARS) throw new Violation(`the rejection message is ${error.message.length} characters long`);
  const isObject = raw !== null && typeof raw === 'object' && !Array.isArray(raw);
  for (const issue of error.issues) {
    if (typeof issue.path !== 'string' || typeof issue.message !== 'string' || issue.message === '') throw new Violation('an issue without a path or a message');
    if (isObject && issue.path === '') throw new Violation(`an issue that names no field: "${issue.message}"`);
  }
  const prospect = isObject ? (raw as { prospect?: unknown }).prospect : undefined;
  for (const field of ['email', 'phone'] as const) {
    const value = prospect !== null && typeof prospect === 'object' ? (prospect as Record<string, unknown>)[field] : undefined;
    if (typeof value === 'string' && value.length >= 6 && !/^[\w-]+$/.test(value) && error.message.includes(value)) {
      throw new Violation(`the rejection message echoes prospect.${field}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------ targets

export type SchemaCase = { input: unknown; config: WorkflowConfig };

export function schemaTarget(): FuzzTarget<SchemaCase> {
  return {
    name: 'input-schema',
    arbitrary: fc.record({ input: workflowInputCase, config: workflowConfigCase }),
    check({ input, config }) {
      let request;
      try {
        request = parseWorkflowInput(input, config);
      } catch (error) {
        assertClearRejection(error, input);
        return 'rejected';
      }
      assertAcceptedInputValid(input, [request.prospect, request.note, request.task, request.meeting].filter((body) => body !== undefined));
      return 'accepted';
    },
  };
}

const RUN = { prospectId: 'p-fuzz', idempotencyKey: 'fuzz-key', warnings: [] };
type HandlerName = 'UpsertProspect' | 'CreateNote' | 'CreateTask' | 'CreateMeeting';
export type HandlerCase = { handler: HandlerName; event: unknown; config: WorkflowConfig };

const SECTION_OF: Record<Exclude<HandlerName, 'UpsertProspect'>, 'note' | 'task' | 'meeting'> = { CreateNote: 'note', CreateTask: 'task', CreateMeeting: 'meeting' };
const sectionOf = (section: string, input: unknown): unknown => (input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[section] : input);
/** What the handler's Task state sends it: the whole state and the execution's name and start time. */
const eventFor = (handler: HandlerName, input: unknown, key: unknown, run: unknown): unknown => {
  const execution = { name: 'fuzz', startTime: new Date().toISOString() };
  if (handler === 'UpsertProspect') {
    // A caller's key reaches the first step as the input's idempotencyKey (or an EventBridge event's).
    const state = input !== null && typeof input === 'object' && !Array.isArray(input) && key !== 'delivery-42' ? { ...input, idempotencyKey: key } : input;
    return { state, execution };
  }
  const sections = { note: null, task: null, meeting: null, [SECTION_OF[handler]]: sectionOf(SECTION_OF[handler], input) ?? null };
  return { state: { sections, run }, execution };
};
/** The part of a handler's event that comes from the caller's input, for the checks on what was sent. */
const callerInputOf = (testCase: HandlerCase): unknown => {
  const event = testCase.event;
  // A payload that is not even an object is refused as a whole: the issue rightly names no field.
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  const state = (event as { state?: unknown }).state;
  if (testCase.handler === 'UpsertProspect') return state;
  const section = SECTION_OF[testCase.handler];
  return { [section]: (state as { sections?: Record<string, unknown> } | null)?.sections?.[section] };
};

/** Each handler factory from functions/handlers.ts with a stub ActivityApi that records its calls. */
export function handlerTarget(): FuzzTarget<HandlerCase> {
  const calls: { method: string; body: unknown; idempotencyKey: string }[] = [];
  const logLines: string[] = [];
  let config: WorkflowConfig = {};
  const record = (method: string, id: string) => async (body: unknown, options: { idempotencyKey: string }) => {
    calls.push({ method, body, idempotencyKey: options.idempotencyKey });
    return { item: { id }, status: 201, replayed: false, created: true };
  };
  // Only `item.id` and `status` are read from a write result; the stub returns nothing else.
  const api = { upsertProspect: record('upsertProspect', 'p-1'), createNote: record('createNote', 'n-1'), createTask: record('createTask', 't-1'), createMeeting: record('createMeeting', 'm-1') } as unknown as ActivityApi;
  const deps = (): StepDependencies => localStepDependencies({ api, config, logger: createJsonLogger({ level: 'debug', write: (line) => logLines.push(line) }) });
  const handlers: Record<HandlerName, StepHandler> = {
    UpsertProspect: createUpsertProspectHandler(deps),
    CreateNote: createNoteHandler(deps),
    CreateTask: createTaskHandler(deps),
    CreateMeeting: createMeetingHandler(deps),
  };
  const key = fc.oneof({ weight: 4, arbitrary: fc.constant('delivery-42') }, { weight: 1, arbitrary: fc.constantFrom('', 'k'.repeat(201), '\ud800', 42, null) });
  const run = fc.oneof({ weight: 6, arbitrary: fc.constant(RUN) }, { weight: 1, arbitrary: fc.constantFrom({}, { ...RUN, prospectId: '' }, { ...RUN, warnings: 'x' }, ...HOSTILE_VALUES.slice(3, 8)) });
  const handler = fc.constantFrom<HandlerName>('UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting');
  return {
    name: 'handlers',
    arbitrary: fc.oneof(
      { weight: 9, arbitrary: fc.record({ handler, input: workflowInputCase, key, run, config: workflowConfigCase }).map(({ handler: name, input, key: k, run: r, config: c }) => ({ handler: name, event: eventFor(name, input, k, r), config: c })) },
      { weight: 1, arbitrary: fc.record({ handler, event: fc.oneof(fc.constantFrom(...HOSTILE_VALUES), fc.jsonValue({ maxDepth: 3 })), config: workflowConfigCase }) },
    ),
    async check(testCase) {
      calls.length = 0;
      logLines.length = 0;
      config = testCase.config;
      let verdict: Verdict;
      try {
        const result = await handlers[testCase.handler](testCase.event, { awsRequestId: 'fuzz' });
        const raw = callerInputOf(testCase);
        const sectionAbsent = testCase.handler !== 'UpsertProspect' && (raw as Record<string, unknown>)[SECTION_OF[testCase.handler]] == null;
        if (calls.length !== (sectionAbsent ? 0 : 1)) throw new Violation(`accepted with ${calls.length} API calls`);
        if (!workflowStateSchema.safeParse(result).success) throw new Violation('returned a state that breaks the contract between the steps');
        if (calls.length > 0) {
          const key = calls[0]?.idempotencyKey ?? '';
          if (!/^hcwf-v1-[a-z-]+-[0-9a-f]{64}$/.test(key)) throw new Violation('sent a malformed idempotency key');
        }
        assertAcceptedInputValid(raw, calls.map((call) => call.body));
        verdict = 'accepted';
      } catch (error) {
        if (error instanceof Violation) throw error;
        if (calls.length > 0) throw new Violation(`rejected after ${calls.length} API call(s): ${describeError(error)}`);
        assertClearRejection(error, callerInputOf(testCase));
        verdict = 'rejected';
      }
      for (const line of logLines) {
        if (line.length > MAX_LOG_LINE_CHARS) throw new Violation(`a log line of ${line.length} characters`);
        JSON.parse(line);
      }
      return verdict;
    },
  };
}

// ajv-draft-04 is CommonJS with `exports.default`; under NodeNext the class sits on `.default`.
const Ajv = AjvModule.default;

/** The API Gateway model (draft-04, as test/infra/webhook-model.test.ts emulates it) against zod, on hostile bodies. */
export function webhookModelTarget(): FuzzTarget<unknown> {
  const ajv = new Ajv({ allErrors: true, validateFormats: false, strict: false });
  const modelAccepts = ajv.compile(workflowInputJsonSchema('draft-4'));
  return {
    name: 'webhook-model',
    arbitrary: workflowInputCase,
    check(body) {
      let byModel: boolean;
      try {
        byModel = modelAccepts(body);
      } catch (error) {
        throw new Violation(`the model validator crashed: ${describeError(error)}`);
      }
      let byZod = true;
      try {
        parseWorkflowInput(body, { defaultUserId: 'u-default' });
      } catch (error) {
        assertClearRejection(error, body);
        byZod = false;
      }
      if (byZod && !byModel) throw new Violation('API Gateway would refuse a body that the workflow accepts');
      return byModel ? 'accepted' : 'rejected';
    },
  };
}
