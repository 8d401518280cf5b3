/**
 * The tasks of the server example, loaded once in every worker thread.
 * @module
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { defineTasks } from 'celerity';
import type { Problem } from '../tsp/problem.js';
import type { Route } from '../tsp/route.js';
import { shorter, solveFromStart } from '../tsp/solve.js';

export default defineTasks({
  /**
   * Descends from `starts` random tours and returns the shortest. Between starts it yields once,
   * which is when a cancel (the client hung up) or a timeout reaches `this.signal`.
   */
  async solve(problem: Problem, starts: number, seed: number): Promise<Route> {
    let best: Route | undefined;
    for (let k = 0; k < starts; k++) {
      await nextTurn();
      this.signal.throwIfAborted();
      const route = solveFromStart(problem, seed + k);
      best = best === undefined ? route : shorter(best, route);
    }
    if (best === undefined) throw new RangeError('starts must be at least 1');
    return best;
  },
});
