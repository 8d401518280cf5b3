/**
 * Scaling: a CPU-bound optimisation (2-opt on travelling-salesman tours, registered City and Tour
 * classes) run with `app.map` on 1..N threads, against the same work on the main thread.
 * Run standalone with `node build/bench/scaling.js`.
 * @module
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import { createApp } from 'celerity';
import type { Figure, SuiteResult } from './figures.js';
import type tasks from './tasks/optimise.js';
import type { PlainTour } from './tasks/raw-optimise.js';
import { Tour } from './tasks/tour.js';

/** Options of {@link runScalingBench}. */
export interface ScalingOptions {
  /** Cities per tour. Default 450 (a few tens of ms of 2-opt each). */
  cities?: number;
  /** Tours per batch. Default 8 per thread of the largest pool. */
  tours?: number;
  /** Batches timed per configuration; the best is kept. Default 8. */
  repeats?: number;
  /** The largest pool. Default `os.availableParallelism()`. */
  maxThreads?: number;
}

/** The target: at least this speedup on 2 threads. */
const TWO_THREAD_TARGET = 1.8;

/** Runs `batch` once and returns how long it took, ms. */
async function timed(batch: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await batch();
  return performance.now() - start;
}

/** Runs the scaling suite. */
export async function runScalingBench(options: ScalingOptions = {}): Promise<SuiteResult> {
  const maxThreads = options.maxThreads ?? os.availableParallelism();
  const cities = options.cities ?? 450;
  const count = options.tours ?? 8 * maxThreads;
  const repeats = options.repeats ?? 8;
  const tours = Array.from({ length: count }, (_, i) => Tour.random(cities, i + 1));
  const expected = tours.map((t) => t.improved().length());
  const sizes = Array.from({ length: maxThreads }, (_, i) => i + 1);
  const plain: PlainTour[] = tours.map((t) => ({ cities: t.cities.map((c) => ({ x: c.x, y: c.y })), order: [...t.order] }));
  const apps = sizes.map((threads) => createApp<typeof tasks>({ tasks: new URL('./tasks/optimise.js', import.meta.url), threads }));
  const raws = sizes.map((threads) => new Piscina<PlainTour, PlainTour>({ filename: new URL('./tasks/raw-optimise.js', import.meta.url).href, minThreads: threads, maxThreads: threads }));
  const rawBatch = (pool: Piscina<PlainTour, PlainTour>): Promise<PlainTour[]> => Promise.all(plain.map((t) => pool.run(t)));
  try {
    // Warm-up: start every thread and let each JIT the 2-opt loop before the clock runs (the
    // main thread has just optimised every tour once, above).
    for (const [i, app] of apps.entries()) {
      const warm = await app.map('optimise', tours.slice(0, 2 * (i + 1)));
      if (!warm.every((t) => t instanceof Tour)) throw new Error('scaling: a tour came back as something else');
    }
    for (const pool of raws) await rawBatch(pool);
    // Each repeat times the main thread and every pool in turn, and each configuration keeps its
    // best batch: a batch that lost the CPU to another process says nothing about the code.
    const best = new Array<number>(maxThreads + 1).fill(Infinity);
    const bestRaw = new Array<number>(maxThreads + 1).fill(Infinity);
    for (let r = 0; r < repeats; r++) {
      best[0] = Math.min(best[0] ?? Infinity, await timed(() => Promise.resolve(tours.map((t) => t.improved()))));
      for (const [i, pool] of raws.entries()) bestRaw[i + 1] = Math.min(bestRaw[i + 1] ?? Infinity, await timed(() => rawBatch(pool)));
      for (const [i, app] of apps.entries()) {
        let last: Tour[] = [];
        const ms = await timed(async () => {
          last = await app.map('optimise', tours);
        });
        // The threads must have done the same work as the main thread.
        last.forEach((t, k) => {
          if (Math.abs(t.length() - (expected[k] ?? NaN)) > 1e-6) throw new Error(`scaling: tour ${k} differs from the main thread's`);
        });
        best[i + 1] = Math.min(best[i + 1] ?? Infinity, ms);
      }
    }
    const mainMs = best[0] ?? NaN;
    const rows: SuiteResult['rows'] = [{ where: 'main thread', threads: 1, 'batch ms': round(mainMs), speedup: 1, efficiency: 1 }];
    const figures: Figure[] = [];
    for (const threads of sizes) {
      const rawMs = bestRaw[threads] ?? NaN;
      rows.push({ where: 'raw Piscina, plain data (the ceiling)', threads, 'batch ms': round(rawMs), speedup: round(mainMs / rawMs), efficiency: round(mainMs / rawMs / threads) });
      figures.push({
        group: 'scaling: speedup of app.map over the main thread (2-opt)',
        label: `raw Piscina, ${threads} thread${threads === 1 ? '' : 's'}`,
        name: `scaling: raw Piscina speedup on ${threads} thread${threads === 1 ? '' : 's'} (reference)`,
        value: mainMs / rawMs,
        better: 'higher',
      });
    }
    for (const threads of sizes) {
      const ms = best[threads] ?? NaN;
      const speedup = mainMs / ms;
      rows.push({ where: 'celerity app.map', threads, 'batch ms': round(ms), speedup: round(speedup), efficiency: round(speedup / threads) });
      figures.push({
        group: 'scaling: speedup of app.map over the main thread (2-opt)',
        label: `celerity, ${threads} thread${threads === 1 ? '' : 's'}`,
        name: `scaling: speedup on ${threads} thread${threads === 1 ? '' : 's'}`,
        value: speedup,
        target: threads === 2 ? TWO_THREAD_TARGET : undefined,
        better: 'higher',
      });
    }
    return {
      suite: 'scaling',
      title: `2-opt on ${count} tours of ${cities} cities: app.map on 1..${maxThreads} threads against the main thread (raw Piscina on plain data for reference), best of ${repeats} batches (speedup; efficiency = speedup ÷ threads)`,
      rows,
      figures,
      details: { cities, tours: count, repeats, maxThreads, bestMs: best, bestRawMs: bestRaw },
    };
  } finally {
    await Promise.all([...apps.map((app) => app.close()), ...raws.map((pool) => pool.destroy())]);
  }
}

function round(n: number): number {
  return Number(n.toPrecision(4));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.table((await runScalingBench()).rows);
}
