// The published declarations: one bundled .d.ts per package entry, holding the public API and
// nothing of the library's internals, and valid on their own (checked without skipLibCheck).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as celerity from 'celerity';

const root = fileURLToPath(new URL('../../', import.meta.url));
const indexTypes = readFileSync(join(root, 'dist/index.d.ts'), 'utf8');

/** The names a bundled .d.ts exports: `export { a, b }` and `export type { C }`. */
function exportedNames(text: string): { values: Set<string>; types: Set<string> } {
  const values = new Set<string>();
  const types = new Set<string>();
  for (const match of text.matchAll(/^export (type )?\{([^}]*)\};$/gm)) {
    const into = match[1] === undefined ? values : types;
    for (const name of (match[2] ?? '').split(',')) if (name.trim() !== '') into.add(name.trim());
  }
  return { values, types };
}

await test('dist/index.d.ts exports exactly the runtime exports, plus types', () => {
  const { values, types } = exportedNames(indexTypes);
  assert.deepEqual([...values].sort(), Object.keys(celerity).sort());
  for (const name of ['App', 'AppOptions', 'TaskRun', 'SubmitOptions', 'MapOptions', 'Wire', 'JsonWire', 'Serialisable']) assert.ok(types.has(name), name);
});

await test('the published declarations hold none of the internals', () => {
  const internals = ['Core', 'Job', 'Run', 'Mapper', 'Encoder', 'GraphEncoder', 'JsonWriter', 'JsonReader', 'Transport', 'Balancer', 'StartCells', 'RegistryEntry', 'ResolvedOptions', 'TimeHistogram'];
  for (const file of ['dist/index.d.ts', 'dist/worker/index.d.ts', 'dist/queue/index.d.ts']) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const name of internals) assert.doesNotMatch(text, new RegExp(`\\b(class|interface|type) ${name}\\b`), `${file} declares ${name}`);
  }
  const published = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.d.ts') && !file.startsWith('.types'));
  assert.deepEqual(published.sort(), ['index.d.ts', join('queue', 'index.d.ts'), join('worker', 'index.d.ts')]);
});

await test('the published declarations type-check on their own', () => {
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--skipLibCheck', 'false', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2023,esnext.disposable', '--types', 'node', 'dist/index.d.ts', 'dist/worker/index.d.ts', 'dist/queue/index.d.ts'], { cwd: root, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});
