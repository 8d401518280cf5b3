import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { delay, makeApp, rejection } from './app-helpers.js';

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

await describe('cancel', () => {
  void test('a queued run is dropped: it rejects at once and never runs', async () => {
    const app = makeApp({ threads: 1 });
    try {
      const blocker = app.submit('sleep', [150]);
      const queued = app.submit('mark', []);
      assert.equal(queued.state, 'queued');
      queued.cancel('not needed');
      assert.equal(queued.state, 'cancelled');
      const error = await rejection(queued);
      assert.equal(error.name, 'AbortError');
      assert.equal(error.code, 'ERR_TASK_CANCELLED');
      assert.equal(error.cause, 'not needed');
      await blocker;
      assert.equal(await app.run('marks'), 0, 'the cancelled task never ran');
      assert.equal(app.stats().cancelled, 1);
    } finally {
      await app.close();
    }
  });

  void test('a running task sees its signal abort; the caller is rejected at once', async () => {
    const app = makeApp({ threads: 1, cancelGrace: 5000 });
    try {
      const run = app.submit('waitForAbort', []);
      await until(() => run.state === 'running');
      const started = Date.now();
      run.cancel();
      const error = await rejection(run);
      assert.ok(Date.now() - started < 100, 'rejected at once');
      assert.equal(error.name, 'AbortError');
      // The thread survives a cooperative cancel: the next run is served by the same thread.
      const before = app.stats().threads;
      assert.equal(await app.run('add', 1, 1), 2);
      assert.equal(app.stats().threads, before);
    } finally {
      await app.close();
    }
  });

  void test('cancel of a task spinning in a tight loop rejects in under 1 s while a neighbour completes', async () => {
    const app = makeApp({ threads: 2, cancelGrace: 50 });
    try {
      const spinning = app.submit('spin', []);
      const neighbour = app.submit('sleep', [300]);
      await until(() => spinning.state === 'running' && neighbour.state === 'running');
      const started = Date.now();
      spinning.cancel();
      const error = await rejection(spinning);
      assert.ok(Date.now() - started < 1000);
      assert.equal(error.name, 'AbortError');
      assert.equal(await neighbour, 'slept');
      // The spinning thread was terminated and replaced: the pool keeps serving.
      assert.deepEqual(await Promise.all([app.run('add', 1, 2), app.run('add', 3, 4)]), [3, 7]);
    } finally {
      await app.close();
    }
  });

  void test('cancel through a signal, including one already aborted', async () => {
    const app = makeApp({ threads: 1 });
    try {
      const controller = new AbortController();
      const run = app.submit('sleep', [5000], { signal: controller.signal });
      await until(() => run.state === 'running');
      controller.abort(new Error('stop'));
      const error = await rejection(run);
      assert.equal(error.name, 'AbortError');
      assert.equal((error.cause as Error).message, 'stop');
      const early = app.submit('mark', [], { signal: AbortSignal.abort() });
      assert.equal(early.state, 'cancelled');
      assert.equal((await rejection(early)).name, 'AbortError');
      assert.equal(await app.run('marks'), 0);
    } finally {
      await app.close();
    }
  });

  void test('cancel after the run settled does nothing', async () => {
    const app = makeApp({ threads: 1 });
    try {
      const run = app.submit('add', [1, 2]);
      assert.equal(await run, 3);
      run.cancel();
      assert.equal(run.state, 'succeeded');
      assert.equal(await run, 3);
    } finally {
      await app.close();
    }
  });

  void test('cancelling many runs never harms the others', async () => {
    const app = makeApp({ threads: 2, cancelGrace: 20 });
    try {
      const runs = Array.from({ length: 60 }, (_, index) => (index % 3 === 0 ? app.submit('spin', []) : app.submit('doubleLater', [index])));
      const outcomes = runs.map((run) => run.then(
        (value) => ({ ok: true, value }),
        (error: unknown) => ({ ok: false, value: error }),
      ));
      for (const [index, run] of runs.entries()) if (index % 3 === 0) run.cancel();
      const results = await Promise.all(outcomes);
      for (const [index, result] of results.entries()) {
        if (index % 3 === 0) assert.equal((result.value as Error).name, 'AbortError');
        else assert.deepEqual(result, { ok: true, value: index * 2 });
      }
    } finally {
      await app.close();
    }
  });
});

await test('a run queued behind a cancelled task succeeds even when the grace period ends unread', async () => {
  // The cancelled task stops on its own at once, but the main thread is too busy to read its
  // answer before the grace timer fires, so its thread is terminated: the run queued behind it
  // must still get a live thread.
  const app = makeApp({ threads: 1, cancelGrace: 5 });
  try {
    for (let round = 0; round < 5; round++) {
      const stopping = app.submit('sleep', [1_000]);
      await until(() => stopping.state === 'running');
      stopping.cancel();
      const next = app.run('add', round, 1);
      const busyUntil = Date.now() + 40;
      while (Date.now() < busyUntil) {
        // Hold the event loop: the task's answer and the grace timer are both due meanwhile.
      }
      await rejection(stopping);
      assert.equal(await next, round + 1);
    }
  } finally {
    await app.close();
  }
});

await test('with threads above their minimum, runs queued behind a terminated thread still run', async () => {
  const app = makeApp({ threads: { min: 0, max: 1 }, cancelGrace: 20 });
  try {
    const spinning = app.submit('spin', []);
    await until(() => spinning.state === 'running');
    const queued = app.run('add', 2, 3);
    spinning.cancel();
    await rejection(spinning);
    assert.equal(await queued, 5);
  } finally {
    await app.close();
  }
});

await describe('timeout', () => {
  const app = makeApp({ threads: 1, cancelGrace: 50 });
  after(() => app.close());

  void test('a run past its timeout rejects with TimeoutError and its task signal aborts', async () => {
    const run = app.submit('sleepIgnoringSignal', [2000], { timeout: 100 });
    const started = Date.now();
    const error = await rejection(run);
    assert.equal(error.name, 'TimeoutError');
    assert.equal(error.code, 'ERR_TASK_TIMEOUT');
    assert.ok(Date.now() - started < 1500);
    assert.equal(run.state, 'failed');
  });

  void test('a tight loop past its timeout is stopped by terminating its thread', async () => {
    const error = await rejection(app.submit('spin', [], { timeout: 100 }));
    assert.equal(error.name, 'TimeoutError');
    assert.equal(await app.run('add', 2, 2), 4);
  });

  void test('the timeout of a queued run does not fire while it waits', async () => {
    const blocker = app.run('sleep', 400);
    const waiting = app.submit('sleep', [50], { timeout: 250 });
    assert.equal(await blocker, 'slept');
    assert.equal(await waiting, 'slept');
  });

  void test('the app timeout is the default of every run', async () => {
    const timed = makeApp({ threads: 1, timeout: 100, cancelGrace: 50 });
    try {
      assert.equal((await rejection(timed.run('sleep', 2000))).name, 'TimeoutError');
      assert.equal(await timed.run('sleep', 10), 'slept');
      assert.equal(await timed.submit('sleep', [250], { timeout: 1000 }), 'slept');
    } finally {
      await timed.close();
    }
  });

  void test('a cooperative task ends on its signal at the timeout and keeps its thread', async () => {
    const run = app.submit('waitForAbort', [], { timeout: 50 });
    assert.equal((await rejection(run)).name, 'TimeoutError');
    const thread = await app.run('threadId');
    await delay(100);
    assert.equal(await app.run('threadId'), thread);
  });
});
