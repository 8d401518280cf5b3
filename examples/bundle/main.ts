/**
 * The main module of the bundle example, written to run from `examples/bundle/out/` once
 * `build.ts` has bundled it: the tasks module and the worker entry are its siblings there, and
 * `createApp` is told where both are.
 *
 *     npm run build:dev && node build/examples/bundle/build.js && node examples/bundle/out/main.js
 *
 * @module
 */
import { createApp } from 'celerity';
import { City } from '../tsp/city.js';
import { Problem } from '../tsp/problem.js';
import { randomProblem } from '../tsp/random.js';
import { Route } from '../tsp/route.js';
import type tasks from './tasks.js';

const app = createApp<typeof tasks>({
  tasks: new URL('./tasks.js', import.meta.url),
  // The bundled `celerity/worker`: without this the app would look for the worker beside its own
  // (bundled) code, which is where this build happens to put it, but a recipe should not rely on luck.
  worker: new URL('./worker.js', import.meta.url),
  threads: 2,
});

try {
  const problem = randomProblem(80, 5);
  const route = await app.run('solve', problem, 4, 1);
  const checks = {
    'route instanceof Route': route instanceof Route,
    'route.problem instanceof Problem': route.problem instanceof Problem,
    'every stop instanceof City': route.stops.every((city) => city instanceof City),
    'every city visited once': new Set(route.order).size === problem.size,
  };
  for (const [check, passed] of Object.entries(checks)) process.stdout.write(`${passed ? 'ok  ' : 'FAIL'} ${check}\n`);
  process.stdout.write(`class names after minification: ${[City.name, Problem.name, Route.name].map((name) => JSON.stringify(name)).join(', ')} (ids: tsp.City, tsp.Problem, tsp.Route)\n`);
  process.stdout.write(`tour length ${route.length.toFixed(1)} over ${problem.size} cities\n`);
  if (Object.values(checks).includes(false)) process.exitCode = 1;
} finally {
  await app.close();
}
