import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { PacerTable } from '../../infra/pacer-table.ts';

/** A stack with only the table and a step-like role that may reserve slots, checked by cdk-nag at synth. */
function synth(context: Record<string, unknown> = {}): { template: Template; app: App } {
  const app = new App({ context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  const stack = new Stack(app, 'PacerOnly');
  const pacer = new PacerTable(stack, 'QuotaPacer');
  const role = new iam.Role(stack, 'StepRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  pacer.grantReserve(role);
  app.synth(); // throws on any unacknowledged cdk-nag finding
  return { template: Template.fromStack(stack), app };
}

describe('PacerTable', () => {
  it('is an on-demand table keyed by pk with TTL on expiresAt, deleted with the stack, and passes cdk-nag', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
      },
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(table?.Properties?.TableName).toBeUndefined();
  });

  it('takes its name from the context pacerTableName, and rejects one DynamoDB would', () => {
    synth({ pacerTableName: 'hc-quota-pacer' }).template.hasResourceProperties('AWS::DynamoDB::Table', { TableName: 'hc-quota-pacer' });
    expect(() => synth({ pacerTableName: 'no spaces allowed' })).toThrow(/pacerTableName must be a DynamoDB table name/);
  });

  it('grants a step exactly UpdateItem and GetItem on that one table', () => {
    const { template } = synth();
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties?.PolicyDocument?.Statement).toEqual([
      { Effect: 'Allow', Action: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], Resource: { 'Fn::GetAtt': [tableId, 'Arn'] } },
    ]);
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('StepRole') }] });
  });
});
