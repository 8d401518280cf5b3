import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { delay, makeApp, rejection } from './app-helpers.js';
import { RouteError } from './fixtures/shapes.js';

await describe('map', () => {
  const app = makeApp({ threads: 2 });
  after(() => app.close());

  void test('results come back in input order', async () => {
    const inputs = Array.from({ length: 500 }, (_, index) => index);
    assert.deepEqual(await app.map('double', inputs), inputs.map((value) => value * 2));
    assert.deepEqual(await app.map('doubleLater', [3, 1, 2]), [6, 2, 4]);
  });

  void test('inputs may be any iterable or async iterable', async () => {
    function* numbers(): Generator<number> {
      for (let value = 0; value < 100; value++) yield value;
    }
    async function* later(): AsyncGenerator<number> {
      for (let value = 0; value < 50; value++) {
        if (value % 10 === 0) await delay(1);
        yield value;
      }
    }
    assert.deepEqual(await app.map('double', numbers()), [...numbers()].map((value) => value * 2));
    assert.deepEqual(await app.map('double', new Set([1, 2, 3])), [2, 4, 6]);
    assert.deepEqual(await app.map('double', later()), Array.from({ length: 50 }, (_, value) => value * 2));
  });

  void test('an empty input resolves to an empty array', async () => {
    assert.deepEqual(await app.map('double', []), []);
  });

  void test('chunkSize batches inputs into pool tasks', async () => {
    const inputs = Array.from({ length: 100 }, (_, index) => index);
    const before = app.stats().runTime;
    assert.deepEqual(await app.map('double', inputs, { chunkSize: 25 }), inputs.map((value) => value * 2));
    assert.ok(before.mean >= 0);
  });

  void test("chunkSize 'auto' batches tiny inputs: 50,000 of them go quickly", async () => {
    const inputs = Array.from({ length: 50_000 }, (_, index) => index);
    const started = Date.now();
    const results = await app.map('double', inputs);
    assert.equal(results.length, 50_000);
    assert.equal(results[49_999], 99_998);
    assert.ok(Date.now() - started < 10_000);
  });

  void test('concurrency bounds the chunks out at once', async () => {
    const started = Date.now();
    const results = await app.map('sleep', [60, 60, 60, 60], { chunkSize: 1, concurrency: 1 });
    assert.deepEqual(results, ['slept', 'slept', 'slept', 'slept']);
    assert.ok(Date.now() - started >= 230, 'one at a time');
  });

  void test('onProgress reports done and total', async () => {
    const reports: [number, number | undefined][] = [];
    await app.map('double', Array.from({ length: 40 }, (_, index) => index), { chunkSize: 10, onProgress: (done, total) => reports.push([done, total]) });
    assert.deepEqual(reports.at(-1), [40, 40]);
    for (let index = 1; index < reports.length; index++) assert.ok((reports[index]?.[0] ?? 0) > (reports[index - 1]?.[0] ?? 0));
  });

  void test('the first failure rejects the map and cancels what remains', async () => {
    const before = app.stats();
    const inputs = Array.from({ length: 200 }, (_, index) => (index === 3 ? -1 : index));
    const error = await rejection(app.map('square', inputs, { chunkSize: 1, concurrency: 2 }));
    assert.ok(error instanceof RouteError);
    assert.equal(error.message, 'negative one');
    await delay(50);
    const after = app.stats();
    assert.equal(after.queued + after.running, 0);
    assert.ok(after.cancelled > before.cancelled || after.submitted - before.submitted < 200, 'the rest was cancelled or never sent');
    assert.equal(after.submitted, after.completed + after.failed + after.cancelled);
  });

  void test('a signal cancels the whole map', async () => {
    const controller = new AbortController();
    const promise = app.map('sleep', [1000, 1000, 1000, 1000], { chunkSize: 1, signal: controller.signal });
    await delay(50);
    controller.abort();
    const error = await rejection(promise);
    assert.equal(error.name, 'AbortError');
    assert.equal((await rejection(app.map('double', [1], { signal: AbortSignal.abort() }))).name, 'AbortError');
  });

  void test('an unencodable input rejects with its place in the whole map', async () => {
    const inputs: unknown[] = Array.from({ length: 20 }, (_, index) => index);
    inputs[13] = () => 0;
    const error = await rejection(app.map('echo', inputs, { chunkSize: 8 }));
    assert.equal(error.code, 'ERR_UNCLONEABLE');
    assert.equal(error.path, 'inputs[13]');
  });
});
