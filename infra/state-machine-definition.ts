import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ErrorName } from '../lib/errors.ts';
import { STATE_OF_STEP, type StepStateName } from '../lib/workflow/keys.ts';
import { QUOTA_WAIT_KEY } from '../lib/workflow/state.ts';

/** State names are a contract with the local runner (it binds handlers by them) and with operators' alarms. */
export const StateNames = {
  upsertProspect: STATE_OF_STEP['upsert-prospect'],
  createNote: STATE_OF_STEP['create-note'],
  createTask: STATE_OF_STEP['create-task'],
  createMeeting: STATE_OF_STEP['create-meeting'],
} as const;
export type TaskStateName = StepStateName;

export interface StepFunctions {
  upsertProspect: IFunction;
  createNote: IFunction;
  createTask: IFunction;
  createMeeting: IFunction;
}

/** The Lambda service's own transient errors: the invocation did not run, or its result was lost. */
const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
  // Left out by CDK's own service-exception retrier: a burst of webhooks hitting the concurrency limit must wait, not fail.
  'Lambda.TooManyRequestsException',
  // A function that timed out or ran out of memory. Retrying it is safe (the step's key is the same) and bounded.
  'Sandbox.Timedout',
  'Lambda.Unknown',
];

/**
 * Retry policy per named error. Every write carries its step's idempotency key, so a retry never writes twice. Errors
 * not listed here (Rejected, Conflict, Unauthorized, QuotaExhausted, Input.Invalid, or anything unexpected) fail the
 * execution at the Task on their first occurrence, where a redrive resumes.
 */
export const RETRY_POLICY = {
  unavailable: { errors: [ErrorName.Unavailable], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL },
  inFlight: { errors: [ErrorName.InFlight], interval: Duration.seconds(2), backoffRate: 1.5, maxAttempts: 8, maxDelay: Duration.seconds(30), jitterStrategy: sfn.JitterType.FULL },
  lambdaService: { errors: LAMBDA_SERVICE_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 8, maxDelay: Duration.seconds(60), jitterStrategy: sfn.JitterType.FULL },
} satisfies Record<string, sfn.RetryProps>;

export interface WorkflowStepProps {
  fn: IFunction;
  /** JSONPath applied to the Task's output, e.g. `$.run` on the last step to leave the output contract. */
  outputPath?: string;
}

/**
 * One step: its Task, the Task's retries, and its quota wait. A rate-limited step (a 429, or a reserved quota slot more
 * than a moment away) is caught, the slot read from the error (two Passes: the Lambda error's Cause is JSON whose
 * `errorMessage` is JSON again), waited for in a Wait state, and the same Task runs again in that slot with the same
 * idempotency key. Waiting is bounded by the execution's timeout, not by a count.
 *
 *   <Step> ──RateLimited──▶ <Step>RateLimited ──▶ <Step>ReadSlot ──▶ <Step>WaitForSlot ──▶ <Step>
 */
export class WorkflowStep extends sfn.StateMachineFragment {
  readonly startState: sfn.State;
  readonly endStates: sfn.INextable[];
  readonly task: tasks.LambdaInvoke;

  constructor(scope: Construct, stateName: TaskStateName, props: WorkflowStepProps) {
    super(scope, stateName);
    this.task = new tasks.LambdaInvoke(this, stateName, {
      lambdaFunction: props.fn,
      payload: sfn.TaskInput.fromObject({
        'state.$': '$',
        execution: { 'name.$': '$$.Execution.Name', 'startTime.$': '$$.Execution.StartTime' },
      }),
      payloadResponseOnly: true,
      // Replaced by RETRY_POLICY.lambdaService, which adds throttling and jitter.
      retryOnServiceExceptions: false,
      ...(props.outputPath ? { outputPath: props.outputPath } : {}),
    });
    this.task.addRetry(RETRY_POLICY.unavailable).addRetry(RETRY_POLICY.inFlight).addRetry(RETRY_POLICY.lambdaService);

    const waitKey = `$.${QUOTA_WAIT_KEY}`;
    const readCause = new sfn.Pass(this, `${stateName}RateLimited`, {
      comment: "Parse the Lambda error's Cause.",
      parameters: { 'cause.$': `States.StringToJson(${waitKey}.Cause)` },
      resultPath: waitKey,
    });
    const readSlot = new sfn.Pass(this, `${stateName}ReadSlot`, {
      comment: 'Parse the slot the step reserved, carried as JSON in the error message.',
      parameters: { 'slot.$': `States.StringToJson(${waitKey}.cause.errorMessage)` },
      resultPath: waitKey,
    });
    const wait = new sfn.Wait(this, `${stateName}WaitForSlot`, {
      comment: 'Wait for the reserved quota slot (or the API\'s Retry-After).',
      time: sfn.WaitTime.timestampPath(`${waitKey}.slot.until`),
    });
    this.task.addCatch(readCause, { errors: [ErrorName.RateLimited], resultPath: waitKey });
    readCause.next(readSlot).next(wait).next(this.task);

    this.startState = this.task;
    this.endStates = [this.task];
  }
}

/**
 * UpsertProspect → CreateNote → CreateTask → CreateMeeting: four Task states, and nothing else on the way of a
 * workflow that is not rate-limited. The first step chooses the execution key and hands the other sections on; a step
 * whose section is absent returns the state unchanged. The last step leaves `$.run`, the output contract.
 */
export function buildWorkflowDefinition(scope: Construct, fns: StepFunctions): sfn.IChainable {
  return new WorkflowStep(scope, StateNames.upsertProspect, { fn: fns.upsertProspect })
    .next(new WorkflowStep(scope, StateNames.createNote, { fn: fns.createNote }))
    .next(new WorkflowStep(scope, StateNames.createTask, { fn: fns.createTask }))
    .next(new WorkflowStep(scope, StateNames.createMeeting, { fn: fns.createMeeting, outputPath: '$.run' }));
}
