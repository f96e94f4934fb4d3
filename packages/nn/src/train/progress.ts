import cliProgress from 'cli-progress';

/** How the Trainer reports: a live bar, one line per epoch, or nothing. */
export type ProgressMode = 'bar' | 'lines' | 'none';

/** Receives the Trainer's progress as it happens. */
export interface ProgressReporter {
  epochStart(epoch: number, epochs: number, batches: number): void;
  /** After each batch: batches done in this epoch, that batch's loss, images seen in this epoch. */
  batch(done: number, loss: number, images: number): void;
  /** The epoch's summary line. */
  epochEnd(line: string): void;
  /** A line outside the epoch loop (start, resume, final accuracy). */
  message(line: string): void;
  close(): void;
}

export interface ProgressOptions {
  mode: ProgressMode;
  /** Where lines go (default console.log). */
  log?: (line: string) => void;
  /** The bar's terminal (default process.stderr). */
  stream?: NodeJS.WriteStream;
}

/** 'bar' when the bar's stream is a terminal, otherwise 'lines' (logs, CI, pipes). */
export function autoProgressMode(stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  return stream.isTTY === true ? 'bar' : 'lines';
}

/**
 * A reporter for the chosen mode. In 'bar' mode a cli-progress bar shows the batch, the running loss,
 * the speed in images/s and the epoch's ETA; every mode but 'none' prints one line per epoch.
 * @example const p = createProgress({ mode: autoProgressMode() });
 */
export function createProgress(options: ProgressOptions): ProgressReporter {
  const log = options.log ?? ((line: string) => console.log(line));
  if (options.mode === 'none') {
    return { epochStart() {}, batch() {}, epochEnd() {}, message() {}, close() {} };
  }
  if (options.mode === 'lines') {
    return { epochStart() {}, batch() {}, epochEnd: log, message: log, close() {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: options.stream ?? process.stderr,
      format: 'epoch {epoch}/{epochs} |{bar}| batch {value}/{total} | loss {loss} | {speed} img/s | ETA {eta_formatted}',
      // Not hidden: Ctrl-C kills the synchronous loop before cli-progress could show it again.
      hideCursor: false,
      clearOnComplete: true,
      // The loop is synchronous, so the bar must redraw from update() rather than from a timer.
      synchronousUpdate: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = 0;
  let active = false;
  return {
    epochStart(epoch, epochs, batches) {
      started = performance.now();
      active = true;
      bar.start(batches, 0, { epoch, epochs, loss: '-', speed: '-' });
    },
    batch(done, loss, images) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(done, { loss: loss.toFixed(4), speed: seconds > 0 ? Math.round(images / seconds) : '-' });
    },
    epochEnd(line) {
      if (active) bar.stop();
      active = false;
      log(line);
    },
    message: log,
    close() {
      if (active) bar.stop();
      active = false;
    },
  };
}
