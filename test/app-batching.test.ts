/**
 * Dispatch batching: while short tasks queue for busy threads, the app hands a thread several
 * runs in one message. These tests check that it happens (`stats().batched`), that it never
 * happens to a run posted while a thread is free, to prioritised runs or with `maxQueue`, and
 * that a run in a batch settles exactly as one posted alone: its own result, error, cancel,
 * timeout, retry, and the fate of its thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Point } from './fixtures/shapes.js';
import { delay, makeApp, rejection, seededRandom, type TestApp } from './app-helpers.js';

/** Makes recent task run times short: batching only begins once tasks are seen to be short. */
async function warmUp(app: TestApp): Promise<void> {
  await Promise.all(Array.from({ length: 100 }, (_, i) => app.run('add', i, 1)));
}

/** Keeps `window` calls in flight until `total` have been made; results in call order. */
async function windowed<T>(total: number, window: number, call: (index: number) => PromiseLike<T>): Promise<T[]> {
  const results = new Array<T>(total);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      results[index] = await call(index);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return results;
}

await test('runs posted while short tasks queue reach the threads in batches, each with its own result', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    const results = await windowed(3000, 256, (i) => (i % 2 === 0 ? app.run('add', i, 1) : app.run('move', new Point(i, 0), 1).then((point) => point.x)));
    assert.deepEqual(
      results,
      Array.from({ length: 3000 }, (_, i) => i + 1),
    );
    const stats = app.stats();
    assert.ok(stats.batched > 1000, `only ${stats.batched} of 3,000 runs came in batches`);
    assert.equal(stats.completed, 3100);
    assert.equal(stats.queued + stats.running, 0);
  } finally {
    await app.close();
  }
});

await test('a run posted while a thread is free goes alone, and so do prioritised runs', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    const before = app.stats().batched;
    for (let i = 0; i < 50; i++) assert.equal(await app.run('add', i, 1), i + 1);
    assert.equal(app.stats().batched, before, 'a run at a time was batched');
    const urgent = await Promise.all(Array.from({ length: 400 }, (_, i) => app.submit('add', [i, 1], { priority: 1 + (i % 3) })));
    assert.deepEqual(
      urgent,
      Array.from({ length: 400 }, (_, i) => i + 1),
    );
    assert.equal(app.stats().batched, before, 'prioritised runs were batched');
  } finally {
    await app.close();
  }
});

await test('progress of runs in a batch arrives in order, all of it before each result', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    const before = app.stats().batched;
    const seen = Array.from({ length: 400 }, () => [] as number[]);
    const results = await windowed(400, 200, (i) =>
      app.submit('progress', [1 + (i % 4)], {
        onProgress: (point) => {
          seen[i]?.push((point as Point).x);
        },
      }),
    );
    results.forEach((count, i) => {
      assert.equal(count, 1 + (i % 4));
      assert.deepEqual(seen[i], Array.from({ length: count }, (_, step) => step + 1), `run ${i}`);
    });
    assert.ok(app.stats().batched > before, 'runs with progress came in batches');
  } finally {
    await app.close();
  }
});

await test('map chunks travel in batches too, and the results keep their order', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    const before = app.stats().batched;
    const inputs = Array.from({ length: 2000 }, (_, i) => i);
    assert.deepEqual(await app.map('double', inputs, { chunkSize: 1, concurrency: 256 }), inputs.map((i) => i * 2));
    const stats = app.stats();
    assert.ok(stats.batched > before, 'chunks came in batches');
    assert.equal(stats.queued + stats.running, 0);
  } finally {
    await app.close();
  }
});

await test('with maxQueue the pool counts each run, so nothing is batched', async () => {
  const app = makeApp({ threads: 2, maxQueue: 10_000 });
  try {
    await warmUp(app);
    const results = await windowed(1000, 256, (i) => app.run('add', i, 1));
    assert.equal(results[999], 1000);
    assert.equal(app.stats().batched, 0);
  } finally {
    await app.close();
  }
});

