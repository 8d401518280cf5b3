/**
 * Two registered classes written in TypeScript that runs as is: no enums, no namespaces, no
 * constructor parameter properties, only syntax a type stripper can erase.
 * @module
 */
import { register, type Serialisable } from 'celerity';

/** What a {@link Point} sends across a thread boundary. */
export interface PointData {
  readonly x: number;
  readonly y: number;
}

/** A point on the plane. */
export class Point implements Serialisable<PointData> {
  static {
    register(this, { id: 'geometry.Point', module: import.meta.url });
  }

  /** East-west coordinate. */
  readonly x: number;
  /** North-south coordinate. */
  readonly y: number;

  /** Creates a point. */
  constructor(x: number, y: number) {
    this.x = x;
    this.y = y;
  }

  /** The point's data. */
  toSerialisable(): PointData {
    return { x: this.x, y: this.y };
  }

  /** Rebuilds a point. */
  static fromSerialisable(data: PointData): Point {
    return new Point(data.x, data.y);
  }
}

/** A closed polygon, its corners in order. */
export class Polygon implements Serialisable<{ corners: readonly Point[] }> {
  static {
    register(this, { id: 'geometry.Polygon', module: import.meta.url });
  }

  /** The corners, in order (anticlockwise for a convex hull). */
  readonly corners: readonly Point[];

  /** Creates a polygon. */
  constructor(corners: readonly Point[]) {
    this.corners = corners;
  }

  /** The enclosed area (shoelace formula). */
  get area(): number {
    let twice = 0;
    this.corners.forEach((a, index) => {
      const b = this.corners[(index + 1) % this.corners.length] as Point;
      twice += a.x * b.y - b.x * a.y;
    });
    return Math.abs(twice) / 2;
  }

  /** The polygon's data: its corners, which travel as Points. */
  toSerialisable(): { corners: readonly Point[] } {
    return { corners: this.corners };
  }

  /** Rebuilds a polygon. */
  static fromSerialisable(data: { corners: readonly Point[] }): Polygon {
    return new Polygon(data.corners);
  }
}
