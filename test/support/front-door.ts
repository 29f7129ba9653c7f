import { type RunOptions, StateMachine } from 'aws-local-stepfunctions';
import { synthesizeWorkflow } from '../../dev/definition.ts';
import { FrontDoorState } from '../../infra/webhook-front-door.ts';
import { renderMappingTemplate } from './apigateway-vtl.ts';
import { answerFrom, type SynthesizedWebhook } from './webhook-stack.ts';

/*
 * POST /activities end to end, without AWS: the synthesized request template renders the StartSyncExecution request,
 * the synthesized Express front door runs on aws-local-stepfunctions with a fake Step Functions API behind its two
 * AWS SDK tasks, and the synthesized integration response turns its end into the HTTP answer.
 */

type TaskHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
type JSONValue = Parameters<TaskHandlers[string]>[0];
type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface FakeExecution {
  name: string;
  input: string;
  startDate: Date;
  status: Status;
  /** Reads left before the execution ends with `end`. */
  readsUntilEnd: number;
  end: { status: Exclude<Status, 'RUNNING'>; output?: string; error?: string; cause?: string };
}

/** An AWS SDK error as the front door's Catch sees it: the error name (`Sfn.<Exception>`) and the message as Cause. */
export function sdkError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

/**
 * Step Functions' StartExecution and DescribeExecution for one Standard state machine, with the documented naming
 * rules: a name runs once; StartExecution with the name of a running execution and the same input returns it, and any
 * other reuse fails with ExecutionAlreadyExists.
 */
export class FakeStepFunctions {
  readonly executions = new Map<string, FakeExecution>();
  readonly startCalls: { StateMachineArn: string; Name: string; Input: string }[] = [];
  readonly describeCalls: string[] = [];
  /** The next StartExecution / DescribeExecution calls fail with these, in order. */
  readonly startFailures: Error[] = [];
  readonly describeFailures: Error[] = [];
  /** How a new execution ends, and after how many reads. */
  nextEnd: FakeExecution['end'] = { status: 'SUCCEEDED', output: '{}' };
  nextReadsUntilEnd = 0;

  readonly stateMachineArn: string;

  constructor(stateMachineArn: string) {
    this.stateMachineArn = stateMachineArn;
  }

  /** Whether the last StartExecution call created a new execution (rather than returning or refusing one). */
  lastStartCreated = false;

  /** Ends a running execution as it was set up to end, as if it had finished between two requests. */
  finish(name: string): void {
    const execution = this.executions.get(name);
    if (execution?.status === 'RUNNING') execution.status = execution.end.status;
  }

  executionArn(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  startExecution(request: JSONValue): JSONValue {
    const params = request as { StateMachineArn: string; Name: string; Input: string };
    this.startCalls.push(params);
    this.lastStartCreated = false;
    const failure = this.startFailures.shift();
    if (failure) throw failure;
    if (params.StateMachineArn !== this.stateMachineArn) throw sdkError('Sfn.StateMachineDoesNotExistException', 'State Machine Does Not Exist');
    const existing = this.executions.get(params.Name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === params.Input) return { ExecutionArn: this.executionArn(params.Name), StartDate: existing.startDate.toISOString() };
      throw sdkError('Sfn.ExecutionAlreadyExistsException', `Execution Already Exists: '${this.executionArn(params.Name)}'`);
    }
    const created: FakeExecution = { name: params.Name, input: params.Input, startDate: new Date(), status: 'RUNNING', readsUntilEnd: this.nextReadsUntilEnd, end: this.nextEnd };
    this.executions.set(params.Name, created);
    this.lastStartCreated = true;
    return { ExecutionArn: this.executionArn(params.Name), StartDate: created.startDate.toISOString() };
  }

