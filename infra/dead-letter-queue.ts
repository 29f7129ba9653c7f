import { Duration, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * Where an EventBridge target's undeliverable events wait: encrypted, SSL-only, kept 14 days. infra/monitoring.ts
 * alarms on its depth, which is why it has no dead-letter queue of its own (the cdk-nag findings that asks for one are
 * acknowledged here, once).
 */
export class DeadLetterQueue extends sqs.Queue {
  /** `of` says whose dead letters these are, e.g. "the EventBridge target". */
  /**
   * What every EventBridge target of the project sets: this queue, and EventBridge's longest retry (185 attempts over
   * 24 hours), so that an outage of a day loses nothing and what is still undelivered waits here.
   */
  get targetProps(): { deadLetterQueue: sqs.IQueue; retryAttempts: number; maxEventAge: Duration } {
    return { deadLetterQueue: this, retryAttempts: 185, maxEventAge: Duration.hours(24) };
  }

  constructor(scope: Construct, id: string, of: string) {
    super(scope, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
    const reason = `This queue is itself the dead-letter queue of ${of}; an alarm watches its depth.`;
    Validations.of(this).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-SQS3', reason },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason },
    );
  }
}
