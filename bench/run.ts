/**
 * The benchmark runner behind `npm run bench`: runs every suite, prints each suite's table and a
 * summary of the ratios with their targets, and writes `bench/results/<timestamp>.json` and
 * `.svg`, plus `latest.json` and `latest.svg`.
 *
 * Flags: `--quick` (tiny sizes and times, a smoke run: writes nothing unless `--out` is given),
 * `--only a,b` (run only these suites), `--out DIR` (write results there instead).
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { runConversionBench } from './conversion.js';
import { benchDispatch, type DispatchReport } from './dispatch.js';
import { machine, samples, svg, table, type ChartGroup } from './dist.js';
import type { Figure, SuiteResult } from './figures.js';
import { updateReadme } from './readme.js';
import { suiteCells, suiteHeaders, summaryMarkdown } from './report-tables.js';
import { runJsonBench, type JsonBenchRow } from './json.js';
import { runScalingBench } from './scaling.js';
import { runQueueBench } from './queue.js';

/** Settings of a whole run. */
export interface RunSettings {
  quick: boolean;
  only?: readonly string[] | undefined;
  /** Directory for results; `undefined` writes nothing. */
  out?: string | undefined;
}

/** The results file. */
export interface RunReport {
  date: string;
  machine: ReturnType<typeof machine.machine>;
  quick: boolean;
  durationSeconds: number;
  suites: SuiteResult[];
  failures: { suite: string; error: string }[];
}

type Suite = (quick: boolean) => Promise<SuiteResult>;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

/** Reads a target written as `≤ 1.15` or `≥ 0.9`. */
function parseTarget(text: string): Pick<Figure, 'target' | 'better'> {
  const match = /^\s*([≤≥<>]=?)\s*([\d.]+)/.exec(text);
  if (match === null) return {};
  return { target: Number(match[2]), better: match[1]?.startsWith('≤') === true || match[1]?.startsWith('<') === true ? 'lower' : 'higher' };
}

function dispatchSuite(report: DispatchReport): SuiteResult {
  const group = 'dispatch and map: celerity against raw Piscina and poolifier';
  return {
    suite: 'dispatch',
    title: `no-op runs, class-instance arguments and map against raw Piscina and poolifier (${report.threads} threads each), and a soak`,
    rows: [
      ...report.comparisons.map((c) => {
        // Latency and CPU time per run share the µs columns (the comparison names which it is).
        const latency = c.unit.startsWith('µs');
        const memory = c.unit === 'MB';
        const rate = !latency && !memory;
        return {
          comparison: c.name,
          against: c.against,
          'celerity µs/run': latency ? round(c.celerity) : null,
          'baseline µs/run': latency ? round(c.baseline) : null,
          'celerity per s': rate ? round(c.celerity) : null,
          'baseline per s': rate ? round(c.baseline) : null,
          'celerity MB': memory ? round(c.celerity) : null,
          'baseline MB': memory ? round(c.baseline) : null,
          'celerity s': null,
          ratio: round(c.ratio),
          target: c.target,
        };
      }),
      {
        comparison: `soak: ${report.soak.runs} no-op runs`,
        against: null,
        'celerity µs/run': null,
        'baseline µs/run': null,
        'celerity per s': null,
        'baseline per s': null,
        'celerity MB': null,
        'baseline MB': null,
        'celerity s': round(report.soak.seconds),
        ratio: null,
        target: `heap after GC ${report.soak.heapAfterWarmupMb} → ${report.soak.heapAtEndMb} MB (growth ${report.soak.growthMb} MB); RSS ${report.soak.rssAfterWarmupMb} → ${report.soak.rssAtEndMb} MB (growth ${report.soak.rssGrowthMb} MB)`,
      },
    ],
    figures: report.comparisons.map((c) => ({ group, log: true, label: `${c.name} (${c.unit}, ${c.against})`, name: `${c.name}: celerity ÷ ${c.against === 'Piscina' ? 'raw Piscina' : c.against} (${c.unit})`, value: c.ratio, ...parseTarget(c.target) })),
    details: report,
  };
}

