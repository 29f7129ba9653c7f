import { Duration } from 'aws-cdk-lib';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
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
  publishFailure: 'PublishFailureEvent',
  done: 'Done',
} as const;

/** The task that runs a failed step once more, so that the execution fails at a Task that a redrive can resume. */
export function finalAttemptStateName(step: TaskStateName): string {
  return `${step}FinalAttempt`;
}

export type TaskStateName = typeof StateNames.upsertProspect | typeof StateNames.createNote | typeof StateNames.createTask | typeof StateNames.createMeeting;

/** The event a failed execution publishes, so users can react (ARCHITECTURE.md flow, issue "Triggers and operations"). */
export const FAILURE_EVENT = { source: 'hiringcenter.workflows', detailType: 'ProspectActivityFailed' } as const;

export interface StepFunctions {
  upsertProspect: IFunction;
  createNote: IFunction;
  createTask: IFunction;
  createMeeting: IFunction;
}

export interface DefinitionOptions {
  /** Rate-limit waits per execution before giving up (each honours the API's Retry-After). */
  maxRateLimitWaits?: number;
  /** Where ProspectActivityFailed goes. Without a bus, a failure just fails the execution. */
  failureEventBus?: IEventBus;
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
 * State layout: `$.input` is the caller's workflow input, `$.executionKey` the execution-scoped idempotency key,
 * `$.run` the record that the handlers pass along (and the output contract at the end), `$.throttle` the rate-limit
 * bookkeeping. A 429 is caught, its Retry-After read from the error (the message is JSON because only
 * errorType/errorMessage survive into `Cause`), waited out in a Wait state, and the same task runs again with the same
 * idempotency key. Any other error that the retriers did not absorb publishes ProspectActivityFailed; the step then
 * runs once more and, failing again, fails the execution at that task with its own error name and cause.
 */
export function buildWorkflowDefinition(scope: Construct, fns: StepFunctions, options: DefinitionOptions = {}): sfn.IChainable {
  const maxWaits = options.maxRateLimitWaits ?? 20;
  const throttle = { waits: 0 };

  // The execution key: the caller's idempotencyKey, else (for an EventBridge event) the event id, else the execution name.
  // An EventBridge target delivers the whole event; a raw workflow input can never have `detail` (the schema is strict).
  const eventWithKey = sfn.Condition.and(sfn.Condition.isPresent('$.detail'), sfn.Condition.isPresent('$.id'), sfn.Condition.isPresent('$.detail.idempotencyKey'));
  const event = sfn.Condition.and(sfn.Condition.isPresent('$.detail'), sfn.Condition.isPresent('$.id'), sfn.Condition.isPresent('$.source'));
  const keyState = (id: string, inputPath: string, keyPath: string) =>
    new sfn.Pass(scope, id, { parameters: { 'input.$': inputPath, 'executionKey.$': keyPath, throttle } });
  const fromEventDetail = keyState('KeyFromEventDetail', '$.detail', '$.detail.idempotencyKey');
  const fromEventId = keyState('KeyFromEventId', '$.detail', '$.id');
  const fromInput = keyState('KeyFromInput', '$', '$.idempotencyKey');
  const fromExecutionName = keyState('KeyFromExecutionName', '$', '$$.Execution.Name');
  const init = new sfn.Choice(scope, StateNames.init, { comment: 'Pick the execution-scoped idempotency key.' })
    .when(eventWithKey, fromEventDetail)
    .when(event, fromEventId)
    .when(sfn.Condition.isPresent('$.idempotencyKey'), fromInput)
    .otherwise(fromExecutionName);

  // After a step's error is published, the step runs once more as <Step>FinalAttempt (same payload, so the same
  // idempotency key): it either succeeds (the error was transient) or fails the execution AT A TASK. That matters for
  // Step Functions redrive, which resumes from the state that failed: from a Fail state it would only fail again,
  // while from the final-attempt task it re-runs the step and carries on down the chain.
  const retryFailedStep = new sfn.Choice(scope, 'RunFailedStepOnceMore');
  const publishFailure = options.failureEventBus
    ? new tasks.EventBridgePutEvents(scope, StateNames.publishFailure, {
      entries: [{
        eventBus: options.failureEventBus,
        source: FAILURE_EVENT.source,
        detailType: FAILURE_EVENT.detailType,
        detail: sfn.TaskInput.fromObject({
          errorName: sfn.JsonPath.stringAt('$.failure.Error'),
          failedStep: sfn.JsonPath.stringAt('$.failedStep'),
          idempotencyKey: sfn.JsonPath.stringAt('$.executionKey'),
          executionName: sfn.JsonPath.stringAt('$$.Execution.Name'),
          executionArn: sfn.JsonPath.stringAt('$$.Execution.Id'),
        }),
      }],
      resultPath: sfn.JsonPath.DISCARD,
    })
    : undefined;
  // Publishing is best effort: its own failure must not replace the error the caller needs to see.
  publishFailure?.addCatch(retryFailedStep, { errors: [sfn.Errors.ALL], resultPath: '$.publishError' }).next(retryFailedStep);
  const afterFailure: sfn.IChainable = publishFailure ?? retryFailedStep;

  const resume = new sfn.Choice(scope, 'ResumeAfterRateLimit');
  const waitRetryAfter = new sfn.Wait(scope, 'WaitRetryAfter', {
    comment: "Wait as long as the API's Retry-After asked.",
    time: sfn.WaitTime.secondsPath('$.throttle.wait.detail.retryAfterSeconds'),
  }).next(resume);
  const budgetExhausted = new sfn.Pass(scope, 'RateLimitBudgetExhausted', {
    comment: 'Record the rate limit as the failure of the step that was waiting.',
    parameters: {
      Error: ErrorName.RateLimited,
      // JSON like a Lambda error's Cause, so every failure's cause reads the same way (e.g. in GET /activities/{id}).
      Cause: JSON.stringify({ errorType: ErrorName.RateLimited, errorMessage: `HiringCenter kept rate-limiting after ${maxWaits} waits; the records written so far are kept and a redrive resumes at this step.` }),
    },
    resultPath: '$.failure',
  }).next(new sfn.Pass(scope, 'RecordRateLimitedStep', { inputPath: '$.throttle.resume', resultPath: '$.failedStep' }).next(afterFailure));
  const budgetLeft = new sfn.Choice(scope, 'RateLimitBudgetLeft')
    .when(sfn.Condition.numberGreaterThan('$.throttle.waits', maxWaits), budgetExhausted)
    .otherwise(waitRetryAfter);
  const readRetryAfter = new sfn.Pass(scope, 'ReadRetryAfter', {
    parameters: { 'detail.$': 'States.StringToJson($.throttle.cause.errorMessage)' },
    resultPath: '$.throttle.wait',
  }).next(budgetLeft);

  const invoke = (id: string, fn: IFunction, payload: Record<string, string>): tasks.LambdaInvoke => new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: fn,
    payload: sfn.TaskInput.fromObject({ ...payload, 'executionName.$': '$$.Execution.Name' }),
    payloadResponseOnly: true,
    resultPath: '$.run',
    retryOnServiceExceptions: true,
  });

  const step = (name: TaskStateName, fn: IFunction, payload: Record<string, string>, next: sfn.IChainable): tasks.LambdaInvoke => {
    const main = invoke(name, fn, payload);
    main.addRetry(RETRY_POLICY.unavailable).addRetry(RETRY_POLICY.inFlight).addRetry(RETRY_POLICY.lambdaThrottled);
    const recordThrottle = new sfn.Pass(scope, `${name}RateLimited`, {
      parameters: { resume: name, 'waits.$': 'States.MathAdd($.throttle.waits, 1)', 'cause.$': 'States.StringToJson($.lastError.Cause)' },
      resultPath: '$.throttle',
    }).next(readRetryAfter);
    main.addCatch(recordThrottle, { errors: [ErrorName.RateLimited], resultPath: '$.lastError' });
    const recordFailure = new sfn.Pass(scope, `${name}Failed`, { result: sfn.Result.fromString(name), resultPath: '$.failedStep' }).next(afterFailure);
    main.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: '$.failure' });
    main.next(next);
    // Only Lambda's own throttling is retried here: the HiringCenter retries already ran out on the first attempt.
    const finalAttempt = invoke(finalAttemptStateName(name), fn, payload).addRetry(RETRY_POLICY.lambdaThrottled).next(next);
    retryFailedStep.when(sfn.Condition.stringEquals('$.failedStep', name), finalAttempt);
    resume.when(sfn.Condition.stringEquals('$.throttle.resume', name), main);
    return main;
  };

  const done = new sfn.Succeed(scope, StateNames.done, { outputPath: '$.run' });
  const meeting = step(StateNames.createMeeting, fns.createMeeting, { 'meeting.$': '$.input.meeting', 'run.$': '$.run' }, done);
  const hasMeeting = new sfn.Choice(scope, 'HasMeeting').when(sfn.Condition.isPresent('$.input.meeting'), meeting).otherwise(done);
  const taskStep = step(StateNames.createTask, fns.createTask, { 'task.$': '$.input.task', 'run.$': '$.run' }, hasMeeting);
  const hasTask = new sfn.Choice(scope, 'HasTask').when(sfn.Condition.isPresent('$.input.task'), taskStep).otherwise(hasMeeting);
  const note = step(StateNames.createNote, fns.createNote, { 'note.$': '$.input.note', 'run.$': '$.run' }, hasTask);
  const hasNote = new sfn.Choice(scope, 'HasNote').when(sfn.Condition.isPresent('$.input.note'), note).otherwise(hasTask);
  const upsert = step(StateNames.upsertProspect, fns.upsertProspect, { 'input.$': '$.input', 'executionKey.$': '$.executionKey' }, hasNote);
  for (const keyPass of [fromEventDetail, fromEventId, fromInput, fromExecutionName]) keyPass.next(upsert);

  return init;
}
