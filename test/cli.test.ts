import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = join(root, 'dist/cli/main.js');
const fixture = fileURLToPath(new URL('./fixtures/cli-value.js', import.meta.url));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function celerity(...args: string[]): Promise<Outcome> {
  return celerityWith([], ...args);
}

/** Runs the CLI with `nodeArgs` given to node before it. */
function celerityWith(nodeArgs: readonly string[], ...args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, main, ...args], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Node arguments under which packages `names` cannot be found, as on a machine without them: a
 * module resolve hook that refuses them as Node refuses a package that is not installed.
 */
function withoutPackages(...names: string[]): string[] {
  const hooks = `export async function resolve(specifier, context, next) {
    if (${JSON.stringify(names)}.includes(specifier)) throw Object.assign(new Error("Cannot find package '" + specifier + "' imported from " + context.parentURL), { code: 'ERR_MODULE_NOT_FOUND' });
    return next(specifier, context);
  }`;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
  return ['--import', `data:text/javascript,${encodeURIComponent(register)}`];
}

/** A usage error: exit code 2, exactly one line on stderr, nothing on stdout. */
function assertUsageError(outcome: Outcome, pattern: RegExp): void {
  assert.equal(outcome.code, 2, outcome.stderr);
  assert.equal(outcome.stdout, '');
  const lines = outcome.stderr.split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1, `expected one line, got:\n${outcome.stderr}`);
  assert.match(lines[0] ?? '', pattern);
}

