import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseWorkflowInput } from '../../lib/workflow/input.ts';
import { planImport } from '../../dev/import/plan.ts';
import { readImportFile } from '../../dev/import/source.ts';

const example = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../examples/${name}`, import.meta.url), 'utf8'));

/** The README tells users to send these files as they are; they must stay valid as the schema evolves. */
describe('examples/', () => {
  it('quickstart.json is a valid workflow input with all four sections', () => {
    const request = parseWorkflowInput(example('quickstart.json'), {});
    expect(Object.keys(request).sort()).toEqual(['meeting', 'note', 'prospect', 'task']);
  });

  it('webhook-body.json is valid once a default user id is configured, and not before', () => {
    expect(() => parseWorkflowInput(example('webhook-body.json'), {})).toThrow(/task\.assignedTo.*HIRINGCENTER_DEFAULT_USER_ID/);
    const request = parseWorkflowInput(example('webhook-body.json'), { defaultUserId: 'u-1' });
    expect(request.meeting?.meetingDate).toBe(Date.parse('2025-10-14T15:30:00Z'));
    expect(request.prospect.labels).toEqual(['Zapier', 'Inbound']);
  });

  it('put-events.json carries a valid workflow input as its Detail string, with the rule\'s source and detail-type', () => {
    const [entry] = example('put-events.json') as { Source: string; DetailType: string; Detail: string }[];
    expect(entry).toMatchObject({ Source: 'hiringcenter.workflows', DetailType: 'ProspectActivityRequested' });
    expect(() => parseWorkflowInput(JSON.parse(entry?.Detail ?? ''), {})).not.toThrow();
  });

  it('eventbridge-event.json is the event the state machine receives, with a valid detail', () => {
    const event = example('eventbridge-event.json') as { id: string; detail: unknown };
    expect(event.id).toBeTruthy();
    expect(() => parseWorkflowInput(event.detail, {})).not.toThrow();
  });

  it.each(['career-fair.csv', 'career-fair.jsonl'])('%s imports with every row valid and no duplicates', async (name) => {
    const source = await readImportFile(fileURLToPath(new URL(`../../examples/${name}`, import.meta.url)));
    if (!source.ok) throw new Error(source.message);
    const plan = planImport(source.rows, source.blankRows, {});
    expect(plan.invalid).toEqual([]);
    expect(plan.duplicates).toEqual([]);
    expect(plan.work.length).toBeGreaterThanOrEqual(3);
  });
});
