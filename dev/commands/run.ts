import type { ApiTarget } from '../api-target.ts';
import { isHttpUrl, parseOptions } from '../cli.ts';
import { readInputFile } from '../input-file.ts';
import type { RunEvent } from '../runner.ts';

const HELP = `Usage: hc-workflow run [FILE|-] [--base-url URL] [--json] [--execution-name NAME] [--verbose]

Runs the workflow input in FILE (or stdin with "-") through the state machine that CDK synthesizes, on a local
Step Functions engine, with the four Lambda handlers in-process.

  FILE                 workflow input JSON (see hc-workflow schema); default examples/quickstart.json
  --base-url URL       HiringCenter API base URL; default $HIRINGCENTER_BASE_URL; when neither is set an embedded
                       sandbox is started on a free loopback port (nothing leaves this machine)
  --json               print only the workflow output object on stdout (no progress)
  --execution-name N   Step Functions execution name (the idempotency key when the input has none);
                       run twice with the same name to see replay instead of duplicates. Default: local-<uuid>
  --verbose            also print the handlers' JSON log lines on stderr

With a base URL, the key comes from HIRINGCENTER_API_KEY (or HIRINGCENTER_SECRET_ID for Secrets Manager).
Exit code: 0 when the execution succeeds, 1 when it fails (stderr names the state and the error), 2 for usage errors.
`;

const EXECUTION_NAME = /^[0-9A-Za-z_-]{1,80}$/;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseOptions('run', argv, {
    'base-url': { type: 'string' },
    json: { type: 'boolean', default: false },
    'execution-name': { type: 'string' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  }, true);
  if (typeof parsed === 'string') return usageError(parsed);
  const { values, positionals } = parsed;
  if (values.help) return void process.stdout.write(HELP), 0;
  if (positionals.length > 1) return usageError(`hc-workflow run: expected at most one FILE, got ${positionals.length}. See hc-workflow run --help.`);
  const executionName = values['execution-name'];
  if (executionName !== undefined && !EXECUTION_NAME.test(executionName)) {
    return usageError('hc-workflow run: --execution-name must be 1-80 characters of letters, digits, "-" and "_" (the Step Functions rule).');
  }

  const file = positionals[0] ?? 'examples/quickstart.json';
  const input = await readInputFile(file);
  if (!input.ok) return usageError(input.message);

  const baseUrl = values['base-url'] ?? (process.env.HIRINGCENTER_BASE_URL?.trim() || undefined);
  if (baseUrl !== undefined && !isHttpUrl(baseUrl)) return usageError(`hc-workflow run: --base-url "${baseUrl}" is not an http(s) URL, e.g. http://127.0.0.1:4010/v2.`);

  // Loaded only now: synthesizing the CDK app is the slow part, and --help or a usage error should not wait for it.
  const [{ HiringCenterClient }, { silentLogger }, { createJsonLogger }, { openApiTarget }, { runWorkflowLocally }, { localStepDependencies }, { noticingKeys }] = await Promise.all([
    import('../../lib/hiringcenter/index.ts'), import('../../lib/log.ts'), import('../json-logger.ts'), import('../api-target.ts'),
    import('../runner.ts'), import('../local-dependencies.ts'), import('../../lib/secrets/index.ts'),
  ]);
  const progress = values.json ? () => undefined : (line: string) => process.stderr.write(`${line}\n`);
  let target: ApiTarget;
  try {
    target = await openApiTarget(baseUrl, process.env);
  } catch (error) {
    return usageError(`hc-workflow run: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { sandbox } = target;
  const keysInLogs = new Set<string>();
  if (sandbox) progress(`Started the embedded HiringCenter sandbox at ${sandbox.url} (no base URL given).`);

  try {
    progress(`Running ${file} through the synthesized state machine against ${target.url}`);
    const result = await runWorkflowLocally({
      input: input.value,
      ...(executionName ? { executionName } : {}),
      deps: localStepDependencies({
        // As in Lambda (functions/commons/dependencies.ts): the key, once read, is masked in every log line.
        api: new HiringCenterClient({ baseUrl: target.url, keys: noticingKeys(target.keys, (key) => keysInLogs.add(key)) }),
        logger: values.verbose ? createJsonLogger({ write: (line) => process.stderr.write(`${line}\n`), secrets: () => [...keysInLogs] }) : silentLogger,
      }),
      onEvent: values.json ? undefined : (event) => {
        const line = describeEvent(event);
        if (line) progress(line);
      },
    });
    if (result.status !== 'SUCCEEDED') {
      const failure = result.failure;
      const how = result.status === 'TIMED_OUT' ? 'timed out' : 'failed';
      process.stderr.write(`✗ Execution ${result.executionName} ${how}${failure?.state ? ` at state ${failure.state}` : ''}: ${failure?.error}: ${withoutStatePrefix(failure?.message ?? '', failure?.state)}\n`);
      return 1;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(result.output)}\n`);
    } else {
      progress(`✓ Execution ${result.executionName} succeeded in ${result.durationMs} ms, ${result.transitions} state transitions`);
      if (sandbox) {
        const counts = sandbox.counts();
        progress(`  sandbox now holds ${counts.prospects} prospect(s), ${counts.notes} note(s), ${counts.tasks} task(s), ${counts.meetings} meeting(s)`);
      }
      process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
    }
    return 0;
  } finally {
    await target.close();
  }
}

/** The step already names its state in the message (for the failure event); the CLI line names it once. */
function withoutStatePrefix(message: string, state: string | undefined): string {
  return state && message.startsWith(`${state}: `) ? message.slice(state.length + 2) : message;
}

const SECTION_OF_STATE: Record<string, string> = { CreateNote: 'note', CreateTask: 'task', CreateMeeting: 'meeting' };

/** Tasks, quota waits and skipped steps are what a person follows; the Pass states of a quota wait are plumbing. */
function describeEvent(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'state-entered': {
      if (event.stateType === 'Wait') {
        const until = (event.input as { quotaWait?: { slot?: { until?: unknown } } } | null)?.quotaWait?.slot?.until;
        return `⏳ ${event.state.replace(/WaitForSlot$/, '')}: waiting for its API quota slot${typeof until === 'string' ? ` (until ${until})` : ''}`;
      }
      return event.stateType === 'Task' ? `▶ ${event.state}` : undefined;
    }
    case 'state-exited': {
      if (event.stateType !== 'Task' || event.caught) return undefined;
      // Every step but the last returns the state {sections, run}; the last one leaves the run alone.
      const output = (event.output ?? {}) as Record<string, unknown>;
      const run = (typeof output.run === 'object' && output.run !== null ? output.run : output) as Record<string, unknown>;
      const section = SECTION_OF_STATE[event.state];
      if (section && !(`${section}Id` in run)) return `· ${event.state} skipped (the input has no "${section}" section)`;
      const ids = ['prospectId', 'noteId', 'taskId', 'meetingId'].filter((key) => typeof run[key] === 'string').map((key) => `${key}=${String(run[key])}`);
      return `✓ ${event.state} (${event.durationMs} ms) ${ids.join(' ')}`;
    }
    case 'state-retried':
      return `↻ ${event.state}: retry ${event.attempt} after ${event.error}`;
    case 'state-caught':
      return `⚑ ${event.state}: caught ${event.error}`;
    case 'state-failed':
      return event.stateType === 'Task' ? `✗ ${event.state}: ${event.error}` : undefined;
  }
}

function usageError(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
