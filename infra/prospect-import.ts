import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { LoggedStateMachine } from './logged-state-machine.ts';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { DeadLetterQueue } from './dead-letter-queue.ts';
import { ACTIVITY_EVENT_SOURCE, ActivityEventType } from '../lib/workflow/activity-events.ts';
import { IMPORT_ITEM_KEYS } from '../lib/workflow/state.ts';
import { buildStepChain, type StepFunctions } from './state-machine-definition.ts';

export interface ProspectImportProps {
  /** The four step functions of the main workflow: an imported row runs exactly the same steps. */
  functions: StepFunctions;
  /** Where ProspectImportCompleted goes. */
  eventBus: events.IEventBus;
  /** Rows processed at once (context `importMaxConcurrency`). @default 10 */
  maxConcurrency?: number;
  /** How long one import may run (context `importTimeout`). @default 2 days */
  timeout?: Duration;
  /** How long results are kept (context `importResultsDays`). @default 30 days */
  resultsExpiration?: Duration;
  logRetention?: RetentionDays;
}

/** Uploads under this prefix start an import; results are written under RESULTS_PREFIX. */
const IMPORTS_PREFIX = 'imports/';
const RESULTS_PREFIX = 'results';

/**
 * Bulk import: a CSV (header row of dotted input paths) or JSON Lines object uploaded under `imports/` starts an import
 * state machine whose Distributed Map reads the file and runs, per row, the very step fragments of the main workflow in
 * Standard child executions (exactly-once), writes the results under `results/`, and announces ProspectImportCompleted.
 *
 * EventBridge cannot name the executions it starts, so a small Express state machine starts the import under a name
 * made of the object's bucket, key and ETag: uploading the same file again starts nothing new.
 */
export class ProspectImport extends Construct {
  readonly bucket: s3.Bucket;
  readonly stateMachine: sfn.StateMachine;
  readonly starter: sfn.StateMachine;
  readonly rule: events.Rule;
  readonly deadLetterQueue: DeadLetterQueue;
  private readonly functions: StepFunctions;

