/**
 * A one-line progress bar for the terminal. On a TTY it redraws in place; elsewhere (a pipe, a
 * CI log, a test) it prints a line at each quarter so the output stays readable.
 * @module
 */

/** Where the bar draws: a writable stream such as `process.stdout`. */
export interface BarStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** How the figures after the bar read, given the bar's own running time in seconds. */
export type BarFormat = (done: number, total: number, elapsed: number) => string;

/** Counts of whole things, then the time so far: `12/48  4.3 s`. */
export const countFormat: BarFormat = (done, total, elapsed) => `${done}/${total}  ${elapsed.toFixed(1)} s`;

/** Progress measured in seconds: `1.2/2.0 s`. */
export const secondsFormat: BarFormat = (done, total) => `${done.toFixed(1)}/${total.toFixed(1)} s`;

const WIDTH = 28;
/** Redraws closer together than this only cost terminal time. */
const MIN_REDRAW_MS = 50;

/** A progress bar from 0 to `total`. */
export class ProgressBar {
  readonly #stream: BarStream;
  readonly #label: string;
  readonly #total: number;
  readonly #format: BarFormat;
  readonly #started = performance.now();
  #lastDraw = 0;
  #lastQuarter = -1;
  #finished = false;

  /** Creates a bar; nothing is drawn until the first {@link ProgressBar.update}. */
  constructor(stream: BarStream, label: string, total: number, format: BarFormat = countFormat) {
    this.#stream = stream;
    this.#label = label;
    this.#total = Math.max(total, 1e-9);
    this.#format = format;
  }

  /** Shows `done` of the total, with an optional note after the figures. */
  update(done: number, note = ''): void {
    if (this.#finished) return;
    const share = Math.min(1, Math.max(0, done / this.#total));
    if (this.#stream.isTTY === true) {
      const now = performance.now();
      if (share < 1 && now - this.#lastDraw < MIN_REDRAW_MS) return;
      this.#lastDraw = now;
      this.#stream.write(`\r\x1b[2K${this.#line(share, done, note)}`);
      return;
    }
    const quarter = Math.floor(share * 4);
    if (quarter > this.#lastQuarter) {
      this.#lastQuarter = quarter;
      this.#stream.write(`${this.#line(share, done, note)}\n`);
    }
  }

  /** Draws the final state and moves to a new line. */
  finish(done: number, note = ''): void {
    if (this.#finished) return;
    if (this.#stream.isTTY === true) {
      this.#lastDraw = 0;
      this.update(done, note);
      this.#stream.write('\n');
    } else if (this.#lastQuarter < 4) {
      this.update(done, note);
      if (this.#lastQuarter < 4) this.#stream.write(`${this.#line(done / this.#total, done, note)}\n`);
    }
    this.#finished = true;
  }

  /** Ends the bar's line without drawing more (for an interrupted run). */
  abandon(): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#stream.isTTY === true) this.#stream.write('\n');
  }

  #line(share: number, done: number, note: string): string {
    const filled = Math.round(share * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const elapsed = (performance.now() - this.#started) / 1000;
    const line = `${this.#label} [${bar}] ${this.#format(done, this.#total, elapsed)}${note === '' ? '' : `  ${note}`}`;
    const columns = this.#stream.columns;
    return columns !== undefined && line.length >= columns ? line.slice(0, columns - 1) : line;
  }
}
