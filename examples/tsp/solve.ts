/**
 * Solving strategies built on the local search: one descent from a random start, many starts in
 * a row, and iterated local search (kick, descend, keep if better) for polishing a good tour.
 * @module
 */
import { doubleBridge, localSearch } from './local-search.js';
import type { Problem } from './problem.js';
import { randomOrder, seededRandom, type Random } from './random.js';
import { Route } from './route.js';

/** Descends from the random tour drawn from `seed` to a local optimum. */
export function solveFromStart(problem: Problem, seed: number, shouldStop?: () => boolean): Route {
  const order = randomOrder(problem.size, seededRandom(seed));
  localSearch(order, problem.distances, shouldStop);
  return new Route(problem, order);
}

/** The shorter of two routes (the first on a tie, so results do not depend on timing). */
export function shorter(a: Route, b: Route): Route {
  return b.length < a.length - 1e-9 ? b : a;
}

/** Descends from `starts` random tours (seeds `seed`, `seed + 1`, …) and keeps the shortest. */
export function solveMultiStart(problem: Problem, starts: number, seed: number): Route {
  let best = solveFromStart(problem, seed);
  for (let k = 1; k < starts; k++) best = shorter(best, solveFromStart(problem, seed + k));
  return best;
}

/**
 * Iterated local search from a given route: each {@link Polisher.step} kicks the best tour so
 * far, descends again, and keeps the result if it is shorter. The caller decides how long to go
 * on, which keeps this free of timers and easy to drive from a task that yields between steps.
 */
export class Polisher {
  /** The best route found so far. */
  best: Route;
  /** Steps taken. */
  steps = 0;
  /** Steps that found a shorter tour. */
  improvements = 0;
  readonly #random: Random;

  /** Starts from `route`; `seed` fixes the sequence of kicks. */
  constructor(route: Route, seed: number) {
    this.best = route;
    this.#random = seededRandom(seed);
  }

  /** One kick and descent. Returns whether it improved the best route. */
  step(): boolean {
    const problem = this.best.problem;
    const order = doubleBridge(this.best.order, this.#random);
    localSearch(order, problem.distances);
    this.steps++;
    const candidate = new Route(problem, order);
    if (candidate.length < this.best.length - 1e-9) {
      this.best = candidate;
      this.improvements++;
      return true;
    }
    return false;
  }
}