  constructor(scope: Construct, id: string, props: ProspectImportProps) {
    super(scope, id);
    this.functions = props.functions;
    const retention = props.logRetention ?? RetentionDays.ONE_MONTH;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      eventBridgeEnabled: true,
      lifecycleRules: [
        { prefix: `${RESULTS_PREFIX}/`, expiration: props.resultsExpiration ?? Duration.days(30) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const map = (reader: 'Csv' | 'JsonLines') => {
      const rowScope = new Construct(this, `${reader}Rows`);
      const itemKey = reader === 'Csv' ? IMPORT_ITEM_KEYS.csvRow : IMPORT_ITEM_KEYS.jsonLine;
      // The bucket is fixed (the upload rule matches only this one), so CDK scopes the reader's and writer's grants to it.
      const location = { bucket: this.bucket, key: sfn.JsonPath.stringAt('$.key') };
      return new sfn.DistributedMap(this, `Import${reader}`, {
        comment: `One child execution of the four workflow steps per ${reader === 'Csv' ? 'CSV row' : 'JSON line'}.`,
        itemReader: reader === 'Csv'
          ? new sfn.S3CsvItemReader({ ...location, csvHeaders: sfn.CsvHeaders.useFirstRow() })
          : new sfn.S3JsonLItemReader(location),
        itemSelector: {
          [itemKey]: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
          [IMPORT_ITEM_KEYS.index]: sfn.JsonPath.numberAt('$$.Map.Item.Index'),
        },
        maxConcurrency: props.maxConcurrency ?? 10,
        // A bad row never stops the others: each failure is in the results, and the import goes on.
        toleratedFailurePercentage: 100,
        mapExecutionType: sfn.StateMachineType.STANDARD,
        resultWriterV2: new sfn.ResultWriterV2({ bucket: this.bucket, prefix: RESULTS_PREFIX }),
        resultPath: '$.map',
      }).itemProcessor(buildStepChain(rowScope, props.functions, `${reader}Row.`));
    };

    const counts = new tasks.CallAwsService(this, 'CountRows', {
      comment: "The Map Run's own item counts: rows, succeeded, failed.",
      service: 'sfn',
      action: 'describeMapRun',
      parameters: { MapRunArn: sfn.JsonPath.stringAt('$.map.MapRunArn') },
      iamResources: [Stack.of(this).formatArn({ service: 'states', resource: 'mapRun', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      resultSelector: { 'total.$': '$.ItemCounts.Total', 'succeeded.$': '$.ItemCounts.Succeeded', 'failed.$': '$.ItemCounts.Failed' },
      resultPath: '$.counts',
    });
    const announce = new tasks.EventBridgePutEvents(this, 'AnnounceImport', {
      entries: [{
        eventBus: props.eventBus,
        source: ACTIVITY_EVENT_SOURCE,
        detailType: ActivityEventType.importCompleted,
        detail: sfn.TaskInput.fromObject({
          importId: sfn.JsonPath.stringAt('$$.Execution.Name'),
          rows: sfn.JsonPath.numberAt('$.counts.total'),
          succeeded: sfn.JsonPath.numberAt('$.counts.succeeded'),
          failed: sfn.JsonPath.numberAt('$.counts.failed'),
          results: sfn.JsonPath.format('s3://{}/{}', sfn.JsonPath.stringAt('$.map.ResultWriterDetails.Bucket'), sfn.JsonPath.stringAt('$.map.ResultWriterDetails.Key')),
        }),
      }],
      resultPath: sfn.JsonPath.DISCARD,
    });
    counts.next(announce);
    const chooseReader = new sfn.Choice(this, 'ChooseReader', { comment: 'JSON Lines by extension; anything else is read as CSV.' })
      .when(sfn.Condition.stringMatches('$.key', '*.jsonl'), map('JsonLines').next(counts))
      .otherwise(map('Csv').next(counts));

    this.stateMachine = new LoggedStateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(chooseReader),
      timeout: props.timeout ?? Duration.days(2),
      logRetention: retention,
    });
    // The map may read what was uploaded under imports/ and write its results under results/, nothing else. CDK's
    // reader and writer grant their S3 actions on every object of the bucket, so the denies below are what bound them
    // to the two prefixes: an explicit deny wins over any allow.
    const uploads = this.bucket.arnForObjects(`${IMPORTS_PREFIX}*`);
    const results = this.bucket.arnForObjects(`${RESULTS_PREFIX}/*`);
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:PutObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], notResources: [results] }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:GetObject'], notResources: [uploads, results] }));

    const start = new tasks.StepFunctionsStartExecution(this, 'StartImport', {
      stateMachine: this.stateMachine,
      name: sfn.JsonPath.format('import-{}', sfn.JsonPath.hash(
        sfn.JsonPath.format('{}|{}|{}', sfn.JsonPath.stringAt('$.detail.bucket.name'), sfn.JsonPath.stringAt('$.detail.object.key'), sfn.JsonPath.stringAt('$.detail.object.etag')),
        'SHA-256',
      )),
      input: sfn.TaskInput.fromObject({ bucket: sfn.JsonPath.stringAt('$.detail.bucket.name'), key: sfn.JsonPath.stringAt('$.detail.object.key') }),
      associateWithParent: false,
    });
    start.addCatch(new sfn.Succeed(this, 'AlreadyImported', { comment: 'The same object (key and ETag) was imported before.' }), { errors: ['StepFunctions.ExecutionAlreadyExistsException'] });
    this.starter = new LoggedStateMachine(this, 'Starter', {
      stateMachineType: sfn.StateMachineType.EXPRESS,
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      logRetention: retention,
    });

    this.deadLetterQueue = new DeadLetterQueue(this, 'DeadLetterQueue', 'the upload rule');
    this.rule = new events.Rule(this, 'UploadRule', {
      description: 'Starts a prospect import for a .csv or .jsonl object uploaded under imports/.',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [this.bucket.bucketName] },
          object: { key: events.Match.anyOf(events.Match.wildcard(`${IMPORTS_PREFIX}*.csv`), events.Match.wildcard(`${IMPORTS_PREFIX}*.jsonl`)) },
        },
      },
    });
    this.rule.addTarget(new targets.SfnStateMachine(this.starter, this.deadLetterQueue.targetProps));
    this.acknowledge();
  }

  private acknowledge(): void {
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'Imports are short-lived inputs and results expire by lifecycle; uploads are already recorded as EventBridge events and import executions. Enable server access logs per deployment if an audit trail of reads is required.',
    });
    const stack = Stack.of(this);
    const machineName = `{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${stack.getLogicalId(this.stateMachine.node.defaultChild as sfn.CfnStateMachine)}"}]}]}`;
    Validations.of(this.stateMachine).acknowledge(
      {
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${stack.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}>/*]`,
        reason: "CDK's item reader and result writer grant on the imports bucket's objects; the explicit denies limit reads to imports/ and results/ and writes to results/.",
      },
      { id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:mapRun:*]', reason: 'DescribeMapRun of its own map runs, whose ARNs exist only at run time.' },
      ...[':*', '/*:*'].map((suffix) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${machineName}${suffix}]`,
        reason: 'Describes, stops and redrives its own child executions, whose names exist only at run time.',
      })),
      ...Object.values(this.functions).map((fn) => ({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
        reason: 'LambdaInvoke grants the function ARN and its qualified ARNs (versions/aliases) of that same function only.',
      })),
    );
    // CDK's own singleton that turns on the bucket's EventBridge notifications at deploy time.
    const notificationsHandler = stack.node.children.find((child) => child.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: "CDK's deploy-time handler that enables the bucket's EventBridge notifications; it runs only during deployments.",
      });
    }
  }
}
