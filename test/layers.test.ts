// The layer rules of src/ (README, "How it is built") are lint rules: a wrong-way import or an
// import cycle fails `npm run lint`. These tests lint small probes with those rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { layerConfig } = (await import(new URL('eslint.config.js', `file://${root}`).href)) as { layerConfig: Linter.Config };
const linter = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ ...layerConfig, languageOptions: { parser: tseslint.parser } }],
});

/** The layer-rule messages for `code` placed at `file` (a path under src/). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await linter.lintText(code, { filePath: join(root, file) });
  assert.ok(result);
  return result.messages.map((message) => `${message.ruleId ?? ''}: ${message.message}`);
}

const WRONG_WAY: readonly [file: string, imported: string, rule: string][] = [
  ['src/worker/probe.ts', '../app/core.js', 'the worker never imports the pool'],
  ['src/app/probe.ts', '../worker/index.js', 'the app never imports the worker or the queue'],
  ['src/codec/probe.ts', '../json/index.js', 'codec stands alone'],
  ['src/codec/probe.ts', '../app/app.js', 'codec stands alone'],
  ['src/json/probe.ts', '../protocol/messages.js', 'json sits on codec'],
  ['src/protocol/probe.ts', '../app/options.js', 'protocol sits on codec'],
  ['src/cli/probe.ts', '../codec/encode.js', 'the CLI uses the public API'],
  ['src/cli/probe.ts', '../errors.js', 'the CLI uses the public API'],
  ['src/cli/probe.ts', '../queue/queue-app.js', 'the CLI uses the public API'],
  ['src/queue/probe.ts', '../worker/index.js', 'the queue builds on the app'],
  ['src/app/probe.ts', '../queue/index.js', 'the app never imports the worker or the queue'],
  ['src/workflow/probe.ts', '../app/run.js', 'workflows are data'],
  ['src/worker/probe.ts', '../workflow/plan.js', 'the worker never imports the pool'],
];

await test('a wrong-way import fails the layer rule that names it', async () => {
  for (const [file, imported, rule] of WRONG_WAY) {
    const errors = await layerErrors(file, `import * as probe from '${imported}';\nexport default probe;\n`);
    assert.equal(errors.length, 1, `${file} importing ${imported}: ${errors.join('; ')}`);
    assert.match(errors[0] ?? '', /^import-x\/no-restricted-paths: /);
    assert.ok(errors[0]?.includes(`layer rule "${rule}"`), errors[0]);
  }
  const ground = await layerErrors('src/errors.ts', "import * as probe from './codec/path.js';\nexport default probe;\n");
  assert.ok(ground.some((error) => error.includes('layer rule "errors is the ground"')), ground.join('; '));
});

await test('imports that follow the layers pass', async () => {
  const allowed: readonly [string, string][] = [
    ['src/worker/probe.ts', '../protocol/messages.js'],
    ['src/worker/probe.ts', '../codec/index.js'],
    ['src/app/probe.ts', '../json/index.js'],
    ['src/json/probe.ts', '../codec/index.js'],
    ['src/codec/probe.ts', '../errors.js'],
    ['src/cli/probe.ts', '../index.js'],
    ['src/cli/probe.ts', '../queue/index.js'],
    ['src/queue/probe.ts', '../app/app.js'],
  ];
  for (const [file, imported] of allowed) {
    assert.deepEqual(await layerErrors(file, `import * as probe from '${imported}';\nexport default probe;\n`), [], `${file} importing ${imported}`);
  }
});

await test('an import cycle fails import-x/no-cycle', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'celerity-cycle-'));
  try {
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n");
    writeFileSync(join(dir, 'src', 'b.ts'), "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n");
    const cycles = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], plugins: layerConfig.plugins, settings: layerConfig.settings, languageOptions: { parser: tseslint.parser }, rules: { 'import-x/no-cycle': 'error' } }],
    });
    const [result] = await cycles.lintFiles([join(dir, 'src', 'a.ts')]);
    assert.deepEqual(
      result?.messages.map((message) => message.ruleId),
      ['import-x/no-cycle'],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

await test('the tree, the README map and the lint rules name the same folders', async () => {
  const { LAYERS } = (await import(new URL('eslint.config.js', `file://${root}`).href)) as { LAYERS: { target: string }[] };
  const tree = readdirSync(join(root, 'src'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `src/${entry.name}/`)
    .concat('src/errors.ts')
    .sort();
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const map = readme.slice(readme.indexOf('## How it is built'), readme.indexOf('\n## ', readme.indexOf('## How it is built') + 1));
  const mapped = [...map.matchAll(/^\| `(src\/[^`]+)` \|/gm)].map((match) => match[1] ?? '').filter((path) => path !== 'src/index.ts').sort();
  const ruled = [...new Set(LAYERS.map((layer) => layer.target.replace(/^\.\//, '') + (layer.target.endsWith('.ts') ? '' : '/')))].sort();
  assert.deepEqual(mapped, tree);
  assert.deepEqual(ruled, tree);
});
