// Workflows and schedules on a queue: the suite both backends pass (workflow-suite.ts) with two
// `celerity worker` processes, then what only Redis gives: a workflow outlives the process that
// submitted it and the crash of a worker, and schedules outlive the app that declared them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { chain, group, task } from 'celerity';
import { createQueueApp, type QueueApp } from 'celerity/bullmq';
import type tasks from './fixtures/workflow-tasks.js';
import { Point, RouteError } from './fixtures/shapes.js';
import { redisMissing, startRedis, startWorker, type TestRedis, type TestWorker } from './queue-helpers.js';
import { assertStops, delay, lines, scratchFile, workflowSuite } from './workflow-suite.js';

const skip = redisMissing();
const workflowTasks = fileURLToPath(new URL('./fixtures/workflow-tasks.js', import.meta.url));
/** Stall settings short enough for a test: a killed worker's job runs again within about 2 s. */
const FAST_STALLS = ['--lock-duration', '1000', '--stalled-interval', '500'];
/**
 * One job per worker at a time: with one thread each, a worker that took a second job would hold
 * it behind the first while the other worker idles (the parts a test runs side by side must run).
 */
const ONE_AT_A_TIME = ['--concurrency', '1'];

await describe('workflows and schedules on a queue', { skip, timeout: 240_000 }, async () => {
  let redis: TestRedis;
  let workers: TestWorker[] = [];
  let app: QueueApp<typeof tasks>;
  const queue = 'workflows';

  before(async () => {
    redis = await startRedis();
    workers = await Promise.all([startWorker(redis, queue, ONE_AT_A_TIME, workflowTasks), startWorker(redis, queue, ONE_AT_A_TIME, workflowTasks)]);
    app = createQueueApp<typeof tasks>({ queue, connection: redis.url });
  });

  after(async () => {
    await app.destroy();
    await Promise.all(workers.map((worker) => worker.stop()));
    await redis.stop();
  });

  await workflowSuite(() => app);

  await test('a workflow lives in Redis: a process that did not submit it gets its result by id, decoded', async () => {
    const submitter = createQueueApp<typeof tasks>({ queue, connection: redis.url });
    const file = scratchFile('kept');
    const run = submitter.submit(group([chain(task('beat', file, 300), task('suffix', '!')), chain(task('load', 2), task('shift', 1)), task('add', 2, 2)]), { jobId: 'kept-workflow' });
    run.then(undefined, () => undefined);
    // Gone while the workflow runs: nothing of it lived only here.
    for (let i = 0; i < 400 && lines(file).length === 0; i++) await delay(25);
    await submitter.destroy();
    const later = createQueueApp<typeof tasks>({ queue, connection: redis.url });
    try {
      const result = await later.attach<[string, Point, number]>('kept-workflow');
      assert.equal(result[0], 'beat done!');
      assert.ok(result[1] instanceof Point);
      assert.equal(result[1].x, 3);
      assert.equal(result[2], 4);
    } finally {
      await later.close();
    }
  });

  await test('attach to a failed workflow gives the error of the part that failed, not BullMQ\'s "child failed"', async () => {
    const failing = app.submit(chain(group([task('add', 1, 1), task('fail', 'dead end')]), task('smallest')) as never, { jobId: 'failed-workflow' });
    const first = await failing.then(() => undefined, (error: unknown) => error);
    assert.ok(first instanceof RouteError);
    // The root fails once BullMQ fails it for its child: wait for that, then attach.
    let attached: unknown;
    for (let i = 0; i < 100; i++) {
      attached = await app.attach('failed-workflow').then(() => undefined, (error: unknown) => error);
      if (attached !== undefined) break;
      await delay(50);
    }
    assert.ok(attached instanceof RouteError, String(attached));
    assert.equal(attached.message, 'dead end');
  });

  await test('a part that fails for good stops the other parts on the workers, though the submitter is gone', async () => {
    const submitter = createQueueApp<typeof tasks>({ queue, connection: redis.url });
    const long = scratchFile('sibling');
    const short = scratchFile('short');
    const run = submitter.submit(group([task('beat', long, 20_000), chain(task('beat', short, 400), task('fail'))]) as never);
    run.then(undefined, () => undefined);
    for (let i = 0; i < 400 && (lines(long).length === 0 || lines(short).length === 0); i++) await delay(25);
    await submitter.destroy();
    await delay(600);
    await assertStops(long);
  });

  await test('a worker killed with SIGKILL in the middle of a workflow: another takes the part up and the whole settles once', async () => {
    const local = 'workflow-kill';
    const first = await startWorker(redis, local, FAST_STALLS, workflowTasks);
    const submitter = createQueueApp<typeof tasks>({ queue: local, connection: redis.url });
    let second: TestWorker | undefined;
    try {
      const file = scratchFile('killed');
      let settled = 0;
      const run = submitter.submit(chain(task('beat', file, 2500), task('suffix', '+')));
      void Promise.resolve(run).then(() => settled++, () => settled++);
      for (let i = 0; i < 400 && lines(file).length === 0; i++) await delay(25);
      first.child.kill('SIGKILL');
      await first.exited;
      second = await startWorker(redis, local, FAST_STALLS, workflowTasks);
      // beat's result, then suffix(beat's result, '+'): both steps ran, the first again on the second worker.
      assert.equal(await run, 'beat done+');
      await delay(200);
      assert.equal(settled, 1);
    } finally {
      await submitter.destroy();
      await Promise.all([first.stop(), second?.stop()]);
    }
  });

  await test('a schedule outlives the app that declared it: another app lists it, and cancel() removes it for all', async () => {
    const file = scratchFile('outlives');
    const declaring = createQueueApp<typeof tasks>({ queue, connection: redis.url });
    const schedule = declaring.schedule('stamp', [file], { every: 300, id: 'outliving' });
    await schedule.ready;
    await declaring.close();
    await delay(1000);
    assert.ok(lines(file).length >= 2, `fired ${lines(file).length} times after its app closed`);
    const other = createQueueApp<typeof tasks>({ queue, connection: redis.url });
    try {
      assert.ok((await other.schedules()).some((listed) => listed.id === 'outliving'));
      assert.equal(await other.unschedule('outliving'), true);
      assert.equal(await other.unschedule('outliving'), false);
      await delay(700);
      const count = lines(file).length;
      await delay(900);
      assert.equal(lines(file).length, count);
    } finally {
      await other.close();
    }
  });
});
