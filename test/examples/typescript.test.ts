// Smoke tests of examples/typescript: the .ts main and tasks modules run under tsx always, and
// under Node's own type stripping where this Node has it; the example also type-checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { root, runNode } from './helpers.js';

const main = fileURLToPath(new URL('examples/typescript/main.ts', root));

/** The flags that turn on type stripping, or `undefined` where this Node cannot strip types. */
function strippingFlags(): string[] | undefined {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major > 23 || (major === 23 && minor >= 6)) return ['--disable-warning=ExperimentalWarning'];
  if ((major === 22 && minor >= 6) || major === 23) return ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
  return undefined;
}

void test('examples/typescript runs under node --import tsx, tasks module included', async () => {
  const run = await runNode(['--import', 'tsx', main]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ok: hull of 2000 points has \d+ corners, area [\d.]+ \(a Polygon of Points\)$/m);
});

const flags = strippingFlags();
void test('examples/typescript runs under Node\'s own type stripping', { skip: flags === undefined && `Node ${process.versions.node} has no type stripping (22.6+)` }, async () => {
  const run = await runNode([...(flags ?? []), main]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^ok: hull of 2000 points/m);
});

void test('examples/typescript type-checks (erasable syntax only)', async () => {
  const tsc = fileURLToPath(new URL('node_modules/typescript/bin/tsc', root));
  const run = await runNode([tsc, '-p', fileURLToPath(new URL('examples/typescript/tsconfig.json', root))]);
  assert.equal(run.code, 0, run.stdout + run.stderr);
});
