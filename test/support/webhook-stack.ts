import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HiringCenterWorkflowStack, type WorkflowStackContext } from '../../infra/stack.ts';
import { renderMappingTemplate, type RenderRequest, type RenderResult } from './apigateway-vtl.ts';

/*
 * The webhook's mapping templates as the synthesized CloudFormation template holds them, with its tokens (the state
 * machine's ARN and name, partition, region, account) resolved to fixed test values, so tests render exactly what
 * would be deployed rather than a copy of it.
 */
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:Workflow';
export const FRONT_DOOR_ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:WebhookFrontDoor';
export const EXECUTION_ARN_PREFIX = 'arn:aws:states:us-east-1:111122223333:execution:Workflow:';

// Bundling is skipped (identical template but for asset hashes).
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

type Cfn = Record<string, unknown>;

function resolve(value: unknown): string {
  if (typeof value === 'string') return value;
  const token = value as Cfn;
  if (Array.isArray(token['Fn::Join'])) {
    const [separator, parts] = token['Fn::Join'] as [string, unknown[]];
    return parts.map(resolve).join(separator);
  }
  if (typeof token.Ref === 'string') {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '111122223333' };
    if (pseudo[token.Ref]) return pseudo[token.Ref] as string;
    if (token.Ref.startsWith('WorkflowStateMachine')) return STATE_MACHINE_ARN;
    if (token.Ref.startsWith('WebhookFrontDoorStateMachine')) return FRONT_DOOR_ARN;
  }
  if (Array.isArray(token['Fn::GetAtt']) && String(token['Fn::GetAtt'][0]).startsWith('WorkflowStateMachine') && token['Fn::GetAtt'][1] === 'Name') return 'Workflow';
  throw new Error(`unresolved token in a mapping template: ${JSON.stringify(value)}`);
}

export interface IntegrationTemplates {
  request: string;
  /** By the integration response's selection pattern: '' (2xx), '4\\d{2}', '5\\d{2}'. */
  responses: Record<string, { statusCode: string; template: string }>;
}

export interface SynthesizedWebhook {
  template: Template;
  /** POST /activities: StartSyncExecution of the front door. */
  post: IntegrationTemplates;
  describe: IntegrationTemplates;
  gateway: Record<string, { statusCode?: string; template: string; headers: Record<string, string> }>;
}

export function synthesizeWebhook(context: WorkflowStackContext = {}): SynthesizedWebhook {
  const stack = new HiringCenterWorkflowStack(new App({ context: NO_BUNDLING }), 'Webhook', { context });
  const template = Template.fromStack(stack);
  const integration = (action: string): IntegrationTemplates => {
    const method = Object.values(template.findResources('AWS::ApiGateway::Method')).find((resource) => JSON.stringify(resource.Properties?.Integration?.Uri ?? '').includes(`:states:action/${action}`));
    const spec = method?.Properties?.Integration as { RequestTemplates: Cfn; IntegrationResponses: { StatusCode: string; SelectionPattern?: string; ResponseTemplates: Cfn }[] } | undefined;
    if (!spec) throw new Error(`no ${action} integration in the template`);
    return {
      request: resolve(spec.RequestTemplates['application/json']),
      responses: Object.fromEntries(spec.IntegrationResponses.map((response) => [response.SelectionPattern ?? '', { statusCode: response.StatusCode, template: resolve(response.ResponseTemplates['application/json']) }])),
    };
  };
  const gateway = Object.fromEntries(Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map((resource) => {
    const properties = resource.Properties as { ResponseType: string; StatusCode?: string; ResponseTemplates: Cfn; ResponseParameters?: Record<string, string> };
    const headers = Object.fromEntries(Object.entries(properties.ResponseParameters ?? {}).map(([name, value]) => [name.replace('gatewayresponse.header.', ''), value.replace(/^'|'$/g, '')]));
    return [properties.ResponseType, { ...(properties.StatusCode ? { statusCode: properties.StatusCode } : {}), template: resolve(properties.ResponseTemplates['application/json']), headers }];
  }));
  return { template, post: integration('StartSyncExecution'), describe: integration('DescribeExecution'), gateway };
}

/** What API Gateway would answer from an integration response: the response's status unless the template overrides it. */
export function answerFrom(integration: IntegrationTemplates, selection: string, request: RenderRequest): RenderResult & { status: number; json: Record<string, unknown> } {
  const response = integration.responses[selection];
  if (!response) throw new Error(`no integration response for selection "${selection}"`);
  const result = renderMappingTemplate(response.template, request);
  return { ...result, status: result.statusOverride ?? Number(response.statusCode), json: JSON.parse(result.output) as Record<string, unknown> };
}
