/**
 * A travelling-salesman problem: the cities to visit, and the distance table the solver reads.
 * @module
 */
import { register, type Serialisable } from 'celerity';
import { City } from './city.js';

/** What a {@link Problem} sends across a thread boundary: its cities, never its distance table. */
export interface ProblemData {
  readonly name: string;
  readonly cities: readonly City[];
}

/**
 * A set of cities to visit in one closed tour. The n×n distance table is built on first use in
 * each thread, so it never travels: sending the cities is cheaper than sending n² numbers.
 */
export class Problem implements Serialisable<ProblemData> {
  static {
    register(this, { id: 'tsp.Problem', module: import.meta.url });
  }

  /** A label for reports. */
  readonly name: string;
  /** The cities, in input order; a tour is an order of their indices. */
  readonly cities: readonly City[];
  #distances: Float64Array | undefined;

  /** Creates a problem over at least three cities. */
  constructor(name: string, cities: readonly City[]) {
    if (cities.length < 3) throw new RangeError(`a problem needs at least 3 cities, got ${cities.length}`);
    // A runtime use of City, not only a type: it also keeps bundlers from dropping city.ts (and
    // with it City's registration) from a bundle that never names City itself.
    const stray = cities.findIndex((city) => !(city instanceof City));
    if (stray >= 0) throw new TypeError(`cities[${stray}] is not a City`);
    this.name = name;
    this.cities = cities;
  }

  /** How many cities there are. */
  get size(): number {
    return this.cities.length;
  }

  /** The distance table, row-major: `distances[i * size + j]`. */
  get distances(): Float64Array {
    return (this.#distances ??= buildDistances(this.cities));
  }

  /**
   * The length of the closed tour that visits the cities in `order`. It reads the distance table
   * if this thread has built it (the solver has), and otherwise measures the n legs directly
   * rather than build n² distances to read n of them (a server answering has not).
   */
  tourLength(order: ArrayLike<number>): number {
    const n = this.size;
    const table = this.#distances;
    let total = 0;
    for (let k = 0; k < order.length; k++) {
      const from = order[k] as number;
      const to = order[(k + 1) % order.length] as number;
      total += table === undefined ? (this.cities[from] as City).distanceTo(this.cities[to] as City) : (table[from * n + to] as number);
    }
    return total;
  }

  /** The data a thread needs to rebuild this problem. */
  toSerialisable(): ProblemData {
    return { name: this.name, cities: this.cities };
  }

  /** Rebuilds a problem from {@link Problem.toSerialisable}'s data. */
  static fromSerialisable(data: ProblemData): Problem {
    return new Problem(data.name, data.cities);
  }
}

function buildDistances(cities: readonly City[]): Float64Array {
  const n = cities.length;
  const table = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = cities[i] as City;
    for (let j = i + 1; j < n; j++) {
      const d = a.distanceTo(cities[j] as City);
      table[i * n + j] = d;
      table[j * n + i] = d;
    }
  }
  return table;
}
