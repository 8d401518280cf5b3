/**
 * Dispatch overhead of the task app against raw Piscina (and poolifier) on the same thread count:
 * - a no-op run awaited one at a time (latency ratio; target ≤ 1.05×);
 * - a run taking a registered class instance, one at a time, against raw Piscina given the same
 *   data as a plain object (latency ratio; target ≤ 1.15×);
 * - the CPU time of those two, all threads of the process counted (no target): a latency one at a
 *   time is mostly the two wake-ups of each run, which on a VM cost what the scheduler makes them
 *   (three times as much when the threads sit on different vCPUs), so this is the figure that shows
 *   what the app itself adds;
 * - no-op runs with 256 in flight, against raw Piscina (target ≥ 0.9×) and poolifier's fixed
 *   thread pool (target ≥ 1.0×; throughput ratios);
 * - `map` over 50,000 tiny inputs against one raw Piscina run per input (target ≥ 10×);
 * - RSS growth over runs carrying 1 MB each way, each side alone in a process (target ≤ 1.2×);
 * - a soak of 200,000 no-op runs, reporting heap and RSS growth after warm-up.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';
import { Piscina } from 'piscina';
import { FixedThreadPool } from 'poolifier';
import { createApp } from 'celerity';
import { poolifierStop, samples } from './dist.js';
import type tasks from './fixtures/dispatch-tasks.js';

/** Options of {@link benchDispatch}. */
export interface DispatchBenchOptions {
  /** Threads of both pools. Default 2. */
  threads?: number;
  /** Time budget per comparison side, ms (split over the alternating rounds). Default 2000. */
  time?: number;
  /** Inputs of the map comparison. Default 50,000. */
  mapItems?: number;
  /** Runs of the soak. Default 200,000. */
  soakRuns?: number;
  /** Progress lines go here. Default: stderr. */
  log?: (line: string) => void;
}

/** One measured comparison. */
export interface Comparison {
  readonly name: string;
  /** What celerity achieved (µs per run, or runs/items per second). */
  readonly celerity: number;
  /** The pool compared against: `Piscina` (raw, the same thread count) or `poolifier`. */
  readonly against: 'Piscina' | 'poolifier';
  /** What that pool achieved, in the same unit. */
  readonly baseline: number;
  readonly unit: string;
  /** celerity / baseline, oriented so that the target reads naturally (see `target`). */
  readonly ratio: number;
  /** The goal, e.g. `≤ 1.15` or `≥ 0.9`; empty for a figure shown without one. */
  readonly target: string;
  /** Whether the goal is met (`true` when there is none). */
  readonly pass: boolean;
}

/** Everything {@link benchDispatch} measured. */
export interface DispatchReport {
  readonly threads: number;
  readonly comparisons: readonly Comparison[];
  readonly soak: {
    readonly runs: number;
    readonly seconds: number;
    readonly heapAfterWarmupMb: number;
    readonly heapAtEndMb: number;
    readonly growthMb: number;
    readonly rssAfterWarmupMb: number;
    readonly rssAtEndMb: number;
    readonly rssGrowthMb: number;
  };
}

const run = promisify(execFile);
const IN_FLIGHT = 256;
const BATCH = 4096;
/** Alternating rounds per comparison. */
const ROUNDS = 5;
/** Rounds of the in-flight comparison: its batches vary most from round to round. */
const FLIGHT_ROUNDS = 9;

/** Keeps `window` calls in flight until `total` have completed. */
async function windowed(total: number, window: number, call: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) {
      const index = next++;
      await call(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, lane));
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

function meanMs(bench: Bench, name: string): number {
  const task = bench.tasks.find((candidate) => candidate.name === name);
  const result = task?.result;
  if (result === undefined || !('latency' in result)) throw new Error(`benchmark task ${name} did not complete`);
  return result.latency.mean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] ?? Number.NaN;
}

/**
 * Times two functions in alternating rounds (raw, celerity, raw, celerity ...) and returns the
 * median mean latency (ms) of each side, so a burst of load from elsewhere on the machine hits
 * both sides alike instead of skewing one.
 */
async function alternate(raw: () => Promise<unknown>, app: () => Promise<unknown>, rounds: number, time: number, iterations: number): Promise<{ raw: number; app: number }> {
  // Two warm-up passes are enough to reach optimised code; more (tinybench's default is 16) made
  // the map comparison, 50,000 items a pass, dominate the suite's running time.
  const bench = new Bench({ time: time / rounds, warmupTime: Math.min(100, time), warmupIterations: Math.min(2, iterations), iterations });
  for (let round = 0; round < rounds; round++) {
    // Each side goes first in every other round, so neither always follows the other's garbage.
    if (round % 2 === 0) bench.add(`raw ${round}`, raw).add(`app ${round}`, app);
    else bench.add(`app ${round}`, app).add(`raw ${round}`, raw);
  }
  await bench.run();
  const rawMeans: number[] = [];
  const appMeans: number[] = [];
  for (let round = 0; round < rounds; round++) {
    rawMeans.push(meanMs(bench, `raw ${round}`));
    appMeans.push(meanMs(bench, `app ${round}`));
  }
  return { raw: median(rawMeans), app: median(appMeans) };
}

