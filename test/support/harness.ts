import { HiringCenterClient } from '../../lib/hiringcenter/index.ts';
import type { Logger } from '../../lib/log.ts';
import { createJsonLogger } from '../../dev/json-logger.ts';
import { localStepDependencies } from '../../dev/local-dependencies.ts';
import { redriveWorkflowLocally, runWorkflowLocally, type LocalRunOptions, type LocalRunResult, type RunEvent } from '../../dev/runner.ts';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../dev/sandbox/index.ts';
import { StaticKeyProvider } from '../../lib/secrets/index.ts';
import type { ApiKeyProvider } from '../../lib/secrets/types.ts';
import type { WorkflowConfig } from '../../lib/workflow/input.ts';
import type { QuotaPacer } from '../../lib/workflow/pacing.ts';
import { UNPACED } from './unpaced.ts';

/** The quickstart scenario, as a fresh object each time (tests mutate their copy). */
export function quickstartInput(): Record<string, unknown> {
  return {
    prospect: { firstName: 'Jordan', lastName: 'Miller', email: 'jordan.miller@example.com', phone: '+15551234567', labels: ['Quickstart', 'Inbound'] },
    note: { body: '<p>Spoke with prospect and confirmed interest in next steps.</p>', pin: true },
    task: { assignedTo: 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33', task: 'Send follow-up email with calendar options', dueAt: 1760000000000 },
    meeting: { meetingDate: '2025-10-10T14:00:00Z', timeZone: 'America/New_York', meetingType: 'virtual', ownerId: 'a7c1e9d34b2f4d8aa6c05e1f9b7d2a33', location: 'Zoom', notes: 'Intro call' },
  };
}

type RunOptions = Partial<Omit<LocalRunOptions, 'input' | 'deps'>> & { config?: WorkflowConfig; keys?: ApiKeyProvider; pacer?: QuotaPacer };
type HarnessResult = LocalRunResult & { events: RunEvent[] };

export interface Harness {
  sandbox: Sandbox;
  logLines: string[];
  run(input: unknown, options?: RunOptions): Promise<HarnessResult>;
  /** Redrives a failed or timed-out execution: at its failed state, with that state's input. */
  redrive(previous: LocalRunResult, options?: Omit<RunOptions, 'executionName'>): Promise<HarnessResult>;
  /** Moves the clock of the sandbox and of the steps forward, e.g. past the API's 24 h key retention. */
  advanceClock(ms: number): void;
  /** What the sandbox's read-only inspection endpoint reports, over HTTP like any other client. */
  inspect(): Promise<{ counts: Record<'prospects' | 'notes' | 'tasks' | 'meetings', number>; prospects: Record<string, unknown>[]; notes: Record<string, unknown>[]; tasks: Record<string, unknown>[]; meetings: Record<string, unknown>[] }>;
  close(): Promise<void>;
}

/** A sandbox on loopback plus the real client, and the synthesized state machine run by the local engine. */
export async function startHarness(options: SandboxOptions & {
  clientTimeouts?: { connectMs?: number; headersMs?: number; bodyMs?: number };
  /** Runs the clock of the sandbox and the steps 1/timeScale as fast (pair it with the run option of that name). */
  timeScale?: number;
} = {}): Promise<Harness> {
  const { clientTimeouts, timeScale = 1, ...sandboxOptions } = options;
  let offset = 0;
  const started = Date.now();
  const now = () => started + (Date.now() - started) / timeScale + offset;
  const sandbox = await startSandbox({ now, ...sandboxOptions });
  const logLines: string[] = [];
  const logger: Logger = createJsonLogger({ level: 'debug', write: (line) => logLines.push(line), secrets: () => [sandbox.apiKey] });
  const start = async (runOptions: RunOptions, begin: (options: Omit<LocalRunOptions, 'input'>) => Promise<LocalRunResult>): Promise<HarnessResult> => {
    const { config = {}, keys = new StaticKeyProvider(sandbox.apiKey), pacer, ...rest } = runOptions;
    const events: RunEvent[] = [];
    const client = new HiringCenterClient({ baseUrl: sandbox.url, keys, ...(clientTimeouts ? { timeouts: clientTimeouts } : {}) });
    const result = await begin({
      retryDelayMs: 20,
      ...rest,
      // No shared pacing unless a test asks for it: these tests count state transitions and waits of their own.
      deps: localStepDependencies({ api: client, config, logger, pacer: pacer ?? UNPACED, clock: { now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms * timeScale)) } }),
      onEvent: (event) => {
        events.push(event);
        rest.onEvent?.(event);
      },
    });
    return { ...result, events };
  };
  return {
    sandbox,
    logLines,
    run: (input, runOptions = {}) => start(runOptions, (options) => runWorkflowLocally({ ...options, input })),
    redrive: (previous, runOptions = {}) => start(runOptions, (options) => redriveWorkflowLocally(previous, options)),
    advanceClock(ms) {
      offset += ms;
    },
    async inspect() {
      const response = await fetch(`${sandbox.origin}/__sandbox/records`);
      return (await response.json()) as Awaited<ReturnType<Harness['inspect']>>;
    },
    close: () => sandbox.close(),
  };
}
