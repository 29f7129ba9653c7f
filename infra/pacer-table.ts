import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PARTITION_KEY, TTL_ATTRIBUTE } from '../lib/pacer/table-schema.ts';

export interface PacerTableProps {
  /**
   * Physical table name.
   * @default the context value `pacerTableName`, else a name CloudFormation generates
   */
  readonly tableName?: string;
}

/**
 * The quota pacer's shared schedule (lib/pacer/dynamodb-store.ts): one small item per API quota, updated once per API
 * request. On-demand billing, because the load is the fleet's request rate (at most the API quota, a few per second)
 * arriving in bursts. Items expire through TTL a day after their schedule stops mattering.
 */
export class PacerTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: PacerTableProps = {}) {
    super(scope, id);
    const contextName: unknown = this.node.tryGetContext('pacerTableName');
    if (contextName !== undefined && (typeof contextName !== 'string' || !/^[A-Za-z0-9_.-]{3,255}$/.test(contextName))) {
      throw new Error('Context pacerTableName must be a DynamoDB table name: 3-255 characters of A-Z a-z 0-9 _ . -');
    }
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName ?? contextName,
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.table).acknowledge({
      id: 'AwsSolutions::AwsSolutions-DDB3',
      reason: 'Pacing state only: every item expires within a day, and a lost table is recreated empty (the pacer starts from an idle schedule and adapts to any 429).',
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /** What a step needs to reserve slots: UpdateItem and GetItem on this table, nothing else. */
  grantReserve(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], resourceArns: [this.table.tableArn] });
  }
}
