/**
 * A tasks module in TypeScript, loaded by every worker thread as a `.ts` file: under
 * `node --import tsx` the threads inherit the loader, under Node's type stripping they strip it
 * themselves. Imports name the `.ts` files, which both accept.
 * @module
 */
import { defineTasks } from 'celerity';
import { Point, Polygon } from './geometry.ts';

function cross(o: Point, a: Point, b: Point): number {
  return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

/** One side of the monotone-chain hull: keeps only left turns. */
function chain(points: readonly Point[]): Point[] {
  const kept: Point[] = [];
  for (const point of points) {
    while (kept.length >= 2 && cross(kept[kept.length - 2] as Point, kept[kept.length - 1] as Point, point) <= 0) kept.pop();
    kept.push(point);
  }
  kept.pop();
  return kept;
}

export default defineTasks({
  /** The convex hull of the points (Andrew's monotone chain), anticlockwise. */
  hull(points: readonly Point[]): Polygon {
    if (!points.every((point) => point instanceof Point)) throw new TypeError('every input must arrive as a Point');
    const sorted = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
    return new Polygon([...chain(sorted), ...chain(sorted.reverse())]);
  },
});
