/**
 * The TypeScript example: main module and tasks module both `.ts`, run with no build step.
 *
 *     node --import tsx examples/typescript/main.ts
 *     node --experimental-strip-types examples/typescript/main.ts   # Node 22.6+ (no flag from 23.6)
 *
 * @module
 */
import { createApp } from 'celerity';
import { Point, Polygon } from './geometry.ts';
import type tasks from './tasks.ts';

const app = createApp<typeof tasks>({ tasks: new URL('./tasks.ts', import.meta.url), threads: 1 });
try {
  // A ring of points plus noise inside it: the hull is the ring.
  const points = Array.from({ length: 2000 }, (_, index) => {
    const angle = (index / 2000) * 2 * Math.PI;
    const radius = index % 10 === 0 ? 100 : 50 * ((index * 7919) % 1000) / 1000;
    return new Point(Math.round(radius * Math.cos(angle) * 1000) / 1000, Math.round(radius * Math.sin(angle) * 1000) / 1000);
  });
  const hull = await app.run('hull', points);
  const ok = hull instanceof Polygon && hull.corners.every((corner) => corner instanceof Point);
  process.stdout.write(`${ok ? 'ok' : 'FAIL'}: hull of ${points.length} points has ${hull.corners.length} corners, area ${hull.area.toFixed(1)} (a ${hull.constructor.name} of ${hull.corners[0]?.constructor.name ?? '?'}s)\n`);
  if (!ok) process.exitCode = 1;
} finally {
  await app.close();
}
