import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface MonitoringProps {
  stateMachine: sfn.IStateMachine;
  /** The webhook's Express front door: when it fails or times out, a caller got a 503 and was asked to send again. */
  frontDoor?: sfn.IStateMachine;
  functions: Record<string, IFunction>;
  /** Dead-letter queues by alarm name: events that could not be delivered wait there. */
  deadLetterQueues: Record<string, sqs.IQueue>;
  /** Optional: subscribe this address to the alarm topic. */
  alarmEmail?: string;
}

/**
 * Alarms on what an operator must act on: failed or timed-out executions, erroring or throttled functions, and
 * undelivered events in the dead-letter queue. All notify one encrypted SNS topic that operators subscribe to.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    // CloudWatch cannot publish to a topic under the AWS-managed SNS key, so the topic gets its own key.
    const key = new kms.Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Encrypts the HiringCenter workflow alarm topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true, displayName: 'HiringCenter workflow alarms' });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const alarm = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };
    const period = Duration.minutes(5);
    alarm('ExecutionsFailed', props.stateMachine.metricFailed({ period }), 'A workflow execution failed; its ProspectActivityFailed event names the step and the error.');
    alarm('ExecutionsTimedOut', props.stateMachine.metricTimedOut({ period }), 'A workflow execution timed out.');
    if (props.frontDoor) {
      const frontDoorFailures = new cloudwatch.MathExpression({
        expression: 'failed + timedOut',
        usingMetrics: { failed: props.frontDoor.metricFailed({ period }), timedOut: props.frontDoor.metricTimedOut({ period }) },
        period,
      });
      alarm('FrontDoorFailures', frontDoorFailures, 'The webhook front door failed or timed out: callers were answered 503 and asked to send the same request again.');
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.metricErrors({ period }), `The ${name} handler threw (retries may still succeed; see the execution).`);
      alarm(`${name}Throttles`, fn.metricThrottles({ period }), `The ${name} handler was throttled by Lambda concurrency limits.`);
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(name, queue.metricApproximateNumberOfMessagesVisible({ period }), 'Events could not be delivered to their target: they wait in this dead-letter queue.');
    }
  }
}
