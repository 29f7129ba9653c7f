/**
 * `hc-workflow sandbox`: serve the in-memory HiringCenter API v2 sandbox until SIGINT/SIGTERM.
 * The access log holds method, path (no query string), status, duration and replay/fault markers only:
 * request bodies and query strings carry emails and phone numbers.
 */
import { parseArgs } from 'node:util';
import { startSandbox, type AccessLogEntry, type Sandbox } from '../sandbox/index.ts';

export const DEFAULT_PORT = 4010;

export const USAGE = `Usage: hc-workflow sandbox [options]

Serve an in-memory HiringCenter REST API v2 sandbox under /v2 (for local runs and tests).

Options:
  --port N          port to listen on; 0 picks a free port          (default ${DEFAULT_PORT})
  --host H          interface to bind                               (default 127.0.0.1, loopback only)
  --key K           API key clients must send as "Authorization: Bearer K"
                                      (default: $HIRINGCENTER_API_KEY, else a generated hc_sandbox_<hex> key)
  --fault-rate R    probability 0..1 that a request gets a random fault
                    (429, 5xx, reset after commit, hang, latency)    (default 0)
  --seed S          integer seed of the fault PRNG (same seed, same faults) (default 1)
  --latency MS      fixed latency added to every API response, in ms (default 0)
  --help            show this help

Read-only inspection: GET /__sandbox/records and GET /__sandbox/stats (no auth).
Stop with Ctrl-C (SIGINT) or SIGTERM.`;

export interface RunDeps {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  err?: (line: string) => void;
  /** Stops the server like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
}

class UsageError extends Error {}

interface Settings {
  port: number;
  host: string;
  key: string | undefined;
  faultRate: number;
  seed: number;
  latencyMs: number;
  help: boolean;
}

function parseSettings(argv: string[]): Settings {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        key: { type: 'string' },
        'fault-rate': { type: 'string' },
        seed: { type: 'string' },
        latency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const int = (name: string, raw: string | undefined, def: number, min: number, max: number): number => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max} (got "${raw}")`);
    }
    return n;
  };
  let faultRate = 0;
  if (values['fault-rate'] !== undefined) {
    const raw = values['fault-rate'];
    faultRate = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(faultRate) || faultRate < 0 || faultRate > 1) {
      throw new UsageError(`--fault-rate must be a number from 0 to 1 (got "${raw}")`);
    }
  }
  const host = values.host ?? '127.0.0.1';
  if (host.trim() === '') throw new UsageError('--host must not be empty');
  if (values.key !== undefined && (values.key.trim() === '' || /\s/.test(values.key))) {
    throw new UsageError('--key must be a non-empty value without spaces');
  }
  return {
    port: int('port', values.port, DEFAULT_PORT, 0, 65535),
    host,
    key: values.key,
    faultRate,
    seed: int('seed', values.seed, 1, -(2 ** 31), 2 ** 32 - 1),
    latencyMs: int('latency', values.latency, 0, 0, 600_000),
    help: values.help === true,
  };
}

/** Single-quotes a value for POSIX shells when it holds anything beyond a safe set. */
function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

export function formatAccessLog(e: AccessLogEntry): string {
  const status = e.status === 'reset' ? 'RESET' : String(e.status);
  const markers = [e.replayed ? 'replayed' : '', e.fault !== undefined ? `fault=${e.fault}` : ''].filter(Boolean);
  return `[sandbox] ${e.method} ${e.path} ${status} ${e.ms}ms${markers.length > 0 ? ` ${markers.join(' ')}` : ''}`;
}

export async function run(argv: string[], deps: RunDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const err = deps.err ?? ((line: string) => process.stderr.write(`${line}\n`));

  let settings: Settings;
  try {
    settings = parseSettings(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`hc-workflow sandbox: ${error.message}`);
    err('Run "hc-workflow sandbox --help" for the options.');
    return 2;
  }
  if (settings.help) {
    out(USAGE);
    return 0;
  }

  const envKey = env.HIRINGCENTER_API_KEY?.trim() || undefined;
  const keySource = settings.key !== undefined ? 'flag' : envKey !== undefined ? 'env' : 'generated';
  let sandbox: Sandbox;
  try {
    sandbox = await startSandbox({
      host: settings.host,
      port: settings.port,
      apiKey: settings.key ?? envKey,
      seed: settings.seed,
      latencyMs: settings.latencyMs,
      faults: settings.faultRate > 0 ? { rate: settings.faultRate } : undefined,
      onResponse: (entry) => err(formatAccessLog(entry)),
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const reason =
      code === 'EADDRINUSE'
        ? `port ${settings.port} is already in use (try --port 0 for a free port)`
        : error instanceof Error
          ? error.message
          : String(error);
    err(`hc-workflow sandbox: cannot start: ${reason}`);
    return 1;
  }

  err(`HiringCenter API v2 sandbox listening on ${sandbox.url}`);
  if (keySource === 'env') {
    // The variable may hold a real key: it is already in the caller's shell, so it is not printed.
    err('API key: the value of HIRINGCENTER_API_KEY (not printed)');
  } else {
    err(`API key: ${sandbox.apiKey}${keySource === 'generated' ? ' (generated for this run; set it with --key)' : ''}`);
  }
  if (settings.faultRate > 0) err(`Random faults: rate ${settings.faultRate}, seed ${settings.seed}`);
  if (settings.latencyMs > 0) err(`Added latency: ${settings.latencyMs} ms per API response`);
  err(`Inspect: ${sandbox.origin}/__sandbox/records and ${sandbox.origin}/__sandbox/stats`);
  err('Paste into another shell:');
  out(`export HIRINGCENTER_BASE_URL=${shellQuote(sandbox.url)}`);
  if (keySource !== 'env') out(`export HIRINGCENTER_API_KEY=${shellQuote(sandbox.apiKey)}`);

  await waitForStop(deps.signal);
  err('hc-workflow sandbox: stopping');
  await sandbox.close();
  return 0;
}

function waitForStop(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (signal?.aborted === true) stop();
    else signal?.addEventListener('abort', stop, { once: true });
  });
}
