// celerity/bullmq through its public API: the submitting side here, two `celerity worker`
// processes, and a redis-server of the tests' own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { CelerityError, UnrecoverableError, type TaskApp } from 'celerity';
import type tasks from './fixtures/queue-tasks.js';
import { Point, RouteError } from './fixtures/shapes.js';
import { delay, makeQueueApp, redisMissing, rejection, startRedis, startWorker, type TestQueueApp, type TestRedis, type TestWorker } from './queue-helpers.js';

const skip = redisMissing();
if (skip !== undefined) process.stdout.write(`# queue tests skipped: ${skip}\n`);

await describe('celerity/bullmq with two worker processes', { skip, timeout: 180_000 }, async () => {
  const queue = 'main';
  let redis: TestRedis;
  let workers: TestWorker[] = [];
  let app: TestQueueApp;
  let scratch: string;

  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorker(redis, queue, ['--cancel-grace', '300']), startWorker(redis, queue, ['--cancel-grace', '300'])]);
    app = makeQueueApp(redis, queue);
    scratch = mkdtempSync(join(tmpdir(), 'celerity-queue-'));
  });

  after(async () => {
    await app.destroy();
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  await test('class instances, Maps, Dates and BigInts come back as themselves; this.id is the job id', async () => {
    const result = await app.run('move', [new Point(1, 2), new Point(3, 4)], 10);
    assert.ok(result.moved.every((point) => point instanceof Point));
    assert.deepEqual(result.moved.map((point) => [point.x, point.y]), [[11, 2], [13, 4]]);
    assert.ok(result.byName.get('p1') instanceof Point);
    assert.ok(result.at instanceof Date);
    assert.equal(result.big, 10n ** 20n);
    const run = app.submit('context', [], { jobId: 'ctx-1' });
    assert.equal(run.id, 'ctx-1');
    assert.deepEqual(await run, { id: 'ctx-1', attempt: 1 });
  });

  await test('progress reaches onProgress decoded, in order, none after the result', async () => {
    const seen: unknown[] = [];
    let settled = false;
    const run = app.submit('count', [20], {
      onProgress: (value) => {
        assert.equal(settled, false, 'progress after the result');
        seen.push(value);
      },
    });
    assert.equal(await run, 20);
    settled = true;
    assert.equal(seen.length, 20);
    assert.ok(seen.every((value) => value instanceof Point));
    assert.deepEqual(seen.map((value) => (value).x), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal(run.state, 'succeeded');
  });

  await test('a task error arrives as its registered class with cause, properties and the worker stack; BullMQ shows its message', async () => {
    const run = app.submit('fail', ['route'], { jobId: 'fail-route' });
    const error = await rejection(run);
    assert.ok(error instanceof RouteError);
    assert.equal(error.message, 'no way through');
    assert.equal((error).stop, 7);
    assert.ok(error.cause instanceof TypeError);
    assert.match(error.stack ?? '', /queue-tasks/);
    assert.equal(run.state, 'failed');
    const plain = await rejection(app.run('fail', 'plain'));
    assert.ok(plain instanceof TypeError);
    const raw = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const job = await raw.getJob('fail-route');
      assert.equal(job?.failedReason, 'no way through');
    } finally {
      await raw.close();
    }
  });

  await test('retries follow BullMQ attempts; the last error arrives; an UnrecoverableError is not retried', async () => {
    assert.equal(await app.submit('flaky', [3], { retry: { attempts: 3, delay: 10, backoff: 'exponential' } }), 3);
    const last = await rejection(app.submit('flaky', [9], { retry: { attempts: 2, delay: 10 } }));
    assert.ok(last instanceof RouteError);
    assert.equal(last.message, 'attempt 2 failed');
    const id = 'no-retry';
    const error = await rejection(app.submit('fail', ['unrecoverable'], { jobId: id, retry: { attempts: 5 } }));
    assert.ok(error instanceof UnrecoverableError);
    const tries = workers.flatMap((worker) => worker.lines).filter((line) => line.includes(` ${id} fail `));
    assert.equal(tries.length, 1, tries.join('\n'));
    // Through the shared interface the types allow it; the queue refuses it at run time.
    const shared: TaskApp<typeof tasks> = app;
    const refused = await rejection(shared.submit('add', [1, 2], { retry: { attempts: 2, when: () => true } }));
    assert.equal(refused.code, 'ERR_INVALID_OPTION');
    assert.match(refused.message, /UnrecoverableError/);
  });

  await test('a timeout counts run time on the worker and stops CPU-bound work: TimeoutError, ERR_TASK_TIMEOUT', async () => {
    const started = Date.now();
    const error = await rejection(app.submit('cpu', [20_000], { timeout: 300 }));
    assert.ok(error instanceof CelerityError);
    assert.equal(error.name, 'TimeoutError');
    assert.equal(error.code, 'ERR_TASK_TIMEOUT');
    assert.ok(Date.now() - started < 10_000);
  });

  await test('with(options), needsDrain, drained() and oldestWait work as on the in-process app', async () => {
    const error = await rejection(app.with({ timeout: 300 }).run('cpu', 20_000));
    assert.equal(error.code, 'ERR_TASK_TIMEOUT');
    assert.throws(() => app.with({ jobId: 'one' }), (thrown: unknown) => thrown instanceof CelerityError && thrown.code === 'ERR_INVALID_OPTION');
    // Every run of the tests before has settled: nothing is counted as waiting or running.
    assert.equal(app.stats().queued, 0);
    assert.equal(app.stats().running, 0);
    await app.drained();
    assert.equal(app.needsDrain, false);
    const later = [app.with({ delay: 300 }).run('add', 1, 2), app.submit('add', [3, 4], { delay: 300, priority: 2 })];
    assert.equal(app.needsDrain, true);
    await delay(100);
    assert.ok(app.stats().oldestWait >= 80, `oldestWait ${app.stats().oldestWait}`);
    await app.drained();
    assert.equal(app.needsDrain, false);
    assert.deepEqual(await Promise.all(later), [3, 7]);
  });

  await test('a queued (delayed) job that is cancelled is removed and never runs', async () => {
    const run = app.submit('add', [1, 1], { delay: 60_000, jobId: 'cancel-queued' });
    await delay(200);
    run.cancel('changed my mind');
    const error = await rejection(run);
    assert.equal(error.name, 'AbortError');
    assert.equal(error.code, 'ERR_TASK_CANCELLED');
    assert.equal(run.state, 'cancelled');
    let gone = false;
    for (let i = 0; i < 50 && !gone; i++) {
      gone = (await rejection(app.attach('cancel-queued')).catch(() => undefined))?.code === 'ERR_UNKNOWN_JOB';
      if (!gone) await delay(50);
    }
    assert.ok(gone, 'the cancelled job is still in Redis');
  });

  await test('a running CPU-bound job that is cancelled rejects at once, and its heartbeat stops', async () => {
    const file = join(scratch, 'heartbeat');
    const run = app.submit('heartbeat', [file, 30_000]);
    for (let i = 0; i < 400; i++) {
      if (run.state === 'running' && statSafe(file) > 0) break;
      await delay(25);
    }
    assert.equal(run.state, 'running');
    const cancelledAt = Date.now();
    run.cancel();
    const error = await rejection(run);
    assert.equal(error.name, 'AbortError');
    assert.ok(Date.now() - cancelledAt < 500, 'the cancel did not reject at once');
    await delay(1500); // cancelGrace 300 ms, then the thread is terminated
    const size = statSafe(file);
    await delay(500);
    assert.equal(statSafe(file), size, 'the task still runs after its cancel');
    const beats = readFileSync(file, 'utf8').trim().split('\n').map(Number);
    assert.ok((beats.at(-1) ?? 0) < cancelledAt + 1500);
  });

  await test('attach: a handle to a job by id settles with its result, from another app; an unknown id is ERR_UNKNOWN_JOB', async () => {
    const run = app.submit('move', [[new Point(0, 0)], 5], { jobId: 'attach-me' });
    await run;
    const other = makeQueueApp(redis, queue);
    try {
      const later = await other.attach<{ moved: Point[] }>('attach-me');
      assert.ok(later.moved[0] instanceof Point);
      assert.equal(later.moved[0].x, 5);
      const failed = await rejection(other.attach('fail-route'));
      assert.ok(failed instanceof RouteError);
      const missing = await rejection(other.attach('no-such-job'));
      assert.equal(missing.code, 'ERR_UNKNOWN_JOB');
      assert.match(missing.message, /no-such-job/);
    } finally {
      await other.close();
    }
  });

  await test('several handles to one job in one app each get the whole result, and a failed one each get the error', async () => {
    const run = app.submit('move', [[new Point(1, 1)], 2], { jobId: 'watched-thrice', delay: 300 });
    const handles = [run, app.attach<{ moved: Point[]; at: Date; byName: Map<string, Point> }>('watched-thrice'), app.attach<{ moved: Point[]; at: Date; byName: Map<string, Point> }>('watched-thrice')];
    for (const result of await Promise.all(handles)) {
      assert.ok(result.moved[0] instanceof Point);
      assert.equal(result.moved[0].x, 3);
      assert.ok(result.at instanceof Date);
      assert.equal(result.byName.get('p0'), result.moved[0]);
    }
    const failing = app.submit('fail', ['route'], { jobId: 'fails-for-two', delay: 300 });
    const errors = await Promise.all([rejection(failing), rejection(app.attach('fails-for-two'))]);
    for (const error of errors) assert.ok(error instanceof RouteError, String(error));
  });

  await test('map of 1,000 inputs: results in input order, progress counted', async () => {
    const inputs = Array.from({ length: 1000 }, (_, i) => i);
    let last = 0;
    const results = await app.map('square', inputs, { concurrency: 64, onProgress: (done) => (last = done) });
    assert.deepEqual(results, inputs.map((i) => i * i));
    assert.equal(last, 1000);
    assert.equal(app.stats().completed >= 1000, true);
    // A priority goes to every input's job; a bad one is refused before any is added.
    assert.deepEqual(await app.map('square', [1, 2, 3], { priority: 7 }), [1, 4, 9]);
    assert.equal((await rejection(app.map('square', [1], { priority: 0 }))).code, 'ERR_INVALID_OPTION');
  });

  await test('an unknown task is ERR_UNKNOWN_TASK naming the tasks that exist', async () => {
    const error = await rejection(app.run('nope' as 'add', 1, 2));
    assert.ok(error instanceof CelerityError);
    assert.equal(error.code, 'ERR_UNKNOWN_TASK');
    assert.match(error.message, /"square"/);
  });

  await test('jobs added by plain BullMQ code: plain JSON arguments run; a corrupt payload fails with ERR_BAD_JSON and the worker goes on', async () => {
    const raw = new Queue(queue, { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      await raw.add('add', { args: [2, 3] }, { jobId: 'plain-args' });
      assert.equal(await app.attach('plain-args'), 5);
      await raw.add('add', { args: { celerity: 1, json: [1, 2], meta: { values: { 0: 'not an annotation' } } } }, { jobId: 'corrupt' });
      const corrupt = await rejection(app.attach('corrupt'));
      assert.equal(corrupt.code, 'ERR_BAD_JSON');
      await raw.add('add', 'just text', { jobId: 'not-an-object' });
      assert.equal((await rejection(app.attach('not-an-object'))).code, 'ERR_BAD_JSON');
      await raw.add('add', { args: { celerity: 99, json: [1, 2] } }, { jobId: 'newer' });
      const newer = await rejection(app.attach('newer'));
      assert.equal(newer.code, 'ERR_BAD_JSON');
      assert.match(newer.message, /99/);
      assert.match(newer.message, /versions 1 to 2/);
      await raw.add('add', { args: { celerity: 1, json: [{}], meta: { values: { 0: [['custom', 'no.such.Class']] }, v: 1 } } }, { jobId: 'unknown-class' });
      const unknown = await rejection(app.attach('unknown-class'));
      assert.equal(unknown.code, 'ERR_UNKNOWN_CLASS');
      assert.match(unknown.message, /no\.such\.Class/);
      // Workflow fields that do not hold together: a feed without children, a group without members, a missing child result.
      await raw.add('add', { args: [1], feed: 'list' }, { jobId: 'feed-without-children' });
      assert.equal((await rejection(app.attach('feed-without-children'))).code, 'ERR_BAD_JSON');
      await raw.add('(group)', { collect: 'everything' }, { jobId: 'bad-collect' });
      assert.equal((await rejection(app.attach('bad-collect'))).code, 'ERR_BAD_JSON');
      await raw.add('add', { args: [1], feed: 'one', children: ['nowhere'] }, { jobId: 'missing-child' });
      const missing = await rejection(app.attach('missing-child'));
      assert.equal(missing.code, 'ERR_BAD_JSON');
      assert.match(missing.message, /nowhere/);
      assert.equal(await app.run('add', 20, 22), 42);
    } finally {
      await raw.close();
    }
  });

  await test('destroy rejects what this app waits for with ERR_APP_DESTROYED and leaves the jobs in Redis', async () => {
    const other = makeQueueApp(redis, queue);
    const run = rejection(other.submit('slow', [300], { jobId: 'left-behind' }));
    await delay(100);
    await other.destroy();
    assert.equal((await run).code, 'ERR_APP_DESTROYED');
    assert.equal((await rejection(other.run('add', 1, 1))).code, 'ERR_APP_DESTROYED');
    assert.equal(await app.attach('left-behind'), 'slow done');
  });

  await test('close({ timeout }) waits for this app\'s runs, at most that long', async () => {
    const other = makeQueueApp(redis, queue);
    const quick = other.run('add', 2, 2);
    const slow = rejection(other.submit('slow', [5000]));
    const started = Date.now();
    await other.close({ timeout: 1500 });
    assert.equal(await quick, 4);
    assert.equal((await slow).code, 'ERR_APP_CLOSED');
    assert.ok(Date.now() - started < 4000);
    assert.equal((await rejection(other.run('add', 1, 1))).code, 'ERR_APP_CLOSED');
  });

  await test('each worker logs one line per job: id, task, outcome, ms', () => {
    const lines = workers.flatMap((worker) => worker.lines);
    assert.ok(lines.some((line) => /ctx-1 context completed \d+ms/.test(line)), lines.slice(0, 5).join('\n'));
    assert.ok(lines.some((line) => /fail-route fail failed \d+ms no way through/.test(line)));
  });
});

function statSafe(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
