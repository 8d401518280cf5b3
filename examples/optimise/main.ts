/**
 * The optimise example: a travelling-salesman problem solved by local search from many random
 * starts on every core, with a live progress bar, clean Ctrl-C, and the speedup over one thread.
 *
 *     npm run demo
 *     node build/examples/optimise/main.js --cities 300 --starts 32 --threads 2
 *
 * @module
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { createApp, type AppStats } from 'celerity';
import { randomProblem } from '../tsp/random.js';
// A value import, not `import type`: it registers Route in this thread, so results decode here
// without importing anything (the tasks module's own imports are not on the app's allowlist).
import { Route } from '../tsp/route.js';
import { bestDistinct, descend, formatLength, polish, startsOf, type OptimiseApp } from './phases.js';
import { USAGE, UsageError, parseOptions, type OptimiseOptions } from './options.js';
import { runCommand } from '../shared/command.js';

const out = process.stdout;
const tasks = new URL('./tasks.js', import.meta.url);
/** How long a cancelled run's threads get to stop by themselves before they are terminated. */
const CLOSE_AFTER_CANCEL_MS = 2_000;

function say(line = ''): void {
  out.write(`${line}\n`);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** Runs `work` with a fresh app, and always stops its threads after, whatever happened. */
async function withApp<R>(threads: number, work: (app: OptimiseApp) => Promise<R>): Promise<R> {
  const app: OptimiseApp = createApp({ tasks, threads });
  try {
    const result = await work(app);
    await app.close();
    return result;
  } catch (error) {
    // After a cancel the tasks notice their signal within one start; give them that long, then
    // stop whatever is left.
    await app.close({ timeout: CLOSE_AFTER_CANCEL_MS }).catch(() => app.destroy());
    throw error;
  }
}

function describeTour(route: Route): string {
  const names = route.stops.map((city) => city.name);
  const shown = names.length <= 8 ? names : [...names.slice(0, 6), '…', ...names.slice(-1)];
  return [...shown, names[0] ?? ''].join(' → ');
}

function describeStats(stats: AppStats): string {
  return (
    `pool: ${stats.completed} runs done, ${stats.cancelled} cancelled, utilisation ${(stats.utilization * 100).toFixed(0)}%, ` +
    `run time p50 ${stats.runTime.p50.toFixed(1)} ms, codec mean ${stats.codecTime.mean.toFixed(2)} ms`
  );
}

async function solve(options: OptimiseOptions, signal: AbortSignal): Promise<void> {
  const problem = randomProblem(options.cities, options.seed);
  const starts = startsOf(problem, options.starts, options.seed);
  const threadWord = options.threads === 1 ? 'thread' : 'threads';
  say(`celerity optimise: ${options.cities} random cities, ${options.starts} random starts, ${options.threads} ${threadWord} (seed ${options.seed})`);
  say();

  const parallel = await withApp(options.threads, async (app) => {
    const descent = await descend(app, starts, `descending, ${options.threads} ${threadWord}`, out, signal);
    const lengths = descent.routes.map((route) => route.length);
    say(`best of ${lengths.length} starts: ${formatLength(Math.min(...lengths))}  (worst ${formatLength(Math.max(...lengths))})`);
    let best = bestDistinct(descent.routes, 1)[0] as Route;
    if (options.polishMs > 0) {
      const candidates = bestDistinct(descent.routes, options.threads);
      best = await polish(app, candidates, options.polishMs, options.seed, out, signal);
    }
    if (!(best instanceof Route)) throw new TypeError('the polished tour did not come back as a Route');
    say(`result: a tour of ${problem.size} cities, length ${formatLength(best.length)} (a ${best.constructor.name} holding its ${best.problem.constructor.name})`);
    say(`        ${describeTour(best)}`);
    say(describeStats(app.stats()));
    return descent;
  });

  if (!options.baseline || options.threads === 1) return;
  say();
  const single = await withApp(1, (app) => descend(app, starts, 'baseline, 1 thread', out, signal));
  const sameBest = Math.min(...single.routes.map((r) => r.length)) === Math.min(...parallel.routes.map((r) => r.length));
  say(
    `speedup: ${options.starts} starts took ${seconds(single.ms)} on 1 thread and ${seconds(parallel.ms)} on ${options.threads}: ` +
      `${(single.ms / parallel.ms).toFixed(2)}×  (same tours found: ${sameBest ? 'yes' : 'no'})`,
  );
  say(`         cores kept busy: ${single.cores.toFixed(1)} with 1 thread, ${parallel.cores.toFixed(1)} with ${options.threads}`);
  // A speedup is capped by the cores the machine actually gives; say so rather than let a busy
  // machine pass for a slow pool.
  if (parallel.cores < Math.min(options.threads, availableParallelism()) * 0.75) {
    say('         (fewer cores than threads: other programs were using this machine, which caps the speedup)');
  }
}

runCommand<OptimiseOptions>({
  name: 'optimise',
  usage: USAGE,
  parse: parseOptions,
  isUsageError: (error): error is UsageError => error instanceof UsageError,
  run: async (options, signal) => {
    const began = performance.now();
    await solve(options, signal);
    say(`done in ${seconds(performance.now() - began)}`);
  },
  cancelled: 'cancelled: every run was stopped and the threads are closed',
});
