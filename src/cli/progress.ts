/**
 * Progress on stderr while a benchmark runs: a spinner line rewritten in place on a terminal, a
 * plain line per step otherwise (logs and pipes keep a readable record). stdout stays clean for
 * the results.
 * @module
 */

/** Where progress goes: the parts of a stream we use. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): boolean;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Reports which of `total` steps is running. */
export class Progress {
  private done = 0;
  private label = '';
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tty: boolean;

  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly prefix = 'celerity bench',
  ) {
    this.tty = stream.isTTY === true;
  }

  /** Starts the next step. */
  step(label: string): void {
    this.done++;
    this.label = label;
    if (!this.tty) {
      this.stream.write(`${this.prefix} [${this.done}/${this.total}] ${label}\n`);
      return;
    }
    this.draw();
    // unref: the spinner must never keep the process alive on its own.
    this.timer ??= setInterval(() => {
      this.draw();
    }, 80).unref();
  }

  /** Ends the display (clears the spinner line on a terminal). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty) this.stream.write('\r\x1b[K');
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.stream.write(`\r\x1b[K${FRAMES[this.frame] ?? ''} ${this.prefix} [${this.done}/${this.total}] ${this.label}`);
  }
}
