import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LoggedStateMachine } from './logged-state-machine.ts';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { FrontDoorAnswer } from '../lib/webhook/answers.ts';
import { TERMINAL_STATUSES } from '../lib/workflow/activity-events.ts';

export interface WebhookFrontDoorProps {
  /** The Standard workflow the webhook starts. */
  workflow: sfn.StateMachine;
  /** `arn:…:execution:<workflow name>:`, to which an execution's name is appended. */
  executionArnPrefix: string;
  logRetention?: RetentionDays;
}

/** The states tests and the local engine address by name (task handlers, wait overrides). */
export const FrontDoorState = {
  start: 'StartWorkflowExecution',
  read: 'ReadWorkflowStatus',
  pause: 'PauseBeforeRead',
} as const;

/** Between two status reads. A workflow takes a few seconds, so a finer interval would mostly add reads. */
const POLL_INTERVAL_SECONDS = 1;

/**
 * API Gateway stops waiting at 29 s (the caller gets its 504 and sends again), so the front door stops there too. A wait
 * of 25 s is 25 pauses of 1 s and a read after each, about 26 s in all.
 */
const FRONT_DOOR_TIMEOUT = Duration.seconds(29);

/**
 * POST /activities's Express "front door": API Gateway calls StartSyncExecution on it with `{name, input, waitSeconds}`
 * (or `{problem, waitSeconds}` when the request template could not name an execution), and it answers with one of
 * lib/webhook/answers.ts FrontDoorAnswer, which the integration response turns into HTTP (infra/webhook-templates.ts).
 *
 * Exactly-once: it starts the Standard workflow under the caller-scoped name, once per request, with no retry. A name
 * already running with the same input gives back that execution (StartExecution is idempotent then); its start date
 * before this machine's own start marks it as another delivery's. A name already used fails with
 * ExecutionAlreadyExists, after which it reads that execution instead. Status lookup: the same name under the same
 * caller is what GET /activities/{id} reads, so every answer's id can be looked up later.
 *
 * With `waitSeconds` it polls DescribeExecution every POLL_INTERVAL_SECONDS until the execution ends or the wait runs
 * out; a failed read counts as "not yet". The polling state holds only name, counters and the last read; the
 * execution input is dropped after the start and masked out of every answer.
 */
export class WebhookFrontDoor extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WebhookFrontDoorProps) {
    super(scope, id);
    const { workflow, executionArnPrefix } = props;
    const name = sfn.JsonPath.stringAt('$.name');
    const waitSeconds = sfn.JsonPath.numberAt('$.waitSeconds');
    const end = (stateId: string, answer: string, fields: Record<string, unknown>) =>
      new sfn.Pass(this, stateId, { parameters: { answer, ...fields } });
    // The last read without the execution's input: a JsonMerge with `mask`, which every polling state carries.
    const readExecution = sfn.JsonPath.jsonMerge(sfn.JsonPath.objectAt('$.execution'), sfn.JsonPath.objectAt('$.mask'));
    const pollingState = (fields: { left: unknown; repeat: unknown; execution: unknown }) => ({ name, waitSeconds, ...fields, mask: { Input: '' } });

    const accepted = end('Accepted', FrontDoorAnswer.accepted, { id: name, waitSeconds });
    const finished = end('Finished', FrontDoorAnswer.finished, { id: name, waitSeconds, execution: readExecution });
    const duplicate = end('Duplicate', FrontDoorAnswer.duplicate, { id: name, waitSeconds, execution: readExecution });
    const unread = end('Unread', FrontDoorAnswer.unread, { id: name, failure: sfn.JsonPath.objectAt('$.readFailure') });