/** The json suite's task names are long sentences; the chart's labels need a few words. */
function shortJsonLabel(name: string): string {
  if (name.startsWith('superjson')) return 'superjson (registerCustom)';
  if (name.startsWith('JSON')) return 'JSON, plain equivalent';
  return name;
}

function jsonSuite(rows: readonly JsonBenchRow[]): SuiteResult {
  const [ours, ...others] = rows;
  const group = 'JSON wire: stringify + parse, each ÷ celerity';
  return {
    suite: 'json',
    title: 'the JSON wire (celerity stringify + parse) against superjson used directly and plain JSON; ratio = time ÷ celerity',
    rows: rows.map((r) => ({ task: r.name, 'median ms': round(r.medianMs), 'ratio to celerity': round(r.ratio) })),
    figures: others.map((r) => ({ group, label: shortJsonLabel(r.name), name: `JSON wire: ${r.name} ÷ ${ours?.name ?? 'celerity'}`, value: r.ratio, better: 'higher' as const })),
  };
}

const SUITES: Readonly<Record<string, Suite>> = {
  conversion: (quick) => runConversionBench(quick ? { time: 5, rounds: 1, sizes: samples.QUICK_SIZES } : {}),
  dispatch: async (quick) => dispatchSuite(await benchDispatch(quick ? { time: 5, mapItems: 200, soakRuns: 2_000, log } : { log })),
  scaling: (quick) => runScalingBench(quick ? { cities: 30, tours: 4, repeats: 1, maxThreads: Math.min(2, os.availableParallelism()) } : {}),
  json: async (quick) => jsonSuite((await runJsonBench(quick ? { time: 5, count: 50 } : {})).rows),
  queue: (quick) => runQueueBench(quick ? { jobs: 50, trips: 2, cpuJobs: 4, rounds: 1 } : {}),
};

function round(n: number): number {
  return Number.isFinite(n) ? Number(n.toPrecision(4)) : n;
}

function printSuite(result: SuiteResult): void {
  process.stdout.write(`\n## ${result.suite}: ${result.title}\n\n`);
  process.stdout.write(`${table.formatTable(suiteHeaders(result), suiteCells(result))}\n`);
}

/**
 * The chart: every panel reads the same way, higher is better (1× is level). A figure quoted as
 * lower-is-better (celerity ÷ a peer's time) is drawn inverted (the peer's time ÷ celerity's), its
 * target too, and its panel says so.
 */
function chart(report: RunReport): string {
  const groups = new Map<string, ChartGroup & { bars: { label: string; value: number; target?: number | undefined; better?: 'lower' | 'higher' | undefined }[] }>();
  for (const suite of report.suites) {
    for (const f of suite.figures) {
      const inverted = (f.better ?? 'lower') === 'lower';
      const base = (f.group ?? suite.suite).replace(/ \((?:lower|higher) is better\)$/, '');
      const title = `${base}${inverted ? ', drawn inverted' : ''} (higher is better)`;
      let group = groups.get(title);
      if (group === undefined) groups.set(title, (group = { title, bars: [], scale: f.log === true ? 'log' : 'linear' }));
      group.bars.push({
        label: f.label ?? f.name,
        value: inverted ? 1 / f.value : f.value,
        target: f.target === undefined ? undefined : inverted ? 1 / f.target : f.target,
        better: 'higher',
      });
    }
  }
  return svg.renderChart({
    title: 'celerity benchmarks: how many times as fast celerity is (higher is better; 1× is level)',
    subtitle: `${machine.describeMachine(report.machine)} · ${report.date.slice(0, 10)}${report.quick ? ' · quick run, not for quoting' : ''} · figures quoted as celerity ÷ peer are drawn as peer ÷ celerity`,
    groups: [...groups.values()],
  });
}

