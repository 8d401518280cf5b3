import { test } from 'node:test';
import assert from 'node:assert/strict';
import { delay, makeApp, rejection } from './app-helpers.js';
import { RouteError } from './fixtures/shapes.js';

await test('attempts counts every try, the first included', async () => {
  const app = makeApp({ threads: 1 });
  try {
    assert.equal(await app.submit('flaky', [2], { retry: { attempts: 3 } }), 3);
    const error = await rejection(app.submit('flaky', [2], { retry: { attempts: 2 } }));
    assert.ok(error instanceof RouteError);
    assert.equal(error.message, 'attempt 2 failed');
    assert.ok(error instanceof RouteError);
    assert.equal((await rejection(app.submit('flaky', [1], {}))).message, 'attempt 1 failed');
  } finally {
    await app.close();
  }
});

await test('delay and backoff space the tries; state is retrying in between', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const started = Date.now();
    const run = app.submit('flaky', [2], { retry: { attempts: 3, delay: 60, backoff: 2 } });
    const deadline = Date.now() + 2000;
    while (run.state !== 'retrying' && Date.now() < deadline) await delay(2);
    assert.equal(run.state, 'retrying');
    assert.equal(await run, 3);
    assert.ok(Date.now() - started >= 60 + 120 - 5);
  } finally {
    await app.close();
  }
});

await test('when decides which errors are retried', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const seen: unknown[] = [];
    const error = await rejection(
      app.submit('flaky', [5], {
        retry: {
          attempts: 5,
          when: (reason) => {
            seen.push(reason);
            return seen.length < 2;
          },
        },
      }),
    );
    assert.equal(error.message, 'attempt 2 failed');
    assert.equal(seen.length, 2);
    assert.ok(seen[0] instanceof RouteError);
  } finally {
    await app.close();
  }
});

await test('a timed-out try is retried, and the thread death of a try too', async () => {
  const app = makeApp({ threads: 1, cancelGrace: 20 });
  try {
    const tries: string[] = [];
    const timed = await rejection(app.submit('spin', [], { timeout: 50, retry: { attempts: 2, when: (error) => (tries.push((error as Error).name), true) } }));
    assert.equal(timed.name, 'TimeoutError');
    assert.deepEqual(tries, ['TimeoutError']);
    const exited = await rejection(app.submit('exit', [3], { retry: { attempts: 2 } }));
    assert.equal(exited.code, 'ERR_WORKER_EXITED');
  } finally {
    await app.close();
  }
});

await test('never after a cancel', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const run = app.submit('flaky', [10], { retry: { attempts: 10, delay: 100 } });
    const deadline = Date.now() + 2000;
    while (run.state !== 'retrying' && Date.now() < deadline) await delay(2);
    run.cancel();
    assert.equal((await rejection(run)).name, 'AbortError');
    await delay(250);
    const stats = app.stats();
    assert.equal(stats.queued + stats.running, 0);
    assert.equal(stats.cancelled, 1);
  } finally {
    await app.close();
  }
});
