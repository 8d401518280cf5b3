/**
 * The tasks of the optimise example, loaded once in every worker thread. Arguments and results
 * are registered classes ({@link Problem}, {@link Route}), so they arrive as themselves.
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { defineTasks } from 'celerity';
import type { Problem } from '../tsp/problem.js';
import type { Route } from '../tsp/route.js';
import { Polisher, solveFromStart } from '../tsp/solve.js';

/** One input of the `descend` map: which problem, and the seed of the random tour to start from. */
export interface Start {
  readonly problem: Problem;
  readonly seed: number;
}

/** What `polish` reports while it runs. */
export interface PolishProgress {
  /** Length of the best tour so far. */
  readonly best: number;
  /** Kicks tried so far. */
  readonly kicks: number;
  /** Time spent so far, ms. */
  readonly elapsed: number;
}

/** How often `polish` reports progress and lets a cancel in, ms. */
const REPORT_EVERY_MS = 100;

export default defineTasks({
  /** Descends from one random tour to a local optimum. */
  async descend(start: Start): Promise<Route> {
    // A cancel reaches the thread as a message: give it one turn of the event loop to arrive
    // before spending a few hundred milliseconds of CPU on a start nobody wants any more.
    await nextTurn();
    this.signal.throwIfAborted();
    return solveFromStart(start.problem, start.seed);
  },

  /** The shortest of `routes` (the workflows example's chord gathers the descents with it). */
  shortest(routes: Route[]): Route {
    return routes.reduce((best, route) => (route.length < best.length ? route : best));
  },

  /** Iterated local search from `route` for `budgetMs`, reporting {@link PolishProgress}. */
  async polish(route: Route, budgetMs: number, seed: number): Promise<Route> {
    const polisher = new Polisher(route, seed);
    const started = performance.now();
    let reported = started;
    for (;;) {
      const now = performance.now();
      if (now - started >= budgetMs) break;
      if (now - reported >= REPORT_EVERY_MS) {
        reported = now;
        this.progress({ best: polisher.best.length, kicks: polisher.steps, elapsed: now - started } satisfies PolishProgress);
        // Yielding is what lets `this.signal` see a cancel or timeout.
        await nextTurn();
        this.signal.throwIfAborted();
      }
      polisher.step();
    }
    this.progress({ best: polisher.best.length, kicks: polisher.steps, elapsed: performance.now() - started } satisfies PolishProgress);
    return polisher.best;
  },
});
