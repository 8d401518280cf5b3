import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp } from 'celerity';
import { makeApp, rejection } from './app-helpers.js';

await test('process.exit in a task rejects only that run with ERR_WORKER_EXITED; the pool replaces the thread', async () => {
  const app = makeApp({ threads: 2 });
  try {
    const neighbour = app.run('sleep', 200);
    const error = await rejection(app.run('exit', 7));
    assert.equal(error.code, 'ERR_WORKER_EXITED');
    assert.match(error.message, /code: 7|exited/);
    assert.equal(await neighbour, 'slept');
    assert.deepEqual(await Promise.all([app.run('add', 1, 1), app.run('add', 2, 2), app.run('add', 3, 3)]), [2, 4, 6]);
  } finally {
    await app.close();
  }
});

await test('an uncaught error outside the task kills the thread and rejects its run', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const error = await rejection(app.run('crashSoon'));
    assert.equal(error.code, 'ERR_WORKER_EXITED');
    assert.equal(await app.run('add', 1, 1), 2);
  } finally {
    await app.close();
  }
});

await test('a thread past its resource limits fails its run with ERR_WORKER_OUT_OF_MEMORY', async () => {
  const app = makeApp({ threads: 1, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 } });
  try {
    const error = await rejection(app.run('hog'));
    assert.equal(error.code, 'ERR_WORKER_OUT_OF_MEMORY');
    assert.equal(await app.run('add', 1, 1), 2);
  } finally {
    await app.close();
  }
});

await test('recycle.afterTasks replaces threads without failing a run', async () => {
  const app = makeApp({ threads: 2, recycle: { afterTasks: 5 } });
  try {
    const threads = await Promise.all(Array.from({ length: 60 }, () => app.run('threadId')));
    assert.equal(threads.length, 60);
    const distinct = new Set(threads);
    assert.ok(distinct.size >= 10, `expected at least 10 threads over 60 runs, saw ${distinct.size}`);
    for (const thread of distinct) assert.ok(threads.filter((id) => id === thread).length <= 5);
    const stats = app.stats();
    assert.equal(stats.failed, 0);
    assert.equal(stats.completed, 60);
  } finally {
    await app.close();
  }
});

await test('recycle.maxHeapMb replaces a thread whose heap grew past the mark', async () => {
  const app = makeApp({ threads: 1, recycle: { maxHeapMb: 48 } });
  try {
    const first = await app.run('threadId');
    // Each call keeps 24 MB alive in its thread: the second pushes it past the mark.
    assert.equal(await app.run('grow', 24), 1);
    assert.equal(await app.run('grow', 24), 2);
    const later = await app.run('threadId');
    assert.notEqual(later, first);
    assert.equal(await app.run('grow', 1), 1, 'the new thread starts with an empty heap');
  } finally {
    await app.close();
  }
});

await test('threads that end as their tasks module loads fail the runs after a few tries, never feeding them on forever', async () => {
  const app = createApp<{ add(a: number, b: number): number }>({ tasks: new URL('./fixtures/exit-on-load-tasks.js', import.meta.url), threads: 1 });
  try {
    const started = performance.now();
    const errors = await Promise.all(Array.from({ length: 5 }, (_, i) => rejection(app.run('add', i, 1))));
    for (const error of errors) {
      assert.equal(error.code, 'ERR_WORKER_EXITED');
      assert.match(error.message, /code: 3/);
    }
    assert.ok(performance.now() - started < 30_000);
    assert.equal(app.stats().failed, 5);
  } finally {
    await app.destroy();
  }
});
