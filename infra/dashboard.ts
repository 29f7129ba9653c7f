import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, MetricDimension, MetricName, SERVICE_NAME } from '../functions/commons/constants.ts';

export interface OperationsDashboardProps {
  workflow: sfn.IStateMachine;
  imports: sfn.IStateMachine;
  functions: Record<string, IFunction>;
  deadLetterQueues: Record<string, sqs.IQueue>;
}

const PERIOD = Duration.minutes(5);

/** Every series of one of the steps' own metrics, whatever its dimension values (steps, error names, routes). */
function search(metric: string, dimensions: string[], statistic: string, label: string): cloudwatch.MathExpression {
  const schema = [METRICS_NAMESPACE, 'service', ...dimensions].join(',');
  return new cloudwatch.MathExpression({
    expression: `SEARCH('{${schema}} MetricName="${metric}" service="${SERVICE_NAME}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });
}

/**
 * One CloudWatch dashboard for operators: are workflows completing, which steps fail and why, how the API and its quota
 * behave, whether events pile up undelivered, and how imports progress. Step Functions' own metrics for the executions;
 * the steps' embedded metrics (functions/commons/constants.ts) for steps, API latency, 429s and quota waits.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const executions = (machine: sfn.IStateMachine) => [
      machine.metricStarted({ period: PERIOD, label: 'started' }),
      machine.metricSucceeded({ period: PERIOD, label: 'succeeded' }),
      machine.metricFailed({ period: PERIOD, label: 'failed' }),
      machine.metricTimedOut({ period: PERIOD, label: 'timed out' }),
    ];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Workflow executions', left: executions(props.workflow), width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Steps: succeeded, and failed by error name',
        left: [search(MetricName.StepSucceeded, [MetricDimension.step], 'Sum', 'succeeded')],
        right: [search(MetricName.StepFailed, [MetricDimension.step, MetricDimension.errorName], 'Sum', 'failed')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'HiringCenter API latency (p95, ms)', left: [search(MetricName.ApiLatency, [MetricDimension.route], 'p95', 'p95')], width: 8 }),
      new cloudwatch.GraphWidget({
        title: '429s from the API, and quota waits (p95, ms)',
        left: [search(MetricName.ApiRateLimited, [], 'Sum', '429s')],
        right: [search(MetricName.QuotaWait, [], 'p95', 'quota wait p95')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Undelivered events (dead-letter queues)',
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) => queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, label: name })),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Imports (each row is a child execution of the import state machine)', left: executions(props.imports), width: 12 }),
      new cloudwatch.GraphWidget({
        title: 'Lambda errors and throttles',
        left: Object.entries(props.functions).map(([name, fn]) => fn.metricErrors({ period: PERIOD, label: `${name} errors` })),
        right: Object.entries(props.functions).map(([name, fn]) => fn.metricThrottles({ period: PERIOD, label: `${name} throttles` })),
        width: 12,
      }),
    );
  }
}
