/**
 * The distributed demo (`npm run demo:distributed`): the optimise example's tasks on two worker
 * processes fed by a BullMQ queue in Redis.
 *
 * 1. Redis: the one `CELERITY_REDIS_URL` names, or a redis-server of the demo's own.
 * 2. Worker A starts (`celerity worker`, one thread) and takes the polish job: iterated local
 *    search on a 300-city tour, with a live progress bar fed by the task's `this.progress()`.
 * 3. Worker B starts; halfway through, worker A is killed with SIGKILL. The job's lock lapses,
 *    worker B takes the job up and finishes it, and the submitter's promise settles once, with a
 *    `Route` (a registered class) as the result.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createQueueApp } from 'celerity/bullmq';
import { hasRedisServer, startRedis, stopProcess, type RedisServer } from '../../tools/redis-server.js';
import type tasks from '../optimise/tasks.js';
import type { PolishProgress } from '../optimise/tasks.js';
import { ProgressBar, secondsFormat } from '../shared/progress-bar.js';
import { randomProblem } from '../tsp/random.js';
import { Route } from '../tsp/route.js';
import { solveFromStart } from '../tsp/solve.js';

const POLISH_MS = Number(process.env.DEMO_POLISH_MS ?? 6000);
const CITIES = 300;
const cli = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const tasksFile = fileURLToPath(new URL('../optimise/tasks.js', import.meta.url));
const out = process.stdout;

/** Starts a `celerity worker`; resolves once it takes jobs. Its job lines go to `lines`. */
function startWorker(name: string, url: string, lines: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, 'worker', '--tasks', tasksFile, '--queue', 'demo', '--redis', url, '--threads', '1', '--lock-duration', '2000', '--stalled-interval', '1000'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(`${name}: ${line}`);
  });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes('taking jobs')) resolve(child);
    });
    child.once('exit', (code) => {
      reject(new Error(`worker ${name} exited (${String(code)}): ${err}`));
    });
  });
}

async function main(): Promise<void> {
  let redis: RedisServer | undefined;
  let url = process.env.CELERITY_REDIS_URL;
  if (url === undefined) {
    if (!hasRedisServer()) throw new Error('this demo needs Redis: install redis-server (apt-get install -y redis-server), or set CELERITY_REDIS_URL');
    redis = await startRedis();
    url = redis.url;
    out.write(`redis: a redis-server of the demo's own at ${url}\n`);
  } else {
    out.write(`redis: ${url}\n`);
  }
  const lines: string[] = [];
  const workers: ChildProcess[] = [];
  const app = createQueueApp<typeof tasks>({ queue: `demo`, connection: url });
  try {
    const a = await startWorker('worker A', url, lines);
    workers.push(a);
    out.write(`worker A: pid ${String(a.pid)}\n`);
    const problem = randomProblem(CITIES, 7);
    const start = solveFromStart(problem, 1);
    out.write(`a ${CITIES}-city tour of length ${start.length.toFixed(0)} goes to the queue to be polished for ${POLISH_MS / 1000} s\n`);
    const bar = new ProgressBar(out, 'polishing', POLISH_MS / 1000, secondsFormat);
    let holder = 'worker A';
    let halfway: (() => void) | undefined;
    let begun: (() => void) | undefined;
    const half = new Promise<void>((resolve) => (halfway = resolve));
    const started = new Promise<void>((resolve) => (begun = resolve));
    const run = app.submit('polish', [start, POLISH_MS, 42], {
      onProgress: (value) => {
        const progress = value as PolishProgress;
        bar.update(progress.elapsed / 1000, `best ${progress.best.toFixed(0)} (${holder})`);
        begun?.();
        if (progress.elapsed >= POLISH_MS / 2) halfway?.();
      },
    });
    // Worker B starts once worker A has the job; A is killed halfway whether or not B is up yet
    // (on a busy machine B's start-up may take longer than the rest of the job).
    await started;
    const starting = startWorker('worker B', url, lines);
    starting.catch(() => undefined);
    await half;
    a.kill('SIGKILL');
    holder = 'worker B';
    const b = await starting;
    workers.push(b);
    out.write(`\nworker A killed with SIGKILL halfway; its lock lapses in about 2 s and worker B (pid ${String(b.pid)}) takes the job up\n`);
    const best = await run;
    bar.finish(POLISH_MS / 1000, `best ${best.length.toFixed(0)}`);
    out.write(`result: ${best instanceof Route ? 'a Route' : 'NOT a Route'} of ${best.order.length} cities, length ${best.length.toFixed(0)} (from ${start.length.toFixed(0)})\n`);
    out.write(`${lines.join('\n')}\n`);
  } finally {
    await app.close();
    await Promise.all(workers.map((worker) => stopProcess(worker)));
    await redis?.stop();
  }
}

await main();