interface JsonReport {
  tool: string;
  machine: { cpu: string; cores: number; node: string };
  settings: { timeMs: number; quick: boolean };
  results: { name: string; classes: string[]; ms: Record<string, number | null>; ratios: Record<string, number | null>; notes: string[] }[];
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'celerity-cli-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

void describe('celerity CLI', { concurrency: true }, () => {
  void test('--help explains the commands and options', async () => {
    const out = await celerity('--help');
    assert.equal(out.code, 0);
    for (const word of ['bench', '--help', '--version']) assert.ok(out.stdout.includes(word), word);
  });

  void test('bench --help explains every flag', async () => {
    const out = await celerity('bench', '--help');
    assert.equal(out.code, 0);
    for (const flag of ['--module FILE', '--export NAME', '--json FILE', '--svg FILE', '--time MS', '--quick', '--help']) assert.ok(out.stdout.includes(flag), flag);
  });

  void test('bench on the built-in shapes prints tables and writes valid JSON and SVG', async () => {
    await withTemp(async (dir) => {
      const json = join(dir, 'out.json');
      const svg = join(dir, 'out.svg');
      const out = await celerity('bench', '--quick', '--json', json, '--svg', svg);
      assert.equal(out.code, 0, out.stderr);
      for (const shape of ['flat plain', 'class-heavy', 'deeply nested', 'Map-heavy', 'binary']) assert.ok(out.stdout.includes(shape), shape);
      assert.match(out.stdout, /celerity ÷ structuredClone/);
      assert.match(out.stdout, /celerity pool ÷ raw Piscina/);
      assert.match(out.stdout, /celerity ÷ msgpackr/);
      assert.match(out.stdout, /celerity pool ÷ poolifier/);
      assert.match(out.stderr, /\[\d+\/\d+\]/, 'progress lines on stderr');
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
      assert.equal(report.tool, 'celerity bench');
      assert.ok(report.machine.cores >= 1);
      assert.equal(report.results.length, 5);
      for (const result of report.results) {
        // msgpackr and poolifier are installed here, so their baselines are measured too.
        for (const method of ['structuredClone', 'celerity', 'msgpackr', 'superjson', 'raw Piscina', 'poolifier', 'celerity pool']) assert.equal(typeof result.ms[method], 'number', `${result.name} ${method}`);
        for (const ratio of ['celerity ÷ structuredClone', 'celerity ÷ msgpackr', 'celerity pool ÷ poolifier']) assert.equal(typeof result.ratios[ratio], 'number', `${result.name} ${ratio}`);
      }
      assert.equal(typeof report.results.find((r) => r.name === 'deeply nested')?.ms.JSON, 'number', 'JSON where it applies');
      assert.equal(report.results.find((r) => r.name === 'flat plain')?.ms.JSON, null, 'no JSON for Dates');
      const picture = await readFile(svg, 'utf8');
      assert.match(picture, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
      assert.match(picture, /<\/svg>\s*$/);
      assert.match(picture, /celerity ÷ structuredClone/);
      assert.doesNotMatch(picture, /&(?!(#\d+|amp|lt|gt|quot|apos);)/, 'text is escaped');
    });
  });

  void test('bench --module measures a user value whose module registers its own classes', async () => {
    await withTemp(async (dir) => {
      const json = join(dir, 'user.json');
      const out = await celerity('bench', '--module', fixture, '--time', '5', '--json', json);
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, /cli-value\.js/);
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
      assert.equal(report.settings.timeMs, 5);
      const [result] = report.results;
      assert.ok(result);
      assert.deepEqual([...result.classes].sort(), ['fixture.cli.Reading', 'fixture.cli.Sensor']);
      assert.equal(typeof result.ratios['celerity pool ÷ raw Piscina'], 'number', result.notes.join('; '));
      assert.equal(typeof result.ratios['superjson ÷ celerity'], 'number');
    });
  });

  void test('bench --module --export picks a named export; JSON is measured when it applies', async () => {
    await withTemp(async (dir) => {
      const json = join(dir, 'plain.json');
      const out = await celerity('bench', '--module', fixture, '--export', 'settings', '--quick', '--json', json);
      assert.equal(out.code, 0, out.stderr);
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
      const [result] = report.results;
      assert.ok(result);
      assert.equal(result.name, 'cli-value.js#settings');
      assert.equal(typeof result.ms.JSON, 'number');
    });
  });

  void test('bench without msgpackr and poolifier installed measures the rest and says what it left out', async () => {
    await withTemp(async (dir) => {
      const json = join(dir, 'bare.json');
      const out = await celerityWith(withoutPackages('msgpackr', 'poolifier'), 'bench', '--module', fixture, '--export', 'settings', '--time', '5', '--json', json);
      assert.equal(out.code, 0, out.stderr);
      const report = JSON.parse(await readFile(json, 'utf8')) as JsonReport;
      const [result] = report.results;
      assert.ok(result);
      assert.equal(result.ms.msgpackr, null);
      assert.equal(result.ms.poolifier, null);
      assert.equal(result.ratios['celerity ÷ msgpackr'], null);
      assert.equal(typeof result.ms.celerity, 'number');
      assert.equal(typeof result.ms['raw Piscina'], 'number');
      assert.ok(result.notes.some((note) => note.includes('msgpackr is not installed')), result.notes.join('; '));
      assert.ok(result.notes.some((note) => note.includes('poolifier is not installed')), result.notes.join('; '));
    });
  });

  void test('a bad flag is one line and exit code 2', async () => {
    assertUsageError(await celerity('bench', '--bogus'), /unknown option --bogus/);
    assertUsageError(await celerity('bench', '--time', 'soon'), /--time/);
    assertUsageError(await celerity('bench', '--json'), /--json needs a value/);
    assertUsageError(await celerity('bench', '--export', 'x'), /--export needs --module/);
    assertUsageError(await celerity('bench', 'extra'), /unexpected argument/);
    assertUsageError(await celerity('frobnicate'), /unknown command/);
    assertUsageError(await celerity(), /missing command/);
  });

  void test('a module that does not load is one line and exit code 2', async () => {
    assertUsageError(await celerity('bench', '--module', 'no/such/module.js'), /cannot load module .*no such file/);
    assertUsageError(await celerity('bench', '--module', fileURLToPath(new URL('./fixtures/cli-throws.js', import.meta.url))), /cannot load module .*this module fails to load$/);
    assertUsageError(await celerity('bench', '--module', fixture, '--export', 'missing'), /has no export 'missing'/);
    assertUsageError(await celerity('bench', '--module', fixture, '--export', 'broken'), /threw: cannot build the value$/);
    assertUsageError(await celerity('bench', '--module', fixture, '--export', 'unregistered'), /cannot encode .*Stray/);
  });
});
