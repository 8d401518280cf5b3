/**
 * A tour through every city of a problem.
 * @module
 */
import { register, type Serialisable } from 'celerity';
import type { City } from './city.js';
import { Problem } from './problem.js';

/** What a {@link Route} sends across a thread boundary. */
export interface RouteData {
  readonly problem: Problem;
  readonly order: Int32Array;
}

/**
 * A closed tour: the problem it belongs to and the order in which it visits the cities. It holds
 * its {@link Problem}, which holds its cities, so a route that comes back from a thread brings
 * everything needed to read it.
 */
export class Route implements Serialisable<RouteData> {
  static {
    register(this, { id: 'tsp.Route', module: import.meta.url });
  }

  /** The problem this route solves. */
  readonly problem: Problem;
  /** City indices in visiting order; the tour returns from the last to the first. */
  readonly order: Int32Array;
  #length: number | undefined;

  /** Creates a route; `order` must be a permutation of the problem's city indices. */
  constructor(problem: Problem, order: Int32Array) {
    if (order.length !== problem.size) throw new RangeError(`a route over ${problem.size} cities needs ${problem.size} stops, got ${order.length}`);
    this.problem = problem;
    this.order = order;
  }

  /** The total length of the closed tour. */
  get length(): number {
    return (this.#length ??= this.problem.tourLength(this.order));
  }

  /** The cities in visiting order. */
  get stops(): City[] {
    return Array.from(this.order, (index) => this.problem.cities[index] as City);
  }

  /** The data a thread needs to rebuild this route (the typed array travels as one). */
  toSerialisable(): RouteData {
    return { problem: this.problem, order: this.order };
  }

  /** Rebuilds a route from {@link Route.toSerialisable}'s data. */
  static fromSerialisable(data: RouteData): Route {
    return new Route(data.problem, data.order);
  }
}