/** Runs the suites and writes the results; resolves to the report. */
export async function runAll(settings: RunSettings): Promise<RunReport> {
  const started = performance.now();
  const report: RunReport = { date: new Date().toISOString(), machine: machine.machine(), quick: settings.quick, durationSeconds: 0, suites: [], failures: [] };
  process.stdout.write(`# celerity benchmarks\n\n${machine.describeMachine(report.machine)}${settings.quick ? ' (quick run: figures not for quoting)' : ''}\n`);
  for (const [name, suite] of Object.entries(SUITES)) {
    if (settings.only !== undefined && !settings.only.includes(name)) continue;
    log(`suite ${name}…`);
    const suiteStart = performance.now();
    try {
      const result = await suite(settings.quick);
      report.suites.push(result);
      printSuite(result);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      report.failures.push({ suite: name, error: message });
      log(`suite ${name} failed: ${message}`);
    }
    log(`suite ${name}: ${((performance.now() - suiteStart) / 1000).toFixed(1)} s`);
  }
  report.durationSeconds = round((performance.now() - started) / 1000);

  const figures = report.suites.flatMap((s) => s.figures);
  process.stdout.write(`\n## Summary: the ratios to quote\n\n${summaryMarkdown(figures)}\n`);
  process.stdout.write(`\nTotal: ${report.durationSeconds} s${report.failures.length > 0 ? `; failed suites: ${report.failures.map((f) => f.suite).join(', ')}` : ''}\n`);

  if (settings.out !== undefined) {
    await mkdir(settings.out, { recursive: true });
    const stamp = report.date.replace(/[:.]/g, '-');
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const picture = chart(report);
    for (const [file, text] of [
      [`${stamp}.json`, json],
      [`${stamp}.svg`, picture],
      ['latest.json', json],
      ['latest.svg', picture],
    ] as const) {
      await writeFile(new URL(file, pathToFileURL(`${settings.out}/`)), text);
    }
    log(`wrote ${settings.out}/${stamp}.json, ${stamp}.svg, latest.json, latest.svg`);
    // The README shows the committed results: regenerated only when they are what was written.
    if (settings.out === DEFAULT_OUT) {
      const replaced = await updateReadme(report);
      if (replaced.length > 0) log(`README.md: ${replaced.join(', ')} regenerated`);
    }
  }
  return report;
}

/** Where a run's results go by default: the committed ones, which the README shows. */
const DEFAULT_OUT = fileURLToPath(new URL('../../bench/results', import.meta.url));

const USAGE = `Usage: npm run bench -- [--quick] [--only SUITES] [--out DIR]

Runs the benchmark suites and prints their tables and a summary of the ratios to quote.

  --quick        tiny sizes and times: a smoke run whose figures mean nothing (writes nothing
                 unless --out is given)
  --only SUITES  a comma-separated list of suites to run: ${Object.keys(SUITES).join(', ')}
  --out DIR      where the JSON and SVG results go (default: bench/results)
  --help         this text
`;

/** The settings the flags ask for, or `undefined` when they ask for the usage text. */
function parseFlags(argv: readonly string[]): RunSettings | undefined {
  const { values } = parseArgs({
    args: [...argv],
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    strict: true,
  });
  if (values.help) return undefined;
  const only = values.only?.split(',');
  const unknown = only?.filter((name) => !(name in SUITES));
  if (unknown !== undefined && unknown.length > 0) throw new Error(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}`);
  // A quick run's figures are meaningless: it never replaces the committed latest results by default.
  const out = values.out ?? (values.quick ? undefined : DEFAULT_OUT);
  return { quick: values.quick, only, out };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let settings: RunSettings | undefined;
  try {
    settings = parseFlags(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (settings === undefined) {
    process.stdout.write(USAGE);
  } else {
    const report = await runAll(settings);
    if (report.failures.length > 0) process.exitCode = 1;
  }
}