await test('runs cancelled while queued in a batch never run; the rest run once each, in order', async () => {
  const app = makeApp({ threads: 1 });
  try {
    await warmUp(app);
    const marksBefore = await app.run('marks');
    const runs = Array.from({ length: 600 }, () => app.submit('mark', []));
    // A turn later most runs wait in batches still queued; the thread works through the first.
    await new Promise((resolve) => setImmediate(resolve));
    runs.forEach((run, i) => {
      if (i % 3 === 0) run.cancel('not needed');
    });
    const outcomes = await Promise.allSettled(runs);
    const counts: number[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') counts.push(outcome.value);
      else {
        assert.equal(i % 3, 0, `run ${String(i)} was not cancelled, yet failed: ${String(outcome.reason)}`);
        assert.equal((outcome.reason as Error).name, 'AbortError');
      }
    });
    assert.ok(counts.length >= 400, `${counts.length} runs ran`);
    // One thread, first come first served: each run that went through counted once, in order.
    for (let i = 1; i < counts.length; i++) assert.ok((counts[i] as number) > (counts[i - 1] as number), `run counts out of order at ${i}`);
    // The calls of 'mark' beyond those are runs cancelled after they had started: a few at most.
    const startedThenCancelled = (await app.run('marks')) - marksBefore - counts.length;
    assert.ok(startedThenCancelled >= 0 && startedThenCancelled < 100, `${startedThenCancelled} cancelled runs ran`);
    assert.ok(app.stats().batched > 0);
  } finally {
    await app.close();
  }
});

await test('a thread that dies in a batch fails only the run that killed it; the rest of its batch runs elsewhere', async () => {
  const app = makeApp({ threads: 2 });
  try {
    await warmUp(app);
    for (let round = 0; round < 4; round++) {
      const runs = Array.from({ length: 400 }, (_, i) => (i === 200 ? app.run('exit', 1) : app.run('add', i, round)));
      const outcomes = await Promise.allSettled(runs);
      outcomes.forEach((outcome, i) => {
        if (i === 200) {
          assert.equal(outcome.status, 'rejected');
          assert.equal((outcome.reason as { code?: string }).code, 'ERR_WORKER_EXITED');
        } else {
          assert.deepEqual(outcome, { status: 'fulfilled', value: i + round });
        }
      });
    }
    assert.ok(app.stats().batched > 0);
    assert.equal(app.stats().failed, 4);
  } finally {
    await app.close();
  }
});

await test('a timeout, a throw and a retry inside a batch concern their own run', async () => {
  const app = makeApp({ threads: 2, cancelGrace: 20 });
  try {
    await warmUp(app);
    const runs: PromiseLike<unknown>[] = Array.from({ length: 300 }, (_, i) => app.run('add', i, 0));
    const spinning = app.submit('spin', [], { timeout: 50 });
    const thrown = app.run('throwBuiltin');
    const retried = app.submit('flaky', [2], { retry: { attempts: 3 } });
    const after = Array.from({ length: 300 }, (_, i) => app.run('double', i));
    assert.equal((await rejection(spinning)).code, 'ERR_TASK_TIMEOUT');
    assert.ok((await rejection(thrown)) instanceof TypeError);
    assert.equal(await retried, 3);
    assert.deepEqual(await Promise.all(runs), Array.from({ length: 300 }, (_, i) => i));
    assert.deepEqual(await Promise.all(after), Array.from({ length: 300 }, (_, i) => i * 2));
    assert.ok(app.stats().batched > 0);
  } finally {
    await app.close();
  }
});

await test('threads recycled after a few tasks hand their batches back, and every run is answered once', async () => {
  const app = makeApp({ threads: 2, recycle: { afterTasks: 25 } });
  try {
    await warmUp(app);
    const results = await windowed(1500, 256, (i) => app.run('add', i, 2));
    assert.deepEqual(
      results,
      Array.from({ length: 1500 }, (_, i) => i + 2),
    );
    const stats = app.stats();
    assert.equal(stats.completed, 1600);
    assert.equal(stats.failed, 0);
  } finally {
    await app.close();
  }
});

type Kind = 'ok' | 'point' | 'fail' | 'cancel' | 'retry' | 'spin-timeout' | 'exit';

