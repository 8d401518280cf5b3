/**
 * Calls as a plain-JavaScript caller makes them: options through `app.with(...)`, kept apart from
 * the task's arguments; an extra argument refused where the task's count is known; an unknown
 * task named with the ones that exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelerityError, type TaskApp } from 'celerity';
import { makeApp, rejection } from './app-helpers.js';

const app = makeApp({ threads: 1 });

await test('app.with(options) runs with those options, and submit through it may add more', async () => {
  const limited = app.with({ timeout: 50 });
  const error = await rejection(limited.run('sleep', 2_000));
  assert.equal(error.code, 'ERR_TASK_TIMEOUT');
  assert.equal(await limited.run('add', 2, 3), 5);
  const progress: unknown[] = [];
  const run = app.with({ priority: 3 }).submit('countdown', [2], { onProgress: (value) => progress.push(value) });
  assert.equal(await run, 2);
  assert.deepEqual(progress, [{ left: 2 }, { left: 1 }]);
  const overridden = await rejection(app.with({ timeout: 5_000 }).submit('sleep', [2_000], { timeout: 30 }));
  assert.equal(overridden.code, 'ERR_TASK_TIMEOUT');
});

await test('app.with refuses bad options at once', () => {
  for (const options of [{ timeout: -1 }, { priority: 0 }, { retry: { attempts: 0 } }, null]) {
    assert.throws(
      () => app.with(options as never),
      (error: unknown) => error instanceof CelerityError && error.code === 'ERR_INVALID_OPTION',
      JSON.stringify(options),
    );
  }
});

await test('an argument beyond those a task declares is ERR_ARGUMENT_COUNT, and is not retried', async () => {
  const loose: TaskApp = app;
  const run = (name: string, ...args: unknown[]): Promise<unknown> => loose.run(name, ...args);
  const error = await rejection(run('add', 1, 2, { timeout: 5 }));
  assert.equal(error.code, 'ERR_ARGUMENT_COUNT');
  assert.match(error.message, /task "add" takes 2 arguments, but was given 3; pass options to submit\(name, args, options\) or app\.with\(options\)/);
  // Were it retried, the two waits of 300 ms would come before the failure.
  const before = performance.now();
  const submitted = app.submit('add', [1, 2, 3] as unknown as [number, number], { retry: { attempts: 3, delay: 300 } });
  assert.equal((await rejection(submitted)).code, 'ERR_ARGUMENT_COUNT');
  assert.ok(performance.now() - before < 300, 'no second try');
  // Fewer is allowed (an optional parameter compiles to a plain one), and so is any count where
  // the task takes a rest parameter or has a default value.
  assert.ok(Number.isNaN(await run('add', 1)));
  assert.equal(await run('total', 1, 2, 3, 4), 10);
  assert.equal(await run('scaled', 3), 6);
  assert.equal(await run('scaled', 3, 3), 9);
});

await test('an unknown task name lists the tasks that exist', async () => {
  const loose: TaskApp = app;
  const error = await rejection(loose.run('nope'));
  assert.equal(error.code, 'ERR_UNKNOWN_TASK');
  assert.match(error.message, /unknown task "nope": the tasks module exports .*"add".*"double"/);
});

await app.close();
