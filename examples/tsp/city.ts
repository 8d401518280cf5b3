/**
 * A city of a travelling-salesman problem: a name and a place on the plane.
 * @module
 */
import { register, type Serialisable } from 'celerity';

/** What a {@link City} sends across a thread boundary. */
export interface CityData {
  readonly name: string;
  readonly x: number;
  readonly y: number;
}

/** A named point on the plane. Registered, so it arrives in a worker thread as a `City`. */
export class City implements Serialisable<CityData> {
  static {
    // The explicit id keeps the class recognisable after a minifier renames it.
    register(this, { id: 'tsp.City', module: import.meta.url });
  }

  /** The city's name, unique within its problem. */
  readonly name: string;
  /** East-west coordinate. */
  readonly x: number;
  /** North-south coordinate. */
  readonly y: number;

  /** Creates a city. */
  constructor(name: string, x: number, y: number) {
    this.name = name;
    this.x = x;
    this.y = y;
  }

  /** Straight-line distance to another city. */
  distanceTo(other: City): number {
    return Math.hypot(this.x - other.x, this.y - other.y);
  }

  /** The data a thread needs to rebuild this city. */
  toSerialisable(): CityData {
    return { name: this.name, x: this.x, y: this.y };
  }

  /** Rebuilds a city from {@link City.toSerialisable}'s data. */
  static fromSerialisable(data: CityData): City {
    return new City(data.name, data.x, data.y);
  }
}
