/**
 * Order and back-pressure: runs waiting for a thread start in priority order (runs without a
 * priority first, then 1, 2 ... as in BullMQ, submission order within one); `needsDrain`,
 * `drained()` and `stats().queued` / `oldestWait` show the queue as it is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delay, makeApp, rejection, type TestApp } from './app-helpers.js';

/**
 * Occupies the app's one thread with a run of `ms`, so that what is submitted next waits; resolves
 * once that run has started, with its completion (wrapped: a returned promise would be awaited).
 */
async function occupy(app: TestApp, ms: number): Promise<{ done: Promise<string> }> {
  const blocker = app.submit('sleep', [ms]);
  while (blocker.state !== 'running') await delay(5);
  return { done: Promise.resolve(blocker) };
}

await test('waiting runs start by priority: none first, then the lowest number, in submission order within one', async () => {
  // One thread, and a first run long enough that the others all wait behind it.
  const app = makeApp({ threads: 1 });
  try {
    const blocker = (await occupy(app, 150)).done;
    const order: string[] = [];
    const submitted = (
      [
        ['a5', 5],
        ['b', undefined],
        ['c1', 1],
        ['d5', 5],
        ['e', undefined],
        ['f2097152', 2_097_152],
        ['g1', 1],
      ] as const
    ).map(([label, priority]) => app.submit('double', [1], priority === undefined ? {} : { priority }).then(() => order.push(label)));
    assert.equal(app.stats().queued, 7);
    await Promise.all([blocker, ...submitted]);
    assert.deepEqual(order, ['b', 'e', 'c1', 'g1', 'a5', 'd5', 'f2097152']);
  } finally {
    await app.close();
  }
});

await test('map chunks take the priority given to map', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const blocker = (await occupy(app, 150)).done;
    const order: string[] = [];
    const low = app.map('double', [1, 2, 3], { priority: 9, chunkSize: 3 }).then(() => order.push('map'));
    const high = app.submit('double', [1], { priority: 2 }).then(() => order.push('run'));
    await Promise.all([blocker, low, high]);
    assert.deepEqual(order, ['run', 'map']);
  } finally {
    await app.close();
  }
});

await test('a priority that is not an integer from 1 to 2097152 is ERR_INVALID_OPTION', async () => {
  const app = makeApp({ threads: 1 });
  try {
    for (const priority of [0, -1, 1.5, 2_097_153, Number.NaN, '1']) {
      const error = await rejection(app.submit('double', [1], { priority: priority as number }));
      assert.equal(error.code, 'ERR_INVALID_OPTION', String(priority));
      assert.match(error.message, /options\.priority must be an integer from 1 \(highest\) to 2097152/);
      assert.equal((await rejection(app.map('double', [1], { priority: priority as number }))).code, 'ERR_INVALID_OPTION');
    }
  } finally {
    await app.close();
  }
});

await test('needsDrain, drained() and stats() show the queue while it is there', async () => {
  const app = makeApp({ threads: 1 });
  try {
    assert.equal(app.needsDrain, false);
    await app.drained(); // at once: nothing waits
    assert.equal(app.stats().oldestWait, 0);
    const blocker = (await occupy(app, 120)).done;
    const waiting = [app.run('double', 1), app.run('double', 2), app.run('double', 3)];
    assert.equal(app.needsDrain, true);
    await delay(40);
    const stats = app.stats();
    assert.equal(stats.queued, 3);
    assert.ok(stats.oldestWait >= 30 && stats.oldestWait < 5_000, `oldestWait ${stats.oldestWait}`);
    let drainedAt = 0;
    await app.drained().then(() => (drainedAt = performance.now()));
    assert.ok(drainedAt > 0);
    assert.equal(app.needsDrain, false);
    assert.equal(app.stats().queued, 0);
    assert.deepEqual(await Promise.all(waiting), [2, 4, 6]);
    await blocker;
  } finally {
    await app.close();
  }
});

await test('a producer that waits for drained() keeps the queue short and loses nothing', async () => {
  const app = makeApp({ threads: 2 });
  try {
    const results: Promise<number>[] = [];
    let deepest = 0;
    for (let i = 0; i < 200; i++) {
      if (app.needsDrain) await app.drained();
      results.push(app.run('double', i));
      deepest = Math.max(deepest, app.stats().queued);
    }
    const values = await Promise.all(results);
    assert.deepEqual(values, Array.from({ length: 200 }, (_, i) => i * 2));
    // At most what was submitted while the queue was empty, plus what the threads hold.
    assert.ok(deepest <= 4, `the queue grew to ${deepest}`);
  } finally {
    await app.close();
  }
});
