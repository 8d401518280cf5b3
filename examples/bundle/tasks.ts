/**
 * The tasks module of the bundle example. `build.ts` bundles it on its own, celerity and the
 * travelling-salesman classes included, and minifies it: the classes keep working in the worker
 * because they are registered under explicit ids, not under their (minified) class names.
 * @module
 */
import { defineTasks } from 'celerity';
import { Problem } from '../tsp/problem.js';
import type { Route } from '../tsp/route.js';
import { solveMultiStart } from '../tsp/solve.js';

export default defineTasks({
  /** Solves `problem` from `starts` random tours; refuses anything that did not arrive as a Problem. */
  solve(problem: Problem, starts: number, seed: number): Route {
    if (!(problem instanceof Problem)) throw new TypeError('the problem did not arrive as a Problem');
    return solveMultiStart(problem, starts, seed);
  },
});
