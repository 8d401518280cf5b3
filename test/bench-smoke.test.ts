// A smoke run of every benchmark suite and of the runner: tiny sizes and times, no timing
// assertions (the figures of such a run mean nothing), only that everything runs and reports.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCodecBench } from '../bench/codec.js';
import { runConversionBench } from '../bench/conversion.js';
import { samples } from '../bench/dist.js';
import { readmeBlocks, replaceBlocks } from '../bench/readme.js';
import type { RunReport } from '../bench/run.js';
import { runScalingBench } from '../bench/scaling.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function finite(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value);
}

void describe('benchmark suites (smoke)', { concurrency: true }, () => {
  void test('conversion: every shape against every contender', async () => {
    const result = await runConversionBench({ time: 5, rounds: 1, sizes: samples.QUICK_SIZES });
    assert.deepEqual(
      result.rows.map((r) => r.shape),
      ['flat plain', 'class-heavy', 'deeply nested', 'Map-heavy', 'binary'],
    );
    for (const figure of result.figures) assert.ok(finite(figure.value), figure.name);
    const targets = result.figures.filter((f) => f.target !== undefined).map((f) => f.name);
    assert.deepEqual(targets, [
      'flat plain: celerity ÷ structuredClone',
      'class-heavy: celerity ÷ structuredClone',
      'class-heavy: celerity ÷ msgpackr',
      'class-heavy: superjson ÷ celerity',
      'encode of a depth-600 chain ÷ depth-300',
    ]);
    assert.ok(result.figures.some((f) => f.name === 'deeply nested: JSON ÷ celerity'), 'JSON where it applies');
  });

  void test('codec: the two headline ratios', async () => {
    const rows = await runCodecBench({ time: 5, count: 20 });
    assert.equal(rows.length, 2);
    for (const row of rows) assert.ok(finite(row.ratio), row.name);
  });

  void test('scaling: 1..N threads against the main thread', async () => {
    const result = await runScalingBench({ cities: 20, tours: 4, repeats: 1, maxThreads: 2 });
    assert.deepEqual(
      result.rows.map((r) => [r.where, r.threads]),
      [
        ['main thread', 1],
        ['raw Piscina, plain data (the ceiling)', 1],
        ['raw Piscina, plain data (the ceiling)', 2],
        ['celerity app.map', 1],
        ['celerity app.map', 2],
      ],
    );
    assert.deepEqual(
      result.figures.filter((f) => f.target !== undefined).map((f) => f.name),
      ['scaling: speedup on 2 threads'],
    );
    for (const figure of result.figures) assert.ok(finite(figure.value), figure.name);
  });

  void test('the runner: every suite, a results file and a chart', async () => {
    const out = await mkdtemp(join(tmpdir(), 'celerity-bench-'));
    try {
      const code = await new Promise<number>((resolve) => {
        execFile(process.execPath, [join(root, 'build/bench/run.js'), '--quick', '--out', out], { cwd: root, timeout: 300_000 }, (error, _stdout, stderr) => {
          if (error !== null) process.stderr.write(stderr);
          resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : -1);
        });
      });
      assert.equal(code, 0);
      const files = await readdir(out);
      assert.ok(files.includes('latest.json') && files.includes('latest.svg'));
      assert.equal(files.filter((f) => /^\d{4}-\d\d-\d\dT.*\.(json|svg)$/.test(f)).length, 2, files.join(', '));
      const report = JSON.parse(await readFile(join(out, 'latest.json'), 'utf8')) as RunReport;
      assert.deepEqual(report.failures, []);
      assert.deepEqual(
        report.suites.map((s) => s.suite),
        ['conversion', 'dispatch', 'scaling', 'json', 'queue'],
      );
      assert.ok(report.machine.cores >= 1 && report.machine.node.startsWith('v'));
      const chart = await readFile(join(out, 'latest.svg'), 'utf8');
      assert.match(chart, /^<svg [^>]*>/);
      assert.match(chart, /<\/svg>\s*$/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });
});

void test('the README blocks are regenerated from a results file, and only the marked ones', async () => {
  const conversion = await runConversionBench({ time: 5, rounds: 1, sizes: samples.QUICK_SIZES, shapes: ['class-heavy'] });
  const report = { date: '2026-01-02T00:00:00.000Z', quick: false, suites: [conversion], failures: [] };
  const blocks = readmeBlocks(report);
  assert.deepEqual([...blocks.keys()], ['conversion'], 'no summary from a run of one suite');
  const text = 'intro\n<!-- bench:conversion -->\nold table\n<!-- /bench:conversion -->\n<!-- bench:json -->\n<!-- /bench:json -->\nend';
  const { text: out, replaced } = replaceBlocks(text, blocks);
  assert.deepEqual(replaced, ['conversion']);
  assert.ok(!out.includes('old table'));
  assert.match(out, /<!-- bench:conversion -->\n\| shape \|[^\n]*\n[\s\S]*\| class-heavy \|[\s\S]*From the run of 2026-01-02\.<\/sub>\n<!-- \/bench:conversion -->/);
  assert.ok(out.includes('<!-- bench:json -->\n<!-- /bench:json -->'), 'a block the report has nothing for stays as it was');
});

