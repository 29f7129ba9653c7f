import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { definitionFromTemplate, MACHINES } from '../../dev/definition.ts';
import { HiringCenterWorkflowStack } from '../../infra/stack.ts';

/*
 * The bulk import as synthesized: an upload under imports/ starts, once per object version, a Distributed Map over the
 * same four step fragments, which may read imports/ and write results/ and nothing else of its bucket.
 */
let template: Template;
let json: { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true } });
  template = Template.fromStack(new HiringCenterWorkflowStack(app, 'Imports'));
  json = template.toJSON() as typeof json;
});

type MapState = { Type: string; ItemReader: { ReaderConfig: Record<string, string>; Parameters: Record<string, string> }; ResultWriter?: { Parameters: Record<string, string> }; ItemSelector: Record<string, string>; MaxConcurrency: number; ToleratedFailurePercentage: number; ItemProcessor: { ProcessorConfig: Record<string, string>; StartAt: string; States: Record<string, { Type: string }> } };

describe('the import state machine', () => {
  it('reads a CSV (header row) or a JSON Lines object with a Distributed Map that runs the four steps per row, tolerates every failure and writes results', () => {
    const { definition } = definitionFromTemplate(json, MACHINES.import);
    const states = definition.States as Record<string, MapState>;
    expect(states.ChooseReader).toMatchObject({ Type: 'Choice', Default: 'ImportCsv', Choices: [{ Variable: '$.key', StringMatches: '*.jsonl', Next: 'ImportJsonLines' }] });
    for (const [name, reader] of [['ImportCsv', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }], ['ImportJsonLines', { InputType: 'JSONL' }]] as const) {
      const map = states[name] as MapState;
      expect(map.ItemReader.ReaderConfig).toEqual(reader);
      // The imports bucket itself, not a bucket named by the input: that is what lets CDK scope the grants to it.
      expect(map.ItemReader.Parameters).toEqual({ Bucket: expect.stringContaining('ImportBucket'), 'Key.$': '$.key' });
      expect(map.ResultWriter?.Parameters).toEqual({ Bucket: expect.stringContaining('ImportBucket'), Prefix: 'results' });
      expect(map).toMatchObject({ MaxConcurrency: 10, ToleratedFailurePercentage: 100 });
      expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
      const tasks = Object.entries(map.ItemProcessor.States).filter(([, state]) => state.Type === 'Task').map(([stateName]) => stateName);
      const prefix = name === 'ImportCsv' ? 'CsvRow.' : 'JsonLinesRow.';
      expect(tasks).toEqual(['UpsertProspect', 'CreateNote', 'CreateTask', 'CreateMeeting'].map((step) => `${prefix}${step}`));
    }
    expect(states.AnnounceImport).toMatchObject({ Parameters: { Entries: [expect.objectContaining({ DetailType: 'ProspectImportCompleted', Source: 'hiringcenter.workflows' })] } });
  });

  it('takes its concurrency from context', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true, importMaxConcurrency: '25' } });
    const custom = Template.fromStack(new HiringCenterWorkflowStack(app, 'Custom')).toJSON() as typeof json;
    expect((definitionFromTemplate(custom, MACHINES.import).definition.States.ImportCsv as MapState).MaxConcurrency).toBe(25);
  });

  it('may read imports/* and write results/* of its bucket, and nothing else: every S3 allow is on its bucket, and an explicit deny bounds it', () => {
    const [bucketId = 'no bucket'] = Object.keys(template.findResources('AWS::S3::Bucket'));
    const statements = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('ImportStateMachine'))
      .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: S3Statement[] }).Statement)
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));
    const allows = statements.filter((s) => s.Effect !== 'Deny');
    expect(allows.length).toBeGreaterThan(0);
    for (const resource of allows.flatMap((s) => [s.Resource].flat())) expect(JSON.stringify(resource)).toContain(bucketId);
    const prefixOf = (resource: unknown) => new RegExp(`${bucketId}.*/(imports|results)/\\*`).exec(JSON.stringify(resource))?.[1];
    const wholeBucket = (resource: unknown) => prefixOf(resource) === undefined && JSON.stringify(resource).includes('"/*"');
    // What each S3 action may touch: the prefixes an allow covers (the bucket's every object covers both), less what a
    // deny's NotResource leaves out.
    const reach = (action: string): string[] => {
      const allowed = allows.filter((s) => [s.Action].flat().includes(action)).flatMap((s) => [s.Resource].flat());
      const covered = (prefix: string) => allowed.some((resource) => wholeBucket(resource) || prefixOf(resource) === prefix);
      const deny = statements.find((s) => s.Effect === 'Deny' && [s.Action].flat().includes(action));
      const kept = deny ? [deny.NotResource].flat().map(prefixOf) : ['imports', 'results', 'anything else'];
      return kept.filter((prefix): prefix is string => prefix !== undefined && covered(prefix)).sort();
    };
    expect(reach('s3:GetObject')).toEqual(['imports', 'results']);
    for (const action of ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts']) expect(reach(action)).toEqual(['results']);
  });
});

type S3Statement = { Effect?: string; Action: string | string[]; Resource?: unknown; NotResource?: unknown };

describe('the imports bucket and its trigger', () => {
  it('is encrypted, SSL-only, private, sends its events to EventBridge, and expires results', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Prefix: 'results/', ExpirationInDays: 30, Status: 'Enabled' })]) },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    template.hasResourceProperties('Custom::S3BucketNotifications', { NotificationConfiguration: { EventBridgeConfiguration: {} } });
  });

  it('starts an import for a .csv or .jsonl object created under imports/, through a dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'], 'detail-type': ['Object Created'],
        detail: { bucket: { name: [Match.anyValue()] }, object: { key: [{ wildcard: 'imports/*.csv' }, { wildcard: 'imports/*.jsonl' }] } },
      },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^ImportStarter') }, DeadLetterConfig: Match.anyValue() })],
    });
  });

  it('starts each object version once: the name comes from bucket, key and ETag, and a second upload of it starts nothing', async () => {
    const { definition } = definitionFromTemplate(json, MACHINES.importStarter);
    const started: { Name: string; Input: unknown }[] = [];
    const names = new Set<string>();
    const machine = new StateMachine(definition, { validationOptions: { checkArn: false } });
    const upload = (key: string, etag: string) => machine.run({ detail: { bucket: { name: 'imports-bucket' }, object: { key, etag } } }, {
      overrides: {
        taskResourceLocalHandlers: {
          StartImport: (input) => {
            const request = input as { Name: string; Input: unknown };
            if (names.has(request.Name)) {
              const error = new Error('Execution Already Exists');
              error.name = 'StepFunctions.ExecutionAlreadyExistsException';
              throw error;
            }
            names.add(request.Name);
            started.push(request);
            return { ExecutionArn: `arn:local:${request.Name}` };
          },
        },
      },
    }).result;
    await upload('imports/fair.csv', 'etag-1');
    await upload('imports/fair.csv', 'etag-1');
    await upload('imports/fair.csv', 'etag-2');
    expect(started).toHaveLength(2);
    expect(started[0]?.Name).toMatch(/^import-[0-9a-f]{64}$/);
    expect(started[0]?.Name).not.toBe(started[1]?.Name);
    expect(started[0]?.Input).toEqual({ bucket: 'imports-bucket', key: 'imports/fair.csv' });
  });
});