/**
 * The median of what `measure` gives for each of two sides over `rounds` rounds, the sides
 * alternating which goes first (so neither always follows the other's garbage or load).
 */
async function alternateMedians<S extends string>(sides: readonly [S, S], rounds: number, measure: (side: S) => Promise<number>): Promise<Record<S, number>> {
  const [first, second] = sides;
  const values = { [first]: [] as number[], [second]: [] as number[] } as Record<S, number[]>;
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? [first, second] : [second, first]) values[side].push(await measure(side));
  }
  return { [first]: median(values[first]), [second]: median(values[second]) } as Record<S, number>;
}

/**
 * The CPU time (user and system, every thread of this process: the pool's threads, the garbage
 * collector's) per call of each side, µs: medians over `rounds` rounds of `calls` calls awaited one
 * at a time, the sides alternating which goes first.
 */
function cpuPerCall(raw: () => Promise<unknown>, app: () => Promise<unknown>, rounds: number, calls: number): Promise<{ raw: number; app: number }> {
  return alternateMedians(['raw', 'app'], rounds, async (side) => {
    const call = side === 'raw' ? raw : app;
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) await call();
    const spent = process.cpuUsage(before);
    return (spent.user + spent.system) / calls;
  });
}

const probe = fileURLToPath(new URL('./fixtures/rss-probe.js', import.meta.url));

/** One side's RSS growth, MB, measured alone in a child process (see `fixtures/rss-probe.ts`). */
async function probeGrowth(side: 'celerity' | 'piscina', runs: number): Promise<number> {
  const { stdout } = await run(process.execPath, [probe, side, String(runs)], { timeout: 120_000 });
  return (JSON.parse(stdout) as { growthMb: number }).growthMb;
}

/** The median RSS growth of each side over `rounds` rounds, the sides alternating which goes first. */
function rssGrowth(runs: number, rounds: number): Promise<{ celerity: number; piscina: number }> {
  return alternateMedians(['celerity', 'piscina'], rounds, (side) => probeGrowth(side, runs));
}

