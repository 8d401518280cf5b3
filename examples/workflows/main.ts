/**
 * The workflows example: Celery's canvas over the optimise example's tasks, as one typed
 * workflow. A chord descends from many random starts side by side and keeps the shortest tour;
 * a chain then polishes that tour. One TaskRun follows the whole: a bar of the task calls done,
 * and Ctrl-C cancels every part still running.
 *
 *     npm run demo:workflows
 *     node build/examples/workflows/main.js --cities 200 --starts 16 --polish-ms 500
 *
 * The same workflow runs unchanged on a queue: make the app with `createQueueApp` from
 * `celerity/bullmq` and start `celerity worker --tasks build/examples/optimise/tasks.js`.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { chain, chord, createApp, task } from 'celerity';
import { randomProblem } from '../tsp/random.js';
// A value import: it registers Route in this thread, so the result decodes here.
import { Route } from '../tsp/route.js';
import { formatLength, startsOf } from '../optimise/phases.js';
import { parseOptions, UsageError, type OptimiseOptions } from '../optimise/options.js';
import { ProgressBar } from '../shared/progress-bar.js';
import { runCommand } from '../shared/command.js';
import type tasks from '../optimise/tasks.js';

const USAGE = `usage: workflows [--cities N] [--starts N] [--threads N] [--seed N] [--polish-ms MS]

Solves a random travelling-salesman problem with one workflow:
  chain(chord(starts.map((s) => task('descend', s)), task('shortest')), task('polish', ms, seed))

  --cities N        cities in the random problem (default 500)
  --starts N        random starting tours, descended side by side (default 48)
  --threads N       worker threads (default: every core)
  --seed N          seed of the problem and the starts (default 1)
  --polish-ms MS    time to polish the shortest tour (default 2000)
  --help            this text`;

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

async function solve(options: OptimiseOptions, signal: AbortSignal): Promise<void> {
  const problem = randomProblem(options.cities, options.seed);
  const starts = startsOf(problem, options.starts, options.seed);
  say(`celerity workflows: ${options.cities} random cities, ${options.starts} starts, ${options.threads} threads (seed ${options.seed})`);
  const app = createApp<typeof tasks>({ tasks: new URL('../optimise/tasks.js', import.meta.url), threads: options.threads });
  // Typed against the tasks module: `shortest` takes the list of the descents' Routes, and
  // `polish` takes the shortest Route first, then its own budget and seed.
  const workflow = chain(chord(starts.map((start) => task('descend', start)), task('shortest')), task('polish', Math.max(1, options.polishMs), options.seed));
  const bar = new ProgressBar(process.stdout, 'workflow', starts.length + 2);
  bar.update(0);
  const began = performance.now();
  const run = app.submit(workflow, {
    signal,
    onProgress: ({ done }) => {
      bar.update(done);
    },
  });
  try {
    const best = await run;
    bar.finish(starts.length + 2, `${((performance.now() - began) / 1000).toFixed(2)} s`);
    if (!(best instanceof Route)) throw new TypeError('the polished tour did not come back as a Route');
    say(`result: a tour of ${problem.size} cities, length ${formatLength(best.length)} (a ${best.constructor.name})`);
    const stats = app.stats();
    say(`steps: ${stats.completed} task calls (${starts.length} descents, shortest, polish), run state ${run.state}`);
    await app.close();
  } catch (error) {
    bar.abandon();
    await app.destroy();
    throw error;
  }
}

runCommand<OptimiseOptions>({
  name: 'workflows',
  usage: USAGE,
  parse: parseOptions,
  isUsageError: (error): error is UsageError => error instanceof UsageError,
  run: solve,
  cancelled: 'cancelled: every part of the workflow was stopped',
});
