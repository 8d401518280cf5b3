/**
 * tinybench, interleaved: the tasks whose figures are divided by one another run in short
 * rounds, each round in a rotated order, and each figure is a task's best round median. On a
 * machine shared with other work, a round that lost the CPU to another process is slow for
 * reasons that have nothing to do with the code; the best round median is the figure least
 * touched by that, while still counting the garbage collection a task causes (a minimum over
 * single calls would not).
 * @module
 */
import { Bench } from 'tinybench';

/** Options of {@link timeTogether}. */
export interface TogetherOptions {
  /** Sampling time per task over all rounds, ms. */
  time: number;
  /** How many rounds. Default 6. */
  rounds?: number;
  /** Fewest calls per task per round (slow tasks stop on this, not on time). Default 2. */
  iterations?: number;
}

/** Best round median, ms per call, of each task, the tasks timed in interleaved tinybench rounds. */
export async function timeTogether<K extends string>(tasks: Readonly<Record<K, () => unknown>>, options: TogetherOptions): Promise<Record<K, number>> {
  const rounds = options.rounds ?? 6;
  const names = Object.keys(tasks) as K[];
  const p50s = new Map<K, number[]>(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    const bench = new Bench({
      time: options.time / rounds,
      iterations: options.iterations ?? 2,
      // Warm up once, in the first round; later rounds find the code already optimised.
      warmup: round === 0,
      warmupTime: options.time / 4,
      warmupIterations: 2,
      throws: true,
    });
    const order = names.map((_, i) => names[(i + round) % names.length] as K);
    for (const name of order) bench.add(name, tasks[name]);
    await bench.run();
    for (const name of order) {
      const result = bench.getTask(name)?.result;
      if (result === undefined || !('latency' in result)) throw new Error(`benchmark task ${name} did not run`);
      p50s.get(name)?.push(result.latency.p50);
    }
  }
  return Object.fromEntries(names.map((n) => [n, Math.min(...(p50s.get(n) ?? [NaN]))])) as Record<K, number>;
}
