/**
 * The two phases of the optimise example, each a small use of the app: `map` over many starts
 * (with a bar fed by map's `onProgress`), then `submit` of a few polishing runs (with a bar fed by
 * the tasks' own `this.progress()` values).
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { App } from 'celerity';
import type { Problem } from '../tsp/problem.js';
import type { Route } from '../tsp/route.js';
import { ProgressBar, secondsFormat, type BarStream } from '../shared/progress-bar.js';
import type tasks from './tasks.js';
import type { PolishProgress, Start } from './tasks.js';

/** The app of this example, typed by its tasks module. */
export type OptimiseApp = App<typeof tasks>;

/** What the descent phase found. */
export interface Descent {
  /** The local optimum from every start, in start order. */
  readonly routes: Route[];
  /** Wall time of the phase, ms. */
  readonly ms: number;
  /**
   * CPU time of the whole process (every thread) over wall time: how many cores the phase kept
   * busy. Below the thread count, the machine was not giving this process all its cores.
   */
  readonly cores: number;
}

/** The seeds of the starts: the same for the same options, whichever thread runs them. */
export function startsOf(problem: Problem, count: number, seed: number): Start[] {
  return Array.from({ length: count }, (_, k) => ({ problem, seed: seed * 100_003 + k }));
}

/** Descends from every start on the app's threads, drawing a bar as starts complete. */
export async function descend(app: OptimiseApp, starts: readonly Start[], label: string, out: BarStream, signal: AbortSignal): Promise<Descent> {
  const bar = new ProgressBar(out, label, starts.length);
  bar.update(0);
  const began = performance.now();
  const cpu = process.cpuUsage();
  try {
    const routes = await app.map('descend', starts, {
      signal,
      onProgress: (done) => {
        bar.update(done);
      },
    });
    const ms = performance.now() - began;
    const used = process.cpuUsage(cpu);
    bar.finish(routes.length, `${((routes.length / ms) * 1000).toFixed(1)} starts/s`);
    return { routes, ms, cores: (used.user + used.system) / 1000 / ms };
  } catch (error) {
    bar.abandon();
    throw error;
  }
}

/** The `count` shortest routes with distinct lengths (several starts often reach the same tour). */
export function bestDistinct(routes: readonly Route[], count: number): Route[] {
  const sorted = [...routes].sort((a, b) => a.length - b.length);
  const picked: Route[] = [];
  for (const route of sorted) {
    if (picked.length === count) break;
    const previous = picked.at(-1);
    if (previous === undefined || route.length - previous.length > 1e-6) picked.push(route);
  }
  return picked;
}

/**
 * Polishes each route on its own thread for `budgetMs`, all at once, drawing one bar from the
 * progress the tasks report; resolves to the shortest result.
 */
export async function polish(app: OptimiseApp, routes: readonly Route[], budgetMs: number, seed: number, out: BarStream, signal: AbortSignal): Promise<Route> {
  const bar = new ProgressBar(out, `polishing the best ${routes.length}`, budgetMs / 1000, secondsFormat);
  let best = Math.min(...routes.map((route) => route.length));
  let elapsed = 0;
  const kicks = new Array<number>(routes.length).fill(0);
  const runs = routes.map((route, k) =>
    app.submit('polish', [route, budgetMs, seed + k], {
      signal,
      // Run time only: a polish that waits for a thread is not late.
      timeout: budgetMs * 2 + 5_000,
      onProgress: (value) => {
        const progress = value as PolishProgress;
        best = Math.min(best, progress.best);
        elapsed = Math.max(elapsed, progress.elapsed);
        kicks[k] = progress.kicks;
        bar.update(elapsed / 1000, `best ${formatLength(best)}  ${kicks.reduce((a, b) => a + b, 0)} kicks`);
      },
    }),
  );
  try {
    const polished = await Promise.all(runs);
    const winner = polished.reduce((a, b) => (b.length < a.length ? b : a));
    bar.finish(budgetMs / 1000, `best ${formatLength(winner.length)}  ${kicks.reduce((a, b) => a + b, 0)} kicks`);
    return winner;
  } catch (error) {
    bar.abandon();
    for (const run of runs) run.cancel();
    throw error;
  }
}

/** A tour length for people: thousands separated, one decimal. */
export function formatLength(length: number): string {
  return length.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}
