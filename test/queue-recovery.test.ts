// celerity/bullmq when processes die or stop, and when Redis cannot be reached.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { chain, serialize, task, type TaskApp } from 'celerity';
import { createQueueApp, createQueueWorker } from 'celerity/bullmq';
import type tasks from './fixtures/queue-tasks.js';
import { Point, RouteError } from './fixtures/shapes.js';
import { freePort } from '../tools/redis-server.js';
import { delay, makeQueueApp, queueTasksPath, redisMissing, rejection, startRedis, startWorker, type TestRedis, type TestWorker } from './queue-helpers.js';

const skip = redisMissing();

/** Stall settings short enough for a test: a killed worker's job runs again within about 2 s. */
const FAST_STALLS = ['--lock-duration', '1000', '--stalled-interval', '500'];

await describe('celerity/bullmq recovery', { skip, timeout: 180_000 }, async () => {
  let redis: TestRedis;

  before(async () => {
    redis = await startRedis();
  });

  after(async () => {
    await redis.stop();
  });

  await test('a worker killed with SIGKILL mid-job: another worker takes the job up, and the run settles once, with the result', async () => {
    const queue = 'killed';
    const first = await startWorker(redis, queue, FAST_STALLS);
    const app = makeQueueApp(redis, queue);
    let second: TestWorker | undefined;
    try {
      let settledTimes = 0;
      const run = app.submit('cpu', [4000], { jobId: 'survivor' });
      void run.then(() => settledTimes++, () => settledTimes++);
      for (let i = 0; i < 400 && run.state === 'queued'; i++) await delay(25);
      assert.equal(run.state, 'running');
      first.child.kill('SIGKILL');
      await first.exited;
      second = await startWorker(redis, queue, FAST_STALLS);
      assert.equal(await run, 'cpu done');
      await delay(200);
      assert.equal(settledTimes, 1);
      assert.ok(second.lines.some((line) => /survivor cpu completed/.test(line)), second.lines.join('\n'));
    } finally {
      await app.destroy();
      await Promise.all([first.stop(), second?.stop()]);
    }
  });

  await test('a job cancelled while its worker lay dead is not run again by the worker that takes it up', async () => {
    const queue = 'cancelled-while-dead';
    const first = await startWorker(redis, queue, FAST_STALLS);
    const app = makeQueueApp(redis, queue);
    let second: TestWorker | undefined;
    try {
      const run = app.submit('cpu', [4000], { jobId: 'orphan' });
      for (let i = 0; i < 400 && run.state === 'queued'; i++) await delay(25);
      assert.equal(run.state, 'running');
      first.child.kill('SIGKILL');
      await first.exited;
      // Nobody hears this announcement: only the mark in Redis tells the next worker.
      run.cancel();
      assert.equal((await rejection(run)).name, 'AbortError');
      second = await startWorker(redis, queue, FAST_STALLS);
      const taker = second;
      for (let i = 0; i < 400 && !taker.lines.some((line) => /orphan cpu/.test(line)); i++) await delay(25);
      assert.ok(
        taker.lines.some((line) => /orphan cpu cancelled/.test(line)),
        taker.lines.join('\n'),
      );
    } finally {
      await app.destroy();
      await Promise.all([first.stop(), second?.stop()]);
    }
  });

  await test('SIGTERM: the worker stops taking jobs, a job still running when the grace ends goes back to the queue at once, and the process exits 0', async () => {
    const queue = 'graceful';
    const leaving = await startWorker(redis, queue, ['--grace', '300']);
    const app = makeQueueApp(redis, queue);
    let taking: TestWorker | undefined;
    try {
      const run = app.submit('slow', [4000], { jobId: 'handed-over' });
      for (let i = 0; i < 400 && run.state === 'queued'; i++) await delay(25);
      assert.equal(run.state, 'running');
      const stoppedAt = Date.now();
      leaving.child.kill('SIGTERM');
      assert.equal(await leaving.exited, 0);
      assert.ok(Date.now() - stoppedAt < 5000);
      assert.ok(leaving.lines.some((line) => /handed-over slow requeued/.test(line)), leaving.lines.join('\n'));
      // Back in the queue at once: a new worker runs it without waiting for a stall check.
      taking = await startWorker(redis, queue);
      assert.equal(await run, 'slow done');
    } finally {
      await app.destroy();
      await Promise.all([leaving.stop(), taking?.stop()]);
    }
  });

  await test('a process that used both sides of a queue exits on its own once they are closed', async () => {
    const script = fileURLToPath(new URL('./fixtures/queue-close-exit-main.js', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, [script, redis.url], { timeout: 30_000 });
    assert.deepEqual(JSON.parse(stdout), { sum: 3, squares: [1, 4, 9], again: 4 });
  });

  /** Waits until `queue` has `count` jobs waiting (so they are in Redis). */
  async function waitingJobs(app: { counts(): Promise<{ waiting: number }> }, count: number): Promise<void> {
    for (let i = 0; i < 200 && (await app.counts()).waiting !== count; i++) await delay(25);
    assert.equal((await app.counts()).waiting, count);
  }

  await test('a job whose end never reached the app is looked up: completed or failed in Redis, the run settles from what Redis keeps', { timeout: 30_000 }, async () => {
    // No worker on this queue: the jobs are ended here by hand, as a worker would, but with no
    // event written (as when the events stream was trimmed while the app lagged behind).
    const queue = 'quiet';
    const app = makeQueueApp(redis, queue, { recheckInterval: 200 });
    const admin = new Redis(redis.port, '127.0.0.1');
    try {
      const done = app.submit('add', [1, 2], { jobId: 'quiet-done' });
      const broken = app.submit('add', [3, 4], { jobId: 'quiet-broken' });
      const waiting = app.submit('add', [5, 6], { jobId: 'quiet-waiting' });
      await waitingJobs(app, 3);
      const now = Date.now();
      await admin
        .multi()
        .lrem(`bull:${queue}:wait`, 0, 'quiet-done')
        .hset(`bull:${queue}:quiet-done`, 'returnvalue', JSON.stringify(serialize(new Point(7, 8))), 'finishedOn', String(now))
        .zadd(`bull:${queue}:completed`, now, 'quiet-done')
        .lrem(`bull:${queue}:wait`, 0, 'quiet-broken')
        .hset(`bull:${queue}:quiet-broken`, 'failedReason', 'the disk was full', 'finishedOn', String(now))
        .zadd(`bull:${queue}:failed`, now, 'quiet-broken')
        .exec();
      const value = (await done) as unknown;
      assert.ok(value instanceof Point);
      assert.deepEqual([value.x, value.y], [7, 8]);
      const error = await rejection(broken);
      assert.equal(error.message, 'the disk was full');
      assert.equal(broken.state, 'failed');
      // A job still waiting is left to wait.
      await delay(600);
      assert.equal(waiting.state, 'queued');
      waiting.cancel();
    } finally {
      admin.disconnect();
      await app.destroy();
    }
  });

  await test('a workflow whose end never reached the app is looked up by its root job', { timeout: 30_000 }, async () => {
    const queue = 'quiet-flow';
    const app = makeQueueApp(redis, queue, { recheckInterval: 200 });
    const admin = new Redis(redis.port, '127.0.0.1');
    try {
      const flow = app.submit(chain(task('add', 1, 2), task('add', 3)) as never, { jobId: 'quiet-chain' });
      const root = `bull:${queue}:quiet-chain`;
      for (let i = 0; i < 200 && (await admin.exists(root)) === 0; i++) await delay(25);
      // The chain's last step (its root job) ends with no event written, its first step still waiting.
      const now = Date.now();
      await admin
        .multi()
        .zrem(`bull:${queue}:waiting-children`, 'quiet-chain')
        .hset(root, 'returnvalue', JSON.stringify(serialize(new Point(6, 6))), 'finishedOn', String(now))
        .zadd(`bull:${queue}:completed`, now, 'quiet-chain')
        .exec();
      const value = (await flow) as unknown;
      assert.ok(value instanceof Point);
      assert.equal(flow.state, 'succeeded');
      // One whose first step failed, and its root with it: the step's own error arrives.
      const failing = app.submit(chain(task('add', 1, 2), task('add', 3)) as never, { jobId: 'quiet-fail' });
      const failingRoot = `bull:${queue}:quiet-fail`;
      for (let i = 0; i < 200 && (await admin.exists(failingRoot)) === 0; i++) await delay(25);
      const record = { celerity: 'error', attempt: 1, error: serialize(new RouteError('no road to 3', 3)) };
      await admin
        .multi()
        .lrem(`bull:${queue}:wait`, 0, 'quiet-fail.0')
        .hset(`${failingRoot}.0`, 'failedReason', 'no road to 3', 'progress', JSON.stringify(record), 'finishedOn', String(now))
        .zadd(`bull:${queue}:failed`, now, 'quiet-fail.0')
        .zrem(`bull:${queue}:waiting-children`, 'quiet-fail')
        .hset(failingRoot, 'failedReason', `child ${failingRoot}.0 failed`, 'finishedOn', String(now))
        .zadd(`bull:${queue}:failed`, now, 'quiet-fail')
        .exec();
      const error = await rejection(failing);
      assert.ok(error instanceof RouteError, `got ${String(error)}`);
      assert.equal(error.message, 'no road to 3');
      assert.equal(failing.state, 'failed');
    } finally {
      admin.disconnect();
      await app.destroy();
    }
  });

  await test('events trimmed while the app lagged behind, with the default recheck interval (30 s): the trim is seen on the stream within seconds, and every run settles with its own result', { timeout: 60_000 }, async () => {
    const queue = 'lagged';
    const admin = new Redis(redis.port, '127.0.0.1');
    const worker = await startWorker(redis, queue);
    const app = makeQueueApp(redis, queue);
    const flushed = makeQueueApp(redis, 'flushed-default');
    try {
      await app.counts();
      // Keep the events stream short (BullMQ reads the limit from the queue's meta at each event).
      await admin.hset(`bull:${queue}:meta`, 'opts.maxLenEvents', '10');
      const runs = Array.from({ length: 300 }, (_, i) => app.submit('add', [i, 1000]));
      // Let the adds go out, then keep this process from reading events while the worker runs
      // the jobs: the stream is trimmed past what the app had read.
      await delay(0);
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        // busy: no event is read meanwhile
      }
      const values = await Promise.all(runs);
      // Long before the first periodic lookup (30 s after the runs began to wait).
      assert.ok(Date.now() - until < 15_000, `settled ${Date.now() - until} ms after the app read events again`);
      assert.deepEqual(values, Array.from({ length: 300 }, (_, i) => i + 1000));
      const info = (await admin.call('XINFO', 'STREAM', `bull:${queue}:events`)) as unknown[];
      const field = (name: string): number => Number(info[info.indexOf(name) + 1]);
      assert.ok(field('entries-added') > field('length') + 300, 'events were trimmed away');

      // A queue flushed, events stream and all: a run waiting on one of its jobs fails within seconds.
      const run = flushed.submit('add', [1, 2]);
      await waitingJobs(flushed, 1);
      await admin.del(...(await admin.keys('bull:flushed-default:*')));
      const started = Date.now();
      const error = await rejection(run);
      assert.equal(error.code, 'ERR_UNKNOWN_JOB');
      assert.ok(Date.now() - started < 15_000, `failed ${Date.now() - started} ms after the flush`);
    } finally {
      admin.disconnect();
      await Promise.all([app.destroy(), flushed.destroy()]);
      await worker.stop();
    }
  });

  await test('a job Redis lost fails its run with ERR_UNKNOWN_JOB instead of leaving it waiting for ever: flushed, or Redis restarted empty', { timeout: 60_000 }, async () => {
    // Flushed under a running app: found at the next lookup.
    const app = makeQueueApp(redis, 'flushed', { recheckInterval: 200 });
    const admin = new Redis(redis.port, '127.0.0.1');
    try {
      const run = app.submit('add', [1, 2]);
      await waitingJobs(app, 1);
      const keys = await admin.keys('bull:flushed:*');
      await admin.del(...keys);
      const error = await rejection(run);
      assert.equal(error.code, 'ERR_UNKNOWN_JOB');
      assert.match(error.message, /no longer in Redis/);
      assert.equal(run.state, 'failed');
    } finally {
      admin.disconnect();
      await app.destroy();
    }
    // Redis restarted without persistence: looked up as the connection comes back (long before
    // the default interval of 30 s).
    const own = await startRedis();
    const restarted = makeQueueApp(own, 'restarted');
    let again: TestRedis | undefined;
    try {
      const run = restarted.submit('add', [1, 2]);
      await waitingJobs(restarted, 1);
      await own.stop();
      again = await startRedis(own.port);
      const started = Date.now();
      const error = await rejection(run);
      assert.equal(error.code, 'ERR_UNKNOWN_JOB');
      assert.ok(Date.now() - started < 15_000);
    } finally {
      await restarted.destroy();
      await again?.stop();
    }
  });

  await test('Redis lost after start: a run submitted meanwhile waits for it, and completes once Redis and the worker are back', { timeout: 60_000 }, async () => {
    const own = await startRedis();
    const worker = await startWorker(own, 'outage');
    const app = makeQueueApp(own, 'outage');
    let again: TestRedis | undefined;
    try {
      assert.equal(await app.run('add', 1, 2), 3);
      await own.stop();
      const run = app.submit('add', [20, 22]);
      await delay(300);
      assert.equal(run.state, 'queued');
      again = await startRedis(own.port);
      assert.equal(await run, 42);
      assert.equal(run.state, 'succeeded');
    } finally {
      await app.destroy();
      await worker.stop();
      await again?.stop();
    }
  });

  await test('Redis unreachable: runs fail with ERR_BROKER_UNAVAILABLE within the connect timeout, never hang', async () => {
    const port = await freePort();
    const app = createQueueApp({ queue: 'nowhere', connection: `redis://127.0.0.1:${port}`, connectTimeout: 500 });
    const started = Date.now();
    const error = await rejection(app.run('add', 1, 2));
    assert.equal(error.code, 'ERR_BROKER_UNAVAILABLE');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
    assert.ok(Date.now() - started < 3000);
    await app.destroy();
    const worker = createQueueWorker({ queue: 'nowhere', connection: `redis://127.0.0.1:${port}`, connectTimeout: 500, tasks: queueTasksPath, threads: 1 });
    assert.equal((await rejection(worker.ready)).code, 'ERR_BROKER_UNAVAILABLE');
    await worker.close();
    const cli = spawn(process.execPath, [fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)), 'worker', '--tasks', queueTasksPath, '--queue', 'nowhere', '--redis', `redis://127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /Redis is unavailable/);
  });

  await test('bad options are ERR_INVALID_OPTION naming the option', async () => {
    assert.throws(() => createQueueApp({ queue: '', connection: redis.url }), /options\.queue/);
    assert.throws(() => createQueueApp({ queue: 'q', connection: 'http://x' }), /options\.connection/);
    assert.throws(() => createQueueApp({ queue: 'q', connection: redis.url, recheckInterval: 50 }), /options\.recheckInterval/);
    assert.throws(() => createQueueApp({ queue: 'q', connection: redis.url, recheckInterval: 1.5e3 + 0.5 }), /options\.recheckInterval/);
    const app = makeQueueApp(redis, 'options');
    try {
      const shared: TaskApp<typeof tasks> = app;
      assert.equal((await rejection(shared.submit('add', [1, 2], { transfer: [new ArrayBuffer(1)] }))).code, 'ERR_INVALID_OPTION');
      assert.equal((await rejection(app.submit('add', [1, 2], { jobId: '12' }))).code, 'ERR_INVALID_OPTION');
      assert.equal((await rejection(app.submit('add', [1, 2], { priority: 0 }))).code, 'ERR_INVALID_OPTION');
      assert.equal((await rejection(app.map('add', [1], { chunkSize: 4 }))).code, 'ERR_INVALID_OPTION');
    } finally {
      await app.close();
    }
  });
});
