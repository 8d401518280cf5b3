// Smoke test of examples/bundle: esbuild bundles and minifies main, tasks and celerity/worker on
// their own, and the bundle runs with its classes intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { buildBundles } from '../../examples/bundle/build.js';
import { runNode } from './helpers.js';

void test('examples/bundle: the minified bundles run and keep their classes (explicit ids)', async () => {
  const files = await buildBundles();
  // Each bundle is self-contained: piscina stays an import, celerity does not.
  const main = await readFile(files.main, 'utf8');
  assert.match(main, /from"piscina"/);
  assert.doesNotMatch(main, /from"celerity"/);
  const run = await runNode([files.main]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
  for (const check of ['route instanceof Route', 'route.problem instanceof Problem', 'every stop instanceof City', 'every city visited once']) {
    assert.match(run.stdout, new RegExp(`^ok +${check}$`, 'm'));
  }
  // The minifier renamed the classes, so only the explicit ids can have matched them up.
  const names = /class names after minification: "(\w+)", "(\w+)", "(\w+)"/.exec(run.stdout);
  assert.ok(names, run.stdout);
  assert.notDeepEqual(names.slice(1), ['City', 'Problem', 'Route']);
});