  describeExecution(request: JSONValue): JSONValue {
    const { ExecutionArn } = request as { ExecutionArn: string };
    this.describeCalls.push(ExecutionArn);
    const failure = this.describeFailures.shift();
    if (failure) throw failure;
    const execution = [...this.executions.values()].find((candidate) => this.executionArn(candidate.name) === ExecutionArn);
    if (!execution) throw sdkError('Sfn.ExecutionDoesNotExistException', 'Execution Does Not Exist');
    if (execution.status === 'RUNNING' && execution.readsUntilEnd-- <= 0) execution.status = execution.end.status;
    const ended: Partial<FakeExecution['end']> = execution.status === 'RUNNING' ? {} : execution.end;
    return {
      ExecutionArn, StateMachineArn: this.stateMachineArn, Name: execution.name, Status: execution.status, StartDate: execution.startDate.toISOString(),
      Input: execution.input, InputDetails: { Included: true },
      ...(ended.output === undefined ? {} : { Output: ended.output, OutputDetails: { Included: true } }),
      ...(ended.error === undefined ? {} : { Error: ended.error }),
      ...(ended.cause === undefined ? {} : { Cause: ended.cause }),
    };
  }
}

export interface FrontDoorRun {
  /** StartSyncExecution's answer as API Gateway reads it: status, and output (a string) when the machine succeeded. */
  response: { status: 'SUCCEEDED' | 'FAILED'; output?: string; error?: string; cause?: string };
  /** The front door's output, when it ended normally. */
  answer?: Record<string, unknown>;
  /** Every state entered, in order (Express bills duration, not transitions, but each is a log event). */
  states: string[];
}

const synthesized = () => synthesizeWorkflow('webhookFrontDoor').definition;
let machine: StateMachine | undefined;

/** The synthesized front door on the local engine, its tasks answered by `sfn`, its 1 s pause shortened to 1 ms. */
export async function runFrontDoor(sfn: FakeStepFunctions, input: unknown): Promise<FrontDoorRun> {
  machine ??= new StateMachine(synthesized(), { validationOptions: { checkArn: false } });
  const execution = machine.run(input as JSONValue, {
    overrides: {
      taskResourceLocalHandlers: {
        [FrontDoorState.start]: (request) => sfn.startExecution(request),
        [FrontDoorState.read]: (request) => sfn.describeExecution(request),
      },
      waitTimeOverrides: { [FrontDoorState.pause]: 1 },
    },
  });
  const states: string[] = [];
  const events = (async () => {
    for await (const log of execution.eventLogs) if (log.type === 'StateEntered') states.push(log.state.name);
  })();
  try {
    const answer = (await execution.result) as Record<string, unknown>;
    await events;
    return { response: { status: 'SUCCEEDED', output: JSON.stringify(answer) }, answer, states };
  } catch (error) {
    await events;
    const failure = error as Error & { cause?: { name?: string; message?: string } };
    return { response: { status: 'FAILED', error: failure.cause?.name ?? failure.name, cause: failure.cause?.message ?? failure.message }, states };
  }
}

/** The state machine ARN the synthesized front door starts (the local engine's view of the workflow). */
export function workflowArnOfFrontDoor(): string {
  const start = synthesized().States[FrontDoorState.start] as unknown as { Parameters: { StateMachineArn: string } };
  return start.Parameters.StateMachineArn;
}

export interface Delivery {
  body: unknown;
  headers?: Record<string, string>;
  apiKeyId?: string;
  requestId?: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
  run: FrontDoorRun;
  /** The front door's input, as the request template wrote it. */
  doorInput: Record<string, unknown>;
}

/** One POST /activities through the synthesized request template, front door and integration response. */
export async function postActivities(webhook: SynthesizedWebhook, sfn: FakeStepFunctions, delivery: Delivery): Promise<HttpAnswer> {
  const identity = { apiKeyId: delivery.apiKeyId ?? 'a1b2c3d4e5' };
  const request = renderMappingTemplate(webhook.post.request, {
    body: delivery.body, headers: delivery.headers ?? {}, identity, ...(delivery.requestId ? { requestId: delivery.requestId } : {}),
  });
  const doorInput = JSON.parse((JSON.parse(request.output) as { input: string }).input) as Record<string, unknown>;
  const run = await runFrontDoor(sfn, doorInput);
  // StartSyncExecution's answer also carries the front door's input (the workflow input): the template must ignore it.
  const answer = answerFrom(webhook.post, '', { body: { ...run.response, input: JSON.stringify(doorInput) }, identity });
  return { status: answer.status, headers: answer.headerOverrides, json: answer.json, run, doorInput };
}
