import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';

export interface LoggedStateMachineProps extends Omit<sfn.StateMachineProps, 'logs' | 'tracingEnabled'> {
  /** @default one month */
  logRetention?: RetentionDays;
}

/**
 * Every state machine of the project: traced, and logged at level ALL in its own log group without execution data
 * (an execution's input and output hold the prospect's contact details), as WorkflowFunction does for the Lambdas.
 */
export class LoggedStateMachine extends sfn.StateMachine {
  constructor(scope: Construct, id: string, props: LoggedStateMachineProps) {
    const { logRetention, ...machine } = props;
    const destination = new LogGroup(scope, `${id}Logs`, { retention: logRetention ?? RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    super(scope, id, { ...machine, tracingEnabled: true, logs: { destination, level: sfn.LogLevel.ALL, includeExecutionData: false } });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'CloudWatch Logs delivery (logs:CreateLogDelivery etc.) and X-Ray actions that Step Functions logging and tracing need support no resource-level permissions.',
    });
  }
}
