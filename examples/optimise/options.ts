/**
 * The command-line flags of the optimise example.
 * @module
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** What one run of the example does. */
export interface OptimiseOptions {
  /** How many random cities. */
  readonly cities: number;
  /** How many random starting tours to descend from. */
  readonly starts: number;
  /** Threads of the main run. */
  readonly threads: number;
  /** Seed of the problem and of the starts. */
  readonly seed: number;
  /** How long to polish the best tours, ms (0: skip). */
  readonly polishMs: number;
  /** Whether to repeat the starts on one thread to measure the speedup. */
  readonly baseline: boolean;
}

/** The usage text. */
export const USAGE = `usage: optimise [--cities N] [--starts N] [--threads N] [--seed N] [--polish-ms MS] [--skip-baseline]

Solves a random travelling-salesman problem by local search (2-opt and or-opt) from many
random starting tours in parallel, polishes the best tours by iterated local search, then repeats
the starts on one thread and prints the speedup. Ctrl-C cancels cleanly.

  --cities N        cities in the random problem (default 500)
  --starts N        random starting tours (default 48)
  --threads N       worker threads (default: every core, here ${availableParallelism()})
  --seed N          seed of the problem and the starts (default 1)
  --polish-ms MS    time to polish the best tours (default 2000; 0 skips it)
  --skip-baseline   do not repeat the starts on one thread (no speedup figure)
  --help            this text`;

/** A flag that is not right; the message says which and why. */
export class UsageError extends Error {
  static {
    Object.defineProperty(this.prototype, 'name', { value: 'UsageError' });
  }
}

function integer(text: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${flag} must be an integer from ${min} to ${max}, got "${text}"`);
  return value;
}

/**
 * Reads the flags. Returns `undefined` for `--help`.
 *
 * @throws {UsageError} for an unknown flag or a value out of range.
 */
export function parseOptions(argv: readonly string[]): OptimiseOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        cities: { type: 'string' },
        starts: { type: 'string' },
        threads: { type: 'string' },
        seed: { type: 'string' },
        'polish-ms': { type: 'string' },
        'skip-baseline': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return undefined;
  return {
    cities: integer(values.cities, 'cities', 500, 8, 5000),
    starts: integer(values.starts, 'starts', 48, 1, 100_000),
    threads: integer(values.threads, 'threads', availableParallelism(), 1, 256),
    seed: integer(values.seed, 'seed', 1, 0, 2 ** 31 - 1),
    polishMs: integer(values['polish-ms'], 'polish-ms', 2000, 0, 3_600_000),
    baseline: values['skip-baseline'] !== true,
  };
}
