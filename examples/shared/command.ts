/**
 * The frame of an example's command: its flags (a bad one exits 2 with the usage, `--help` prints
 * it), Ctrl-C as a cancel of the work under way (a second Ctrl-C quits at once), and exit code 130
 * when the work ended because of it.
 * @module
 */

/** What a command is made of. */
export interface Command<O> {
  /** Its name, for error lines. */
  readonly name: string;
  /** Its usage text. */
  readonly usage: string;
  /** Reads the flags; `undefined` for `--help`; throws what {@link isUsageError} recognises for a bad flag. */
  parse(argv: readonly string[]): O | undefined;
  /** Whether a thrown value is a bad flag (not a crash). */
  isUsageError(error: unknown): error is Error;
  /** The work, which `signal` cancels on Ctrl-C. */
  run(options: O, signal: AbortSignal): Promise<void>;
  /** What to say once a Ctrl-C has stopped the work. */
  readonly cancelled: string;
}

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Runs `command` with this process's arguments and sets the exit code. */
export function runCommand<O>(command: Command<O>): void {
  main(command).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${command.name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

async function main<O>(command: Command<O>): Promise<number> {
  let options: O | undefined;
  try {
    options = command.parse(process.argv.slice(2));
  } catch (error) {
    if (!command.isUsageError(error)) throw error;
    process.stderr.write(`${command.name}: ${error.message}\n${command.usage}\n`);
    return 2;
  }
  if (options === undefined) {
    say(command.usage);
    return 0;
  }
  const controller = new AbortController();
  const stopListening = cancelOnInterrupt(controller);
  try {
    await command.run(options, controller.signal);
    return 0;
  } catch (error) {
    if (controller.signal.aborted && error instanceof Error && error.name === 'AbortError') {
      say(command.cancelled);
      return 130;
    }
    throw error;
  } finally {
    stopListening();
  }
}

/** Ctrl-C aborts `controller`; a second Ctrl-C gives up on a clean stop. Returns what stops listening. */
function cancelOnInterrupt(controller: AbortController): () => void {
  const second = (): void => {
    process.exit(130);
  };
  const first = (): void => {
    say('\ninterrupted: cancelling the work still out (Ctrl-C again to quit at once)');
    process.once('SIGINT', second);
    controller.abort(new Error('interrupted by Ctrl-C'));
  };
  process.once('SIGINT', first);
  return () => {
    process.off('SIGINT', first);
    process.off('SIGINT', second);
  };
}
