/**
 * The scaling benchmark's workload: a travelling-salesman tour improved by 2-opt local search,
 * on registered classes so the tours travel to threads and back as themselves.
 * @module
 */
import { register } from 'celerity';

/** A city on the plane. */
export class City {
  static {
    register(this, { id: 'bench.City', module: import.meta.url });
  }
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  toSerialisable(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }
  static fromSerialisable(data: { x: number; y: number }): City {
    return new City(data.x, data.y);
  }
}

/** The data of a {@link Tour}. */
export interface TourData {
  cities: City[];
  order: number[];
}

/** A closed tour visiting every city once, in `order`. */
export class Tour {
  static {
    register(this, { id: 'bench.Tour', module: import.meta.url });
  }
  constructor(
    readonly cities: readonly City[],
    readonly order: readonly number[],
  ) {}
  toSerialisable(): TourData {
    return { cities: [...this.cities], order: [...this.order] };
  }
  static fromSerialisable(data: TourData): Tour {
    return new Tour(data.cities, data.order);
  }

  /** `count` cities placed by a seeded generator, visited in a shuffled order. */
  static random(count: number, seed: number): Tour {
    const next = mulberry32(seed);
    const cities = Array.from({ length: count }, () => new City(next() * 1000, next() * 1000));
    const order = Array.from({ length: count }, (_, i) => i);
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    return new Tour(cities, order);
  }

  /** The tour's length. */
  length(): number {
    const n = this.order.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += distance(this.cities[this.order[i] ?? 0], this.cities[this.order[(i + 1) % n] ?? 0]);
    return total;
  }

  /**
   * 2-opt to a local optimum: reverse any stretch of the tour that shortens it, until none does.
   * Deterministic, so every thread does exactly the work the main thread does.
   */
  improved(): Tour {
    const n = this.order.length;
    const d = new Float64Array(n * n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) d[a * n + b] = distance(this.cities[a], this.cities[b]);
    const order = Int32Array.from(this.order);
    const at = (i: number): number => order[i] ?? 0;
    let improving = true;
    while (improving) {
      improving = false;
      for (let i = 0; i < n - 2; i++) {
        const a = at(i);
        const b = at(i + 1);
        const ab = d[a * n + b] ?? 0;
        for (let j = i + 2; j < (i === 0 ? n - 1 : n); j++) {
          const c = at(j);
          const e = at((j + 1) % n);
          const delta = (d[a * n + c] ?? 0) + (d[b * n + e] ?? 0) - ab - (d[c * n + e] ?? 0);
          if (delta < -1e-9) {
            order.subarray(i + 1, j + 1).reverse();
            improving = true;
            break;
          }
        }
      }
    }
    return new Tour(this.cities, Array.from(order));
  }
}

function distance(p: City | undefined, q: City | undefined): number {
  if (p === undefined || q === undefined) throw new RangeError('tour: city index out of range');
  return Math.hypot(p.x - q.x, p.y - q.y);
}

/** A small seeded generator: the same tours on every run and every thread. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
