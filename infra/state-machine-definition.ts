import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ErrorName } from '../lib/errors.ts';

/** State names are part of the contract with the local runner (it binds handlers by them) and with operators' alarms. */
export const StateNames = {
  init: 'Init',
  upsertProspect: 'UpsertProspect',
  createNote: 'CreateNote',
  createTask: 'CreateTask',
  createMeeting: 'CreateMeeting',
  done: 'Done',
} as const;

export type TaskStateName = typeof StateNames.upsertProspect | typeof StateNames.createNote | typeof StateNames.createTask | typeof StateNames.createMeeting;

export interface StepFunctions {
  upsertProspect: IFunction;
  createNote: IFunction;
  createTask: IFunction;
  createMeeting: IFunction;
}

export interface DefinitionOptions {
  /** Rate-limit waits per execution before giving up (each honours the API's Retry-After). */
  maxRateLimitWaits?: number;
  /** Built for each task: what to do with an error that no retrier absorbed (e.g. emit an event, then fail). */
  onFailure?: (scope: Construct, failedState: TaskStateName) => sfn.IChainable;
}

/** Retry policy per named error (ARCHITECTURE.md §3). Every write carries its step's idempotency key, so retries are safe. */
export const RETRY_POLICY = {
  unavailable: { errors: [ErrorName.Unavailable], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL },
  inFlight: { errors: [ErrorName.InFlight], interval: Duration.seconds(2), backoffRate: 1.5, maxAttempts: 8, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL },
  // CDK's service-exception retrier leaves out throttling; a burst of webhooks hitting the concurrency limit must wait, not fail.
  lambdaThrottled: { errors: ['Lambda.TooManyRequestsException'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 8, maxDelay: Duration.seconds(60), jitterStrategy: sfn.JitterType.FULL },
} satisfies Record<string, sfn.RetryProps>;

/**
 * Init → UpsertProspect → [CreateNote] → [CreateTask] → [CreateMeeting] → Done.
 *
 * State layout: `$.input` is the caller's input untouched, `$.run` the record that the handlers pass along (and the
 * output contract at the end), `$.throttle` the rate-limit bookkeeping. A 429 is caught, its Retry-After read from the
 * error (the message is JSON because only errorType/errorMessage survive into `Cause`), waited out in a Wait state,
 * and the same task runs again, with the same idempotency key.
 */
export function buildWorkflowDefinition(scope: Construct, fns: StepFunctions, options: DefinitionOptions = {}): sfn.IChainable {
  const maxWaits = options.maxRateLimitWaits ?? 20;
  const init = new sfn.Pass(scope, StateNames.init, {
    comment: 'Keep the caller input under $.input and start the rate-limit counter.',
    parameters: { 'input.$': '$', throttle: { waits: 0 } },
  });

  const resume = new sfn.Choice(scope, 'ResumeAfterRateLimit');
  const waitRetryAfter = new sfn.Wait(scope, 'WaitRetryAfter', {
    comment: "Wait as long as the API's Retry-After asked.",
    time: sfn.WaitTime.secondsPath('$.throttle.wait.detail.retryAfterSeconds'),
  }).next(resume);
  const tooManyWaits = new sfn.Choice(scope, 'RateLimitBudgetLeft')
    .when(sfn.Condition.numberGreaterThan('$.throttle.waits', maxWaits), new sfn.Fail(scope, 'RateLimitBudgetExhausted', {
      error: ErrorName.RateLimited,
      cause: `HiringCenter kept rate-limiting after ${maxWaits} waits; the records written so far are kept and a redrive resumes here.`,
    }))
    .otherwise(waitRetryAfter);
  const readRetryAfter = new sfn.Pass(scope, 'ReadRetryAfter', {
    parameters: { 'detail.$': 'States.StringToJson($.throttle.cause.errorMessage)' },
    resultPath: '$.throttle.wait',
  }).next(tooManyWaits);

  const task = (name: TaskStateName, fn: IFunction, payload: Record<string, string>): tasks.LambdaInvoke => {
    const invoke = new tasks.LambdaInvoke(scope, name, {
      lambdaFunction: fn,
      payload: sfn.TaskInput.fromObject({ ...payload, 'executionName.$': '$$.Execution.Name' }),
      payloadResponseOnly: true,
      resultPath: '$.run',
      retryOnServiceExceptions: true,
    });
    invoke.addRetry(RETRY_POLICY.unavailable).addRetry(RETRY_POLICY.inFlight).addRetry(RETRY_POLICY.lambdaThrottled);
    const recordThrottle = new sfn.Pass(scope, `${name}RateLimited`, {
      parameters: { resume: name, 'waits.$': 'States.MathAdd($.throttle.waits, 1)', 'cause.$': 'States.StringToJson($.lastError.Cause)' },
      resultPath: '$.throttle',
    }).next(readRetryAfter);
    invoke.addCatch(recordThrottle, { errors: [ErrorName.RateLimited], resultPath: '$.lastError' });
    if (options.onFailure) invoke.addCatch(options.onFailure(scope, name), { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    resume.when(sfn.Condition.stringEquals('$.throttle.resume', name), invoke);
    return invoke;
  };

  const done = new sfn.Succeed(scope, StateNames.done, { outputPath: '$.run' });
  const meeting = task(StateNames.createMeeting, fns.createMeeting, { 'meeting.$': '$.input.meeting', 'run.$': '$.run' });
  meeting.next(done);
  const hasMeeting = new sfn.Choice(scope, 'HasMeeting').when(sfn.Condition.isPresent('$.input.meeting'), meeting).otherwise(done);
  const taskStep = task(StateNames.createTask, fns.createTask, { 'task.$': '$.input.task', 'run.$': '$.run' });
  taskStep.next(hasMeeting);
  const hasTask = new sfn.Choice(scope, 'HasTask').when(sfn.Condition.isPresent('$.input.task'), taskStep).otherwise(hasMeeting);
  const note = task(StateNames.createNote, fns.createNote, { 'note.$': '$.input.note', 'run.$': '$.run' });
  note.next(hasTask);
  const hasNote = new sfn.Choice(scope, 'HasNote').when(sfn.Condition.isPresent('$.input.note'), note).otherwise(hasTask);
  const upsert = task(StateNames.upsertProspect, fns.upsertProspect, { 'input.$': '$.input' });
  upsert.next(hasNote);

  return init.next(upsert);
}