await test('chaos in batches: 3,000 short runs with cancels, throws, retries, timeouts and thread exits each settle once, as they should', async () => {
  const seed = Number(process.env.CHAOS_SEED ?? 20_261_203);
  const next = seededRandom(seed);
  const app = makeApp({ threads: 2, cancelGrace: 20 });
  try {
    await warmUp(app);
    const total = 3000;
    const kinds: Kind[] = [];
    const settles = new Array<number>(total).fill(0);
    const outcomes = new Array<PromiseSettledResult<unknown>>(total);
    const waits: Promise<void>[] = [];
    for (let index = 0; index < total; index++) {
      const roll = next();
      const kind: Kind = roll < 0.55 ? 'ok' : roll < 0.7 ? 'point' : roll < 0.8 ? 'fail' : roll < 0.93 ? 'cancel' : roll < 0.98 ? 'retry' : roll < 0.99 ? 'spin-timeout' : 'exit';
      kinds.push(kind);
      const run =
        kind === 'ok' || kind === 'cancel'
          ? app.submit('add', [index, 1])
          : kind === 'point'
            ? app.submit('move', [new Point(index, 1), 1])
            : kind === 'fail'
              ? app.submit('throwBuiltin', [])
              : kind === 'retry'
                ? app.submit('flaky', [1], { retry: { attempts: 2 } })
                : kind === 'spin-timeout'
                  ? app.submit('spin', [], { timeout: 5 })
                  : app.submit('exit', [1]);
      if (kind === 'cancel') {
        // At once, a microtask later, or a turn later: queued, in a batch on its way, or done.
        const when = next();
        if (when < 0.3) run.cancel('chaos');
        else if (when < 0.6) {
          queueMicrotask(() => {
            run.cancel('chaos');
          });
        } else {
          setImmediate(() => {
            run.cancel('chaos');
          });
        }
      }
      waits.push(
        Promise.resolve(run).then(
          (value) => {
            settles[index] = (settles[index] ?? 0) + 1;
            outcomes[index] = { status: 'fulfilled', value };
          },
          (reason: unknown) => {
            settles[index] = (settles[index] ?? 0) + 1;
            outcomes[index] = { status: 'rejected', reason };
          },
        ),
      );
      // Waves of work, so that batches form, drain and form again.
      if (index % 300 === 299) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(waits);
    await delay(30);
    assert.ok(settles.every((count) => count === 1), `seed ${seed}: every run settles exactly once`);
    outcomes.forEach((outcome, index) => {
      const report = `seed ${seed}, run ${index} (${String(kinds[index])}): ${outcome.status === 'rejected' ? String(outcome.reason) : JSON.stringify(outcome.value)}`;
      const error = outcome.status === 'rejected' ? (outcome.reason as Error & { code?: string }) : undefined;
      switch (kinds[index]) {
        case 'ok':
          assert.deepEqual(outcome, { status: 'fulfilled', value: index + 1 }, report);
          break;
        case 'point':
          assert.ok(outcome.status === 'fulfilled' && outcome.value instanceof Point && outcome.value.x === index + 1, report);
          break;
        case 'fail':
          assert.ok(error instanceof TypeError, report);
          break;
        case 'cancel':
          if (error === undefined) assert.deepEqual(outcome, { status: 'fulfilled', value: index + 1 }, report);
          else assert.equal(error.name, 'AbortError', report);
          break;
        case 'retry':
          assert.deepEqual(outcome, { status: 'fulfilled', value: 2 }, report);
          break;
        case 'spin-timeout':
          assert.equal(error?.code, 'ERR_TASK_TIMEOUT', report);
          break;
        case 'exit':
          assert.equal(error?.code, 'ERR_WORKER_EXITED', report);
          break;
      }
    });
    const stats = app.stats();
    assert.ok(stats.batched > 0, 'runs came in batches');
    assert.equal(stats.queued + stats.running, 0);
    // The pool serves normally afterwards.
    assert.deepEqual(await windowed(500, 128, (i) => app.run('add', i, i)), Array.from({ length: 500 }, (_, i) => i * 2));
  } finally {
    await app.close();
  }
});
