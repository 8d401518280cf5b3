/**
 * With short tasks and more work waiting, a thread is handed its next task while it runs one.
 * These tests check that this changes nothing a caller can see: every run settles once, with its
 * own outcome, whatever the task before or after it on the same thread does to that thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Point } from './fixtures/shapes.js';
import { delay, makeApp, rejection, type TestApp } from './app-helpers.js';

/** Makes recent task run times short, so that the app starts handing threads their next task. */
async function warmUp(app: TestApp): Promise<void> {
  await Promise.all(Array.from({ length: 100 }, (_, i) => app.run('add', i, 1)));
}

await test('runs around a task that ends its thread all keep their own answers', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    for (let round = 0; round < 5; round++) {
      const before = Array.from({ length: 60 }, (_, i) => app.run('add', i, round));
      const exit = rejection(app.run('exit', 1));
      const after = Array.from({ length: 60 }, (_, i) => app.run('double', i + round));
      assert.deepEqual(await Promise.all(before), Array.from({ length: 60 }, (_, i) => i + round));
      assert.deepEqual(await Promise.all(after), Array.from({ length: 60 }, (_, i) => (i + round) * 2));
      assert.equal((await exit).code, 'ERR_WORKER_EXITED');
    }
    const stats = app.stats();
    assert.equal(stats.failed, 5);
    assert.equal(stats.queued + stats.running, 0);
  } finally {
    await app.close();
  }
});

await test('runs waiting behind a task whose thread is stopped for a cancel run on another thread', async () => {
  const app = makeApp({ threads: 2, cancelGrace: 20 });
  try {
    await warmUp(app);
    for (let round = 0; round < 3; round++) {
      const before = Array.from({ length: 40 }, (_, i) => app.run('add', i, 1));
      const spinning = app.submit('spin', []);
      const after = Array.from({ length: 40 }, (_, i) => app.run('add', i, 2));
      await delay(30);
      spinning.cancel('enough');
      assert.equal((await rejection(spinning)).name, 'AbortError');
      assert.deepEqual(await Promise.all([...before, ...after]), [...Array.from({ length: 40 }, (_, i) => i + 1), ...Array.from({ length: 40 }, (_, i) => i + 2)]);
    }
    assert.equal(await app.run('add', 1, 1), 2);
  } finally {
    await app.close();
  }
});

await test('progress and transferred buffers arrive as usual when many runs are in flight', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    const seen = Array.from({ length: 50 }, () => [] as Point[]);
    const runs = seen.map((list, index) =>
      app.submit('progress', [3 + (index % 5)], {
        onProgress: (value) => {
          list.push(value as Point);
        },
      }),
    );
    const counts = await Promise.all(runs);
    counts.forEach((count, index) => {
      assert.equal(count, 3 + (index % 5));
      assert.deepEqual(
        seen[index]?.map((point) => [point instanceof Point, point.x]),
        Array.from({ length: count }, (_, step) => [true, step + 1]),
      );
    });
    const buffers = await Promise.all(Array.from({ length: 50 }, (_, i) => app.run('buffer', 8 + i)));
    buffers.forEach((buffer, i) => {
      assert.ok(buffer instanceof ArrayBuffer);
      assert.equal(buffer.byteLength, 8 + i);
      assert.ok(new Uint8Array(buffer).every((byte) => byte === 7));
    });
  } finally {
    await app.close();
  }
});

await test('a process that awaits only bursts of runs gets every answer before it exits', async () => {
  const script = fileURLToPath(new URL('./fixtures/burst-exit-main.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 60_000 });
  assert.equal(stdout.trim(), 'done 49152');
});

await test('cancelling runs that wait behind another task stops no thread and harms no other run', async () => {
  const app = makeApp({ threads: 2, cancelGrace: 20 });
  try {
    await warmUp(app);
    const threadIds = async (): Promise<Set<number>> => new Set(await Promise.all(Array.from({ length: 100 }, () => app.run('threadId'))));
    const threadsBefore = await threadIds();
    for (let round = 0; round < 5; round++) {
      const runs = Array.from({ length: 200 }, (_, i) => app.submit('add', [i, round]));
      // A turn later some runs are queued, some wait in a thread behind another, some are done.
      await new Promise((resolve) => setImmediate(resolve));
      runs.forEach((run, i) => {
        if (i % 3 === 0) run.cancel('not needed');
      });
      const outcomes = await Promise.allSettled(runs);
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') assert.equal(outcome.value, i + round);
        else {
          assert.equal(i % 3, 0, `run ${String(i)} was not cancelled, yet failed: ${String(outcome.reason)}`);
          assert.equal((outcome.reason as Error).name, 'AbortError');
        }
      });
    }
    for (const thread of await threadIds()) assert.ok(threadsBefore.has(thread), `thread ${String(thread)} is new: one was replaced`);
  } finally {
    await app.close();
  }
});
