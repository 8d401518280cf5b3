import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CelerityError, createApp, type AppOptions } from 'celerity';
import { makeApp, rejection, tasksUrl } from './app-helpers.js';

const cases: [string, Record<string, unknown>, RegExp][] = [
  ['tasks missing', {}, /options\.tasks is required/],
  ['tasks not a path', { tasks: 5 }, /options\.tasks must be a file path or a URL/],
  ['threads zero', { threads: 0 }, /options\.threads must be a positive integer/],
  ['threads fractional', { threads: 1.5 }, /options\.threads must be a positive integer/],
  ['threads.max', { threads: { max: 0 } }, /options\.threads\.max must be a positive integer/],
  ['threads.min', { threads: { min: -1 } }, /options\.threads\.min must be a non-negative integer/],
  ['threads min > max', { threads: { min: 3, max: 2 } }, /options\.threads\.min must not be greater/],
  ['idleTimeout', { idleTimeout: -1 }, /options\.idleTimeout must be a non-negative/],
  ['maxQueue', { maxQueue: 'lots' }, /options\.maxQueue must be a non-negative integer or 'auto'/],
  ['timeout', { timeout: 0 }, /options\.timeout must be a positive number/],
  ['cancelGrace', { cancelGrace: -5 }, /options\.cancelGrace must be a non-negative/],
  ['modules', { modules: 'x' }, /options\.modules must be an array/],
  ['modules entry', { modules: [3] }, /options\.modules\[0\] must be a file path or a URL/],
  ['recycle', { recycle: 5 }, /options\.recycle must be an object/],
  ['recycle.afterTasks', { recycle: { afterTasks: 0 } }, /options\.recycle\.afterTasks must be a positive integer/],
  ['recycle.maxHeapMb', { recycle: { maxHeapMb: -1 } }, /options\.recycle\.maxHeapMb must be a positive number/],
  ['recycle unknown', { recycle: { every: 1 } }, /options\.recycle\.every is not an option/],
  ['resourceLimits', { resourceLimits: { maxOldGenerationSizeMb: 'big' } }, /options\.resourceLimits\.maxOldGenerationSizeMb must be a positive number/],
  ['strict', { strict: 'yes' }, /options\.strict must be a boolean/],
  ['worker', { worker: 'https://example.com/worker.js' }, /options\.worker must be a file path or a file: URL/],
  ['unknown option', { thread: 2 }, /options\.thread is not an option/],
];

for (const [name, extra, message] of cases) {
  void test(`createApp validates up front: ${name}`, () => {
    const options = name === 'tasks missing' ? extra : { tasks: tasksUrl, ...extra };
    assert.throws(
      () => createApp(options as unknown as AppOptions),
      (error: unknown) => error instanceof CelerityError && error.code === 'ERR_INVALID_OPTION' && message.test(error.message),
    );
  });
}

await test('createApp accepts a file path and merges defaults', async () => {
  const app = createApp({ tasks: new URL(tasksUrl).pathname, threads: { min: 1, max: 2 }, maxQueue: 'auto', cancelGrace: 10 });
  try {
    assert.equal(await app.run('add', 1, 2), 3);
  } finally {
    await app.close();
  }
});

await test('submit options are validated too, as a rejection', async () => {
  const app = makeApp({ threads: 1 });
  try {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ timeout: -1 }, /options\.timeout must be a positive number/],
      [{ signal: {} }, /options\.signal must be an AbortSignal/],
      [{ onProgress: 5 }, /options\.onProgress must be a function/],
      [{ transfer: [1] }, /options\.transfer must be an array of ArrayBuffers/],
      [{ retry: { attempts: 0 } }, /options\.retry\.attempts must be a positive integer/],
      [{ retry: { attempts: 2, delay: -1 } }, /options\.retry\.delay must be a non-negative/],
      [{ retry: { attempts: 2, backoff: 0.5 } }, /options\.retry\.backoff must be a number >= 1/],
      [{ retry: { attempts: 2, when: 'always' } }, /options\.retry\.when must be a function/],
      [{ retry: { attempts: 2 }, transfer: [new ArrayBuffer(8)] }, /options\.transfer cannot be combined with options\.retry/],
    ];
    for (const [options, message] of bad) {
      const error = await rejection(app.submit('noop', [], options));
      assert.equal(error.code, 'ERR_INVALID_OPTION');
      assert.match(error.message, message);
    }
    const mapError = await rejection(app.map('double', [1], { chunkSize: 0 }));
    assert.match(mapError.message, /options\.chunkSize must be a positive integer or 'auto'/);
    assert.match((await rejection(app.map('double', [1], { concurrency: -1 }))).message, /options\.concurrency must be a positive integer/);
    assert.match((await rejection(app.map('double', 5 as never))).message, /inputs must be an iterable/);
  } finally {
    await app.close();
  }
});

await test('maxQueue refuses runs beyond the queue with ERR_QUEUE_FULL', async () => {
  const app = makeApp({ threads: 1, maxQueue: 1 });
  try {
    const first = app.run('sleep', 200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = app.run('noop');
    const third = app.run('noop');
    assert.equal((await rejection(third)).code, 'ERR_QUEUE_FULL');
    assert.equal(await first, 'slept');
    await second;
  } finally {
    await app.close();
  }
});
