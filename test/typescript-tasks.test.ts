import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
// The .ts sources are not compiled: they live under test/, beside the compiled tests' sources.
const root = fileURLToPath(new URL('../../', import.meta.url));
const main = fileURLToPath(new URL('../../test/fixtures/ts-source/main.ts', import.meta.url));
const expected = { isVector: true, x: 3, y: 6, progress: [3] };

await test('a .ts tasks module works under node --import tsx', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', main], { cwd: root, timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), expected);
});

const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const stripping = major > 22 || (major === 22 && minor >= 6);

await test("a .ts tasks module works under Node's own type stripping", { skip: stripping ? false : `Node ${process.versions.node} has no type stripping` }, async () => {
  const flags = major > 23 || (major === 23 && minor >= 6) ? [] : ['--experimental-strip-types'];
  const { stdout } = await run(process.execPath, [...flags, '--no-warnings', main], { cwd: root, timeout: 30_000 });
  assert.deepEqual(JSON.parse(stdout), expected);
});
