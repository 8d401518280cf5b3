/**
 * A small timing loop: warm up, then take samples until the time budget is spent, and report the
 * median time per call. The median rather than the mean, because one garbage collection pause
 * in a sample would otherwise move the figure.
 * @module
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { types } from 'node:util';

/** The outcome of one measurement. */
export interface Timing {
  /** Median time of one call, ms. */
  medianMs: number;
  /** Fastest sample, ms per call. */
  minMs: number;
  /** How many samples the median is taken over. */
  samples: number;
  /** Calls per sample (short calls are batched so a sample outlasts the timer's resolution). */
  batch: number;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Time budget for sampling, ms (warm-up comes on top, about a quarter of it). */
  timeMs: number;
  /** Take at least this many samples even when the budget is spent. Default 5. */
  minSamples?: number;
}

/** A sample should last at least this long, ms, for the clock to resolve it well. */
const MIN_SAMPLE_MS = 1;
/** Never batch more calls than this into one sample. */
const MAX_BATCH = 10_000;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const upper = sorted[mid] ?? NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[mid - 1] ?? NaN) + upper) / 2;
}

/** Times a function in batches; sync functions without an `await` per call. */
interface Sampler {
  /** Runs `times` calls, resolving to the elapsed ms. */
  run(times: number): Promise<number>;
  /** Calls per sample, set after warm-up. */
  batch: number;
  perCall: number[];
}

async function sampler(fn: () => unknown): Promise<Sampler> {
  const first = fn();
  const isAsync = types.isPromise(first);
  if (isAsync) await first;
  // Sync functions are timed without an `await` per call: its microtask would be part of the figure.
  const run = isAsync
    ? async (times: number): Promise<number> => {
        const start = performance.now();
        for (let i = 0; i < times; i++) await fn();
        return performance.now() - start;
      }
    : (times: number): Promise<number> => {
        const start = performance.now();
        for (let i = 0; i < times; i++) fn();
        return Promise.resolve(performance.now() - start);
      };
  return { run, batch: 1, perCall: [] };
}

/** Warm-up: lets the JIT settle and tells how many calls make a sample worth timing. */
async function warmUp(s: Sampler, ms: number): Promise<void> {
  const until = performance.now() + ms;
  let single = await s.run(1);
  while (performance.now() < until) {
    single = Math.min(single, await s.run(1));
    await yieldToLoop();
  }
  s.batch = Math.min(MAX_BATCH, Math.max(1, Math.ceil(MIN_SAMPLE_MS / Math.max(single, 1e-6))));
}

function timing(s: Sampler): Timing {
  return { medianMs: median(s.perCall), minMs: Math.min(...s.perCall), samples: s.perCall.length, batch: s.batch };
}

/**
 * Times several functions interleaved: one sample of each in turn, round after round, until
 * every one has spent its share of the budget (`timeMs` each). Figures meant to be divided by
 * one another are taken this way, so a change in the machine's load or heap during the run
 * moves both sides of a ratio alike instead of whichever happened to run second.
 */
export async function measureGroup<K extends string>(fns: Readonly<Record<K, () => unknown>>, options: MeasureOptions): Promise<Record<K, Timing>> {
  const minSamples = options.minSamples ?? 5;
  const keys = Object.keys(fns) as K[];
  const samplers = new Map<K, Sampler>();
  for (const key of keys) samplers.set(key, await sampler(fns[key]));
  for (const s of samplers.values()) await warmUp(s, options.timeMs / 4);
  const until = performance.now() + options.timeMs * keys.length;
  let round = 0;
  const enough = (): boolean => [...samplers.values()].every((s) => s.perCall.length >= minSamples);
  while (!enough() || performance.now() < until) {
    // Rotate who goes first, so no function always follows the same neighbour.
    for (let i = 0; i < keys.length; i++) {
      const s = samplers.get(keys[(i + round) % keys.length] as K);
      if (s === undefined) continue;
      s.perCall.push((await s.run(s.batch)) / s.batch);
      await yieldToLoop();
    }
    round++;
  }
  return Object.fromEntries(keys.map((key) => [key, timing(samplers.get(key) as Sampler)])) as Record<K, Timing>;
}
