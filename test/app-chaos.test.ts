import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TaskRun } from 'celerity';
import { delay, makeApp, seededRandom } from './app-helpers.js';
import { RouteError } from './fixtures/shapes.js';

type Kind = 'ok' | 'fail' | 'cancel' | 'timeout' | 'spin-timeout' | 'exit';

await test('chaos: 1,000 mixed runs on 2 threads each settle exactly once, and the pool serves on', async () => {
  const seed = Number(process.env.CHAOS_SEED ?? 20_240_601);
  const next = seededRandom(seed);
  const app = makeApp({ threads: 2, cancelGrace: 30 });
  try {
    const settles = new Array<number>(1000).fill(0);
    const outcomes: { kind: Kind; ok: boolean; value: unknown }[] = [];
    const runs: TaskRun<unknown>[] = [];
    const waits: Promise<void>[] = [];
    for (let index = 0; index < 1000; index++) {
      const roll = next();
      let kind: Kind;
      let run: TaskRun<unknown>;
      if (roll < 0.5) {
        kind = 'ok';
        run = next() < 0.5 ? app.submit('add', [index, 1]) : app.submit('doubleLater', [index]);
      } else if (roll < 0.65) {
        kind = 'fail';
        run = app.submit('throwRegistered', [index]);
      } else if (roll < 0.85) {
        kind = 'cancel';
        run = app.submit('sleep', [Math.floor(next() * 20)]);
        const at = Math.floor(next() * 30);
        const target = run;
        waits.push(delay(at).then(() => {
          target.cancel('chaos');
        }));
      } else if (roll < 0.95) {
        kind = 'timeout';
        run = app.submit('sleep', [200], { timeout: 5 + Math.floor(next() * 10) });
      } else if (roll < 0.975) {
        kind = 'spin-timeout';
        run = app.submit('spin', [], { timeout: 5 });
      } else {
        kind = 'exit';
        run = app.submit('exit', [1]);
      }
      runs.push(run);
      const slot = index;
      outcomes[slot] = { kind, ok: false, value: undefined };
      waits.push(
        run.then(
          (value) => {
            settles[slot] = (settles[slot] ?? 0) + 1;
            outcomes[slot] = { kind, ok: true, value };
          },
          (error: unknown) => {
            settles[slot] = (settles[slot] ?? 0) + 1;
            outcomes[slot] = { kind, ok: false, value: error };
          },
        ),
      );
      if (index % 50 === 0) await delay(1);
    }
    await Promise.all(waits);
    await delay(50);
    assert.ok(settles.every((count) => count === 1), `seed ${seed}: every run settles exactly once`);

    let fulfilled = 0;
    let rejected = 0;
    let aborted = 0;
    for (const [index, outcome] of outcomes.entries()) {
      const run = runs[index] as TaskRun<unknown>;
      if (outcome.ok) fulfilled++;
      else rejected++;
      const error = outcome.value as Error & { code?: string };
      switch (outcome.kind) {
        case 'ok':
          assert.ok(outcome.ok, `seed ${seed}: run ${index} should succeed, got ${String(error)} (${error.code ?? 'no code'})`);
          assert.equal(run.state, 'succeeded');
          break;
        case 'fail':
          assert.ok(error instanceof RouteError, `seed ${seed}: run ${index} should fail with its own error, got ${String(error)} (${error.code ?? 'no code'})`);
          assert.equal(run.state, 'failed');
          break;
        case 'cancel':
          if (outcome.ok) assert.equal(outcome.value, 'slept');
          else {
            assert.equal(error.name, 'AbortError');
            assert.equal(run.state, 'cancelled');
            aborted++;
          }
          break;
        case 'timeout':
        case 'spin-timeout':
          assert.equal(error.name, 'TimeoutError', `seed ${seed}: run ${index} should time out`);
          break;
        case 'exit':
          assert.equal(error.code, 'ERR_WORKER_EXITED');
          break;
      }
    }
    const stats = app.stats();
    assert.equal(stats.submitted, 1000);
    assert.equal(stats.completed, fulfilled);
    assert.equal(stats.failed + stats.cancelled, rejected);
    assert.equal(stats.cancelled, aborted);
    assert.equal(stats.queued, 0);
    assert.equal(stats.running, 0);

    // The pool serves normally afterwards.
    const values = await Promise.all(Array.from({ length: 100 }, (_, index) => app.run('add', index, index)));
    assert.deepEqual(values, Array.from({ length: 100 }, (_, index) => index * 2));
    assert.deepEqual(await app.map('double', [1, 2, 3]), [2, 4, 6]);
    assert.equal(app.stats().threads, 2);
  } finally {
    await app.close();
  }
});