    const read = new tasks.CallAwsService(this, FrontDoorState.read, {
      comment: 'DescribeExecution of the workflow execution this request is about.',
      service: 'sfn',
      action: 'describeExecution',
      parameters: { ExecutionArn: sfn.JsonPath.format(`${executionArnPrefix}{}`, name) },
      iamResources: [`${executionArnPrefix}*`],
      iamAction: 'states:DescribeExecution',
      resultPath: '$.execution',
    });
    const pause = new sfn.Wait(this, FrontDoorState.pause, { time: sfn.WaitTime.duration(Duration.seconds(POLL_INTERVAL_SECONDS)) });
    const countDown = new sfn.Pass(this, 'CountDown', {
      comment: 'One poll used: the same polling state with one poll fewer left (and without the last read failure).',
      parameters: pollingState({ left: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt('$.left'), -1), repeat: sfn.JsonPath.stringAt('$.repeat'), execution: sfn.JsonPath.objectAt('$.execution') }),
    });
    const ended = sfn.Condition.or(...TERMINAL_STATUSES.map((status) => sfn.Condition.stringEquals('$.execution.Status', status)));
    const isRepeat = sfn.Condition.booleanEquals('$.repeat', true);
    const resultReady = new sfn.Choice(this, 'ResultReady')
      .when(sfn.Condition.and(ended, sfn.Condition.not(isRepeat)), finished)
      .when(ended, duplicate)
      .when(sfn.Condition.numberGreaterThan('$.left', 0), countDown)
      .when(sfn.Condition.and(isRepeat, sfn.Condition.stringEquals('$.execution.Status', 'UNREAD')), unread)
      .when(isRepeat, duplicate)
      .otherwise(accepted);
    read.addCatch(resultReady, { errors: ['States.ALL'], resultPath: '$.readFailure' });
    read.next(resultReady);
    pause.next(read);
    countDown.next(pause);

    // A new execution is RUNNING until read otherwise; a repeat's status is read at once, before any pause.
    const awaitNew = new sfn.Pass(this, 'AwaitNew', {
      parameters: pollingState({ left: sfn.JsonPath.mathAdd(waitSeconds, -1), repeat: false, execution: { Status: 'RUNNING' } }),
    }).next(pause);
    const awaitRepeat = new sfn.Pass(this, 'AwaitRepeat', {
      parameters: pollingState({ left: waitSeconds, repeat: true, execution: { Status: 'UNREAD' } }),
    }).next(read);

    const start = new tasks.CallAwsService(this, FrontDoorState.start, {
      comment: 'The one StartExecution of this request: no Retry, so a throttled start is answered 429 and sent again by the caller.',
      service: 'sfn',
      action: 'startExecution',
      parameters: { StateMachineArn: workflow.stateMachineArn, Name: name, Input: sfn.JsonPath.stringAt('$.input') },
      iamResources: [workflow.stateMachineArn],
      iamAction: 'states:StartExecution',
      resultSelector: { startDate: sfn.JsonPath.stringAt('$.StartDate') },
      resultPath: '$.started',
    });
    const startFailed = new sfn.Choice(this, 'StartFailed')
      .when(sfn.Condition.stringMatches('$.startFailure.Error', '*ExecutionAlreadyExists*'), awaitRepeat)
      .otherwise(end('NotStarted', FrontDoorAnswer.notStarted, { failure: sfn.JsonPath.objectAt('$.startFailure') }));
    start.addCatch(startFailed, { errors: ['States.ALL'], resultPath: '$.startFailure' });
    start.next(new sfn.Choice(this, 'NewOrRepeat', { comment: 'StartExecution of a running execution with the same name and input returns that one, with its own start date.' })
      // The context object goes in Variable, where state machines commonly read it; the start date is the path compared.
      .when(sfn.Condition.timestampGreaterThanJsonPath('$$.Execution.StartTime', '$.started.startDate'), awaitRepeat)
      .when(sfn.Condition.numberGreaterThan('$.waitSeconds', 0), awaitNew)
      .otherwise(accepted));

    const checkDelivery = new sfn.Choice(this, 'CheckDelivery')
      .when(sfn.Condition.isPresent('$.problem'), end('Refused', FrontDoorAnswer.refused, { problem: sfn.JsonPath.stringAt('$.problem') }))
      .otherwise(start);

    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.stateMachine = new LoggedStateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      comment: 'POST /activities: starts the HiringCenter workflow once under the delivery\'s name, and waits for it within Prefer: wait.',
      definitionBody: sfn.DefinitionBody.fromChainable(checkDelivery),
      timeout: FRONT_DOOR_TIMEOUT,
      logRetention: retention,
    });

    const workflowName = `<${Stack.of(this).getLogicalId(workflow.node.defaultChild as sfn.CfnStateMachine)}.Name>`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${workflowName}:*]`,
        reason: 'DescribeExecution on the executions of the workflow state machine only: their names are only known at run time.',
      },
    );
  }
}