/** Runs the dispatch benchmarks and returns their figures. */
export async function benchDispatch(options: DispatchBenchOptions = {}): Promise<DispatchReport> {
  const threads = options.threads ?? 2;
  const time = options.time ?? 2000;
  const mapItems = options.mapItems ?? 50_000;
  const soakRuns = options.soakRuns ?? 200_000;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  // A tiny time budget asks for a smoke run: smaller batches, fewer rounds and iterations.
  const quick = time < 100;
  const rounds = quick ? 1 : ROUNDS;
  const batch = quick ? 256 : BATCH;
  const raw = new Piscina({ filename: new URL('./fixtures/raw-piscina.js', import.meta.url).href, minThreads: threads, maxThreads: threads });
  const poolifier = new FixedThreadPool(threads, fileURLToPath(new URL('./fixtures/poolifier-worker.js', import.meta.url)));
  const app = createApp<typeof tasks>({ tasks: new URL('./fixtures/dispatch-tasks.js', import.meta.url), threads });
  const comparisons: Comparison[] = [];
  const compare = (name: string, against: Comparison['against'], celerity: number, baseline: number, unit: string, target: string): void => {
    const ratio = celerity / baseline;
    const limit = Number(/[\d.]+/.exec(target)?.[0]);
    const pass = target === '' || (target.startsWith('≤') ? ratio <= limit : ratio >= limit);
    comparisons.push({ name, against, celerity, baseline, unit, ratio, target, pass });
  };
  try {
    // Let the pools' threads start (and the point's class load in the app's) before anything is timed.
    const startup = quick ? 200 : 2000;
    await Promise.all([
      windowed(startup, 64, () => raw.run(1)),
      windowed(startup, 64, () => poolifier.execute(1)),
      windowed(startup, 64, (i) => app.run('sum', new samples.Point(i, 1))),
    ]);

    log('dispatch: one at a time');
    const single = await alternate(
      () => raw.run(null),
      () => app.run('noop'),
      rounds,
      time,
      quick ? 8 : 64,
    );
    compare('no-op run, one at a time', 'Piscina', single.app * 1000, single.raw * 1000, 'µs/run', '≤ 1.05');

    log('dispatch: a class instance as the argument, one at a time');
    let n = 0;
    const instance = await alternate(
      () => raw.run({ x: n++, y: 1 }),
      () => app.run('sum', new samples.Point(n++, 1)),
      rounds,
      time,
      quick ? 8 : 64,
    );
    compare('a class instance as the argument, one at a time (Piscina: the same data, plain)', 'Piscina', instance.app * 1000, instance.raw * 1000, 'µs/run', '≤ 1.15');

    log('dispatch: CPU time one at a time');
    const cpuRounds = quick ? 1 : ROUNDS;
    const cpuCalls = quick ? 50 : 2000;
    const noopCpu = await cpuPerCall(() => raw.run(null), () => app.run('noop'), cpuRounds, cpuCalls);
    compare('CPU time of a no-op run, one at a time (all threads)', 'Piscina', noopCpu.app, noopCpu.raw, 'µs CPU/run', '');
    const instanceCpu = await cpuPerCall(
      () => raw.run({ x: n++, y: 1 }),
      () => app.run('sum', new samples.Point(n++, 1)),
      cpuRounds,
      cpuCalls,
    );
    compare('CPU time of a run with a class instance as the argument, one at a time (all threads)', 'Piscina', instanceCpu.app, instanceCpu.raw, 'µs CPU/run', '');

    log(`dispatch: ${IN_FLIGHT} in flight`);
    // Throughput with IN_FLIGHT no-op runs out, against a baseline pool's `run(null)`.
    const inFlight = async (against: Comparison['against'], baseline: () => Promise<unknown>, target: string): Promise<void> => {
      const flight = await alternate(
        () => windowed(batch, IN_FLIGHT, baseline),
        () => windowed(batch, IN_FLIGHT, () => app.run('noop')),
        quick ? 1 : FLIGHT_ROUNDS,
        quick ? time : (time * FLIGHT_ROUNDS) / ROUNDS,
        quick ? 1 : 4,
      );
      compare(`no-op runs, ${IN_FLIGHT} in flight`, against, batch / (flight.app / 1000), batch / (flight.raw / 1000), 'runs/s', target);
    };
    await inFlight('Piscina', () => raw.run(null), '≥ 0.9');
    await inFlight('poolifier', () => poolifier.execute(null), '≥ 1.0');

    log(`dispatch: map over ${mapItems} inputs`);
    const inputs = Array.from({ length: mapItems }, (_, index) => index);
    const mapping = await alternate(
      () => Promise.all(inputs.map((value) => raw.run(value))),
      () => app.map('inc', inputs),
      quick ? 1 : 3,
      time,
      quick ? 1 : 2,
    );
    compare(`map over ${mapItems} tiny inputs`, 'Piscina', mapItems / (mapping.app / 1000), mapItems / (mapping.raw / 1000), 'items/s', '≥ 10');

    log('dispatch: memory with 1 MB payloads');
    const payloadRuns = quick ? 20 : 200;
    const memory = await rssGrowth(payloadRuns, quick ? 1 : ROUNDS);
    compare(`RSS growth over ${payloadRuns} runs carrying 1 MB each way (a process per side)`, 'Piscina', memory.celerity, memory.piscina, 'MB', '≤ 1.2');

    log(`dispatch: soak of ${soakRuns} no-op runs`);
    const warmup = Math.min(20_000, Math.floor(soakRuns / 10));
    await windowed(warmup, IN_FLIGHT, () => app.run('noop'));
    collectGarbage();
    const before = process.memoryUsage();
    const started = performance.now();
    await windowed(soakRuns, IN_FLIGHT, () => app.run('noop'));
    const seconds = (performance.now() - started) / 1000;
    collectGarbage();
    const after = process.memoryUsage();
    const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 100) / 100;
    return {
      threads,
      comparisons,
      soak: {
        runs: soakRuns,
        seconds,
        heapAfterWarmupMb: mb(before.heapUsed),
        heapAtEndMb: mb(after.heapUsed),
        growthMb: mb(after.heapUsed - before.heapUsed),
        rssAfterWarmupMb: mb(before.rss),
        rssAtEndMb: mb(after.rss),
        rssGrowthMb: mb(after.rss - before.rss),
      },
    };
  } finally {
    await app.close();
    await raw.destroy();
    await poolifierStop.stopPoolifier(poolifier);
  }
}

/** Prints a report as a small table. */
export function formatDispatch(report: DispatchReport): string {
  const lines = report.comparisons.map(
    (row) => `${row.name.padEnd(34)} celerity ${row.celerity.toFixed(1).padStart(10)}  ${row.against} ${row.baseline.toFixed(1).padStart(10)} ${row.unit.padEnd(8)} ratio ${row.ratio.toFixed(3)} ${row.target === '' ? '' : `(target ${row.target}) ${row.pass ? 'ok' : 'MISSED'}`}`,
  );
  const soak = report.soak;
  lines.push(
    `soak: ${soak.runs} runs in ${soak.seconds.toFixed(1)} s; heap ${soak.heapAfterWarmupMb} MB after warm-up, ${soak.heapAtEndMb} MB at the end (growth ${soak.growthMb} MB); RSS ${soak.rssAfterWarmupMb} → ${soak.rssAtEndMb} MB (growth ${soak.rssGrowthMb} MB)`,
  );
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === new URL(process.argv[1], 'file:').href) {
  const report = await benchDispatch();
  process.stdout.write(`${formatDispatch(report)}\n`);
}
