/**
 * The `celerity bench` command: parse flags, gather the values, measure, print, write files.
 * @module
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { encode } from '../index.js';
import { parseFlags, UsageError, type FlagSpec } from './args.js';
import { compare, STEPS_PER_SUBJECT, type Subject } from './compare.js';
import { BENCH_HELP } from './help.js';
import { firstLine, loadValue } from './load.js';
import { machine } from './machine.js';
import { PoolPair } from './pool.js';
import { Progress, type ProgressStream } from './progress.js';
import { formatReport, reportChart, type BenchReport } from './report.js';
import { FULL_SIZES, QUICK_SIZES, sampleShapes } from './samples.js';

const FLAGS: readonly FlagSpec[] = [
  { name: 'module', value: 'FILE' },
  { name: 'export', value: 'NAME' },
  { name: 'json', value: 'FILE' },
  { name: 'svg', value: 'FILE' },
  { name: 'time', value: 'MS' },
  { name: 'quick' },
  { name: 'help', short: 'h' },
];

const DEFAULT_TIME_MS = 300;
const QUICK_TIME_MS = 20;

/** Where the command writes. */
export interface CommandIO {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** The package version, read from the package.json beside `dist/`. */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

function parseTime(text: string): number {
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) throw new UsageError(`celerity bench: --time must be a whole number of milliseconds from 1 to 600000, got '${text}'`);
  return ms;
}

function string(flags: Map<string, string | true>, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Runs `celerity bench` with `argv` (the arguments after `bench`); resolves to the exit code.
 *
 * @throws {UsageError} for a bad flag or a value that cannot be loaded or encoded.
 */
export async function benchCommand(argv: readonly string[], io: CommandIO): Promise<number> {
  const flags = parseFlags(argv, FLAGS, 'celerity bench');
  if (flags.has('help')) {
    io.stdout.write(BENCH_HELP);
    return 0;
  }
  const modulePath = string(flags, 'module');
  const exportName = string(flags, 'export') ?? 'default';
  if (flags.has('export') && modulePath === undefined) throw new UsageError('celerity bench: --export needs --module');
  const quick = flags.has('quick');
  const timeFlag = string(flags, 'time');
  const timeMs = timeFlag === undefined ? (quick ? QUICK_TIME_MS : DEFAULT_TIME_MS) : parseTime(timeFlag);

  let subjects: Subject[];
  let moduleUrl: string | undefined;
  if (modulePath === undefined) {
    subjects = sampleShapes(quick ? QUICK_SIZES : FULL_SIZES);
  } else {
    const loaded = await loadValue(modulePath, exportName);
    moduleUrl = loaded.url;
    subjects = [{ name: loaded.name, description: `export '${exportName}' of ${modulePath}`, value: loaded.value }];
  }
  for (const subject of subjects) {
    try {
      encode(subject.value, { path: 'value' });
    } catch (error) {
      throw new UsageError(`celerity bench: cannot encode ${subject.name}: ${firstLine(error)}`);
    }
  }

  const progress = new Progress(subjects.length * STEPS_PER_SUBJECT + 1, io.stderr);
  const report: BenchReport = {
    tool: 'celerity bench',
    version: version(),
    date: new Date().toISOString(),
    machine: machine(),
    settings: { timeMs, quick, ...(modulePath === undefined ? {} : { module: modulePath, export: exportName }) },
    results: [],
  };
  progress.step('starting the pools');
  const pools = PoolPair.open(moduleUrl);
  try {
    if (moduleUrl !== undefined) {
      try {
        await pools.load(moduleUrl);
      } catch (error) {
        throw new UsageError(`celerity bench: cannot load module ${modulePath ?? moduleUrl} in a worker thread: ${firstLine(error)}`);
      }
    }
    await pools.warm();
    for (const subject of subjects) report.results.push(await compare(subject, { timeMs, pools, progress }));
  } catch (error) {
    progress.stop();
    await pools.destroy();
    throw error;
  }
  progress.stop();
  await pools.close();

  io.stdout.write(formatReport(report));
  const jsonFile = string(flags, 'json');
  const svgFile = string(flags, 'svg');
  if (jsonFile !== undefined) await writeOut(jsonFile, `${JSON.stringify(report, null, 2)}\n`, io);
  if (svgFile !== undefined) await writeOut(svgFile, reportChart(report), io);
  return 0;
}

async function writeOut(file: string, text: string, io: CommandIO): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    throw new Error(`cannot write ${file}: ${firstLine(error)}`);
  }
  io.stderr.write(`celerity bench: wrote ${file}\n`);
}
