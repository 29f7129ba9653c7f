import cliProgress from 'cli-progress';

export interface ImportProgress {
  start(total: number): void;
  /** One more workflow finished. */
  rowDone(failed: boolean): void;
  stop(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** A terminal gets a live bar; a pipe or a log file gets a line now and then (a bar would fill it with redraws). */
export function progressMode(stream: ProgressStream, json: boolean): ProgressMode {
  if (json) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

export function createProgress(mode: ProgressMode, stream: ProgressStream, options: { lineIntervalMs?: number; now?: () => number } = {}): ImportProgress {
  const now = options.now ?? Date.now;
  let total = 0;
  let done = 0;
  let failed = 0;
  let startedAt = 0;
  const rate = () => {
    const seconds = (now() - startedAt) / 1000;
    return seconds > 0 ? done / seconds : 0;
  };
  if (mode === 'none') return { start: () => undefined, rowDone: () => undefined, stop: () => undefined };
  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar({
      // cli-progress types the stream as a full WritableStream; it only writes to it and reads isTTY/columns.
      stream: stream as unknown as NodeJS.WritableStream,
      format: 'Importing |{bar}| {value}/{total} rows | {failed} failed | {rate} rows/s | ETA {eta_formatted}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
    }, cliProgress.Presets.shades_classic);
    return {
      start(count) {
        total = count;
        startedAt = now();
        bar.start(total, 0, { failed: 0, rate: '0.0' });
      },
      rowDone(rowFailed) {
        done++;
        if (rowFailed) failed++;
        bar.update(done, { failed, rate: rate().toFixed(1) });
      },
      stop: () => bar.stop(),
    };
  }
  const interval = options.lineIntervalMs ?? 2000;
  let lastLine = 0;
  const line = () => {
    const perSecond = rate();
    const eta = perSecond > 0 && done < total ? `, about ${Math.ceil((total - done) / perSecond)} s left` : '';
    stream.write(`… ${done}/${total} rows done, ${failed} failed, ${perSecond.toFixed(1)} rows/s${eta}\n`);
    lastLine = now();
  };
  return {
    start(count) {
      total = count;
      startedAt = now();
      lastLine = startedAt;
    },
    rowDone(rowFailed) {
      done++;
      if (rowFailed) failed++;
      if (now() - lastLine >= interval || done === total) line();
    },
    stop: () => undefined,
  };
}
