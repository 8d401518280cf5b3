// The `wire: 'json'` option (every argument, result and progress value also crosses the JSON
// wire), and the rule that a thread never imports the app's entry module.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CelerityError } from 'celerity';
import { makeApp, rejection } from './app-helpers.js';
import { Point } from './fixtures/shapes.js';

await describe("wire: 'json'", () => {
  const app = makeApp({ threads: 1, wire: 'json' });
  after(() => app.close());

  void test('registered classes, Maps and Dates still arrive as themselves', async () => {
    const moved = await app.run('move', new Point(1, 2), 3);
    assert.ok(moved instanceof Point);
    assert.deepEqual([moved.x, moved.y], [4, 2]);
    const value = { at: new Date(5), points: new Map([['a', new Point(7, 8)]]) };
    const copy = (await app.run('echo', value)) as typeof value;
    assert.ok(copy.at instanceof Date);
    assert.ok(copy.points.get('a') instanceof Point);
  });

  void test('progress values make the trip too, in order', async () => {
    const seen: unknown[] = [];
    assert.equal(await app.submit('progress', [3], { onProgress: (value) => seen.push(value) }), 3);
    assert.equal(seen.length, 3);
  });

  void test('an argument the JSON wire cannot carry fails the run with its path', async () => {
    const error = await rejection(app.run('echo', { file: new Blob(['x']) }));
    assert.ok(error instanceof CelerityError);
    assert.equal(error.code, 'ERR_UNCLONEABLE');
    assert.equal(error.path, 'args[0].file');
  });

  void test('a result the JSON wire cannot carry fails the run with its path', async () => {
    const error = await rejection(app.run('blob', 'x'));
    assert.equal(error.code, 'ERR_UNCLONEABLE');
    assert.equal(error.path, 'result');
  });

  void test('with the default wire, the same values cross by structured clone', async () => {
    const plain = makeApp({ threads: 1 });
    try {
      const blob = await plain.run('blob', 'hello');
      assert.ok(blob instanceof Blob);
      assert.equal(await blob.text(), 'hello');
    } finally {
      await plain.close();
    }
  });

  void test('options.wire is validated', () => {
    assert.throws(
      () => makeApp({ wire: 'xml' as 'json' }),
      (error: unknown) => error instanceof CelerityError && error.code === 'ERR_INVALID_OPTION' && /options\.wire/.test(error.message),
    );
  });
});

await test("a thread refuses to import the app's entry module to find a class", async () => {
  const script = fileURLToPath(new URL('./fixtures/entry-class-main.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [script], { timeout: 20_000 });
  const outcome = JSON.parse(stdout.trim()) as { code: string; path: string; classId: string; message: string };
  assert.equal(outcome.code, 'ERR_MODULE_NOT_ALLOWED');
  assert.equal(outcome.classId, 'test.EntryThing');
  assert.equal(outcome.path, 'args[0]');
  assert.match(outcome.message, /entry module/);
});
