import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACCEPTED_TEMPLATE, describeExecutionTemplate, FAILURE_WITHOUT_STEP_MESSAGE, START_REJECTED_TEMPLATE, STATUS_TEMPLATE, startExecutionTemplate } from '../../infra/webhook-api.ts';
import { renderMappingTemplate } from '../support/apigateway-vtl.ts';
import { quickstartInput } from '../support/harness.ts';

/* The webhook's mapping templates, executed by a Velocity engine with API Gateway's variables emulated. */
const ARN = 'arn:aws:states:us-east-1:111122223333:stateMachine:Workflow';
const startRequest = (body: unknown, headers: Record<string, string> = {}) =>
  JSON.parse(renderMappingTemplate(startExecutionTemplate(ARN), { body, headers }).output) as { stateMachineArn: string; name?: string; input: string };

describe('POST /activities → StartExecution request', () => {
  it('passes the body through as the execution input, byte-for-byte equivalent, whatever characters it holds', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 50 }), (note, name) => {
      const body = { ...quickstartInput(), note: { body: `${note} <p>"quoted" it's / \\ done</p>` }, prospect: { firstName: name || 'A', lastName: "O'Brien" } };
      const request = startRequest(body);
      expect(request.stateMachineArn).toBe(ARN);
      expect(JSON.parse(request.input)).toEqual(body);
      expect(request).not.toHaveProperty('name');
    }), { numRuns: 300 });
  });

  it('uses the Idempotency-Key header as the execution name, sanitised to the Step Functions rules', () => {
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': '3f1c9a2e-7b1d-4c55-9e0f-3a8d2b6c1e77' }).name).toBe('3f1c9a2e-7b1d-4c55-9e0f-3a8d2b6c1e77');
    expect(startRequest({ prospect: {} }, { 'Idempotency-Key': 'zap:123/run 4' }).name).toBe('zap_123_run_4');
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 300 }), (key) => {
      expect(startRequest({ prospect: {} }, { 'Idempotency-Key': key }).name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
    }), { numRuns: 300 });
  });
});

describe('GET /activities/{id} → DescribeExecution request', () => {
  it('builds the execution ARN from the id, as valid JSON whatever the id holds', () => {
    const render = (id: string) => JSON.parse(renderMappingTemplate(describeExecutionTemplate('arn:aws:states:us-east-1:1:execution:Workflow:'), { body: {}, pathParameters: { id } }).output) as { executionArn: string };
    expect(render('zap_123').executionArn).toBe('arn:aws:states:us-east-1:1:execution:Workflow:zap_123');
    fc.assert(fc.property(fc.string({ maxLength: 100 }), (id) => {
      expect(render(id).executionArn).toBe(`arn:aws:states:us-east-1:1:execution:Workflow:${id}`);
    }), { numRuns: 300 });
  });
});

describe('responses', () => {
  it('answers 202 with the execution id (its name) and a status URL', () => {
    const { output } = renderMappingTemplate(ACCEPTED_TEMPLATE, { body: { executionArn: 'arn:aws:states:us-east-1:1:execution:Workflow:zap_123', startDate: 1.7e9 } });
    expect(JSON.parse(output)).toEqual({ id: 'zap_123', status: 'RUNNING', statusUrl: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1/activities/zap_123' });
  });

  it('turns ExecutionAlreadyExists into 200 with the existing id and duplicate: true', () => {
    const result = renderMappingTemplate(START_REJECTED_TEMPLATE, {
      body: { __type: 'com.amazonaws.swf.service.v2.model#ExecutionAlreadyExists', message: "Execution Already Exists: 'arn:aws:states:us-east-1:1:execution:Workflow:zap_123'" },
    });
    expect(result.statusOverride).toBe(200);
    expect(JSON.parse(result.output)).toMatchObject({ id: 'zap_123', duplicate: true });
  });

  it('passes other 4xx messages through as valid JSON, escaped', () => {
    const result = renderMappingTemplate(START_REJECTED_TEMPLATE, { body: { __type: 'InvalidName', message: 'Invalid Name: "a b" isn\'t allowed' } });
    expect(result.statusOverride).toBeUndefined();
    expect(JSON.parse(result.output)).toEqual({ error: 'BadRequest', message: 'Invalid Name: "a b" isn\'t allowed' });
  });

  it('reports a finished execution with its output, and a failed one with the error name and message but no trace', () => {
    const output = { prospectId: 'p1', idempotencyKey: 'k', warnings: [], noteId: 'n1' };
    const succeeded = JSON.parse(renderMappingTemplate(STATUS_TEMPLATE, { body: { name: 'k', status: 'SUCCEEDED', output: JSON.stringify(output) } }).output) as Record<string, unknown>;
    expect(succeeded).toMatchObject({ id: 'k', status: 'SUCCEEDED', output });
    const cause = JSON.stringify({ errorType: 'HiringCenter.Rejected', errorMessage: 'POST /notes: 400 "body" is required', trace: ['at secret (file.js:1:1)'] });
    const failed = JSON.parse(renderMappingTemplate(STATUS_TEMPLATE, { body: { name: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', cause } }).output) as Record<string, unknown>;
    expect(failed).toMatchObject({ id: 'k', status: 'FAILED', error: 'HiringCenter.Rejected', message: 'POST /notes: 400 "body" is required' });
    expect(JSON.stringify(failed)).not.toContain('trace');
    const running = JSON.parse(renderMappingTemplate(STATUS_TEMPLATE, { body: { name: 'k', status: 'RUNNING' } }).output) as Record<string, unknown>;
    expect(Object.keys(running).sort()).toEqual(['id', 'status', 'statusUrl']);
  });

  it('still answers with valid JSON when a failed execution has no handler error message in its cause, without echoing the cause', () => {
    const quotingInput = "An error occurred while executing the state 'CreateNote'. The JSONPath '$.run' could not be found in the input '{\"prospect\":{\"email\":\"jordan@example.com\"}}'";
    const causes = [quotingInput, 'Lambda.ServiceException: Rate exceeded', '', '{truncated', JSON.stringify({ errorType: 'Sandbox.Timedout' }), undefined];
    for (const cause of causes) {
      const body = { name: 'k', status: 'FAILED', error: 'States.Runtime', ...(cause === undefined ? {} : { cause }) };
      const failed = JSON.parse(renderMappingTemplate(STATUS_TEMPLATE, { body }).output) as Record<string, unknown>;
      expect(failed).toMatchObject({ id: 'k', status: 'FAILED', error: 'States.Runtime', message: FAILURE_WITHOUT_STEP_MESSAGE });
      expect(JSON.stringify(failed)).not.toContain('jordan');
    }
  });
});
