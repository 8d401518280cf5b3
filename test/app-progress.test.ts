import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApp } from './app-helpers.js';
import { Point } from './fixtures/shapes.js';

await test('progress values arrive decoded, in order, none after the result', async () => {
  const app = makeApp({ threads: 2 });
  try {
    for (let round = 0; round < 5; round++) {
      const seen: Point[] = [];
      let settled = false;
      let late = 0;
      const run = app.submit('progress', [200], {
        onProgress: (value) => {
          if (settled) late++;
          seen.push(value as Point);
        },
      });
      assert.equal(await run, 200);
      settled = true;
      await new Promise((resolve) => setTimeout(resolve, 20));
      assert.equal(late, 0);
      assert.equal(seen.length, 200);
      for (const [index, point] of seen.entries()) {
        assert.ok(point instanceof Point);
        assert.equal(point.x, index + 1);
      }
    }
  } finally {
    await app.close();
  }
});

await test('progress is silent when nobody listens, and stops with a cancel', async () => {
  const app = makeApp({ threads: 1 });
  try {
    assert.equal(await app.run('progress', 50), 50);
    let after = 0;
    let cancelled = false;
    const run = app.submit('progress', [100000], {
      onProgress: () => {
        if (cancelled) after++;
        else {
          cancelled = true;
          run.cancel();
        }
      },
    });
    await run.then(undefined, () => undefined);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(after, 0);
  } finally {
    await app.close();
  }
});
