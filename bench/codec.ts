/**
 * The codec's two headline figures: encode + structuredClone + decode against structuredClone
 * alone, on flat plain data and on class-heavy data (against the clone of its plain equivalent).
 * Run standalone with `node build/bench/codec.js`.
 */
import { Bench } from 'tinybench';
import { decode, encode } from 'celerity';
import { flatPlain, orders, ordersPlain } from './shapes.js';

/** One measured comparison. */
export interface CodecRow {
  name: string;
  baselineMs: number;
  celerityMs: number;
  ratio: number;
  target: number;
}

/** Runs the codec comparisons; `time` is the sampling time per task in ms. */
export async function runCodecBench(options: { time?: number; count?: number } = {}): Promise<CodecRow[]> {
  const count = options.count ?? 10_000;
  const flat = flatPlain(count);
  const classes = orders(count);
  const plain = ordersPlain(count);
  const bench = new Bench({ time: options.time ?? 1_000, warmup: true });
  bench
    .add('flat: structuredClone', () => structuredClone(flat))
    .add('flat: encode+clone+decode', () => decode(structuredClone(encode(flat))))
    .add('classes: structuredClone of plain equivalent', () => structuredClone(plain))
    .add('classes: encode+clone+decode', () => decode(structuredClone(encode(classes))));
  await bench.run();
  const median = (name: string): number => {
    const task = bench.getTask(name);
    const result = task?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${name} did not run`);
    return result.latency.p50;
  };
  const row = (name: string, baseline: string, measured: string, target: number): CodecRow => {
    const baselineMs = median(baseline);
    const celerityMs = median(measured);
    return { name, baselineMs, celerityMs, ratio: celerityMs / baselineMs, target };
  };
  return [
    row(`flat plain (${count} objects)`, 'flat: structuredClone', 'flat: encode+clone+decode', 1.15),
    row(`class-heavy (${count} instances)`, 'classes: structuredClone of plain equivalent', 'classes: encode+clone+decode', 1.8),
  ];
}

/** Prints rows as a table. */
export function printCodecRows(rows: readonly CodecRow[]): void {
  console.table(
    rows.map((r) => ({
      shape: r.name,
      'structuredClone (ms)': r.baselineMs.toFixed(2),
      'celerity (ms)': r.celerityMs.toFixed(2),
      ratio: `${r.ratio.toFixed(3)}×`,
      target: `≤ ${r.target}×`,
    })),
  );
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  printCodecRows(await runCodecBench());
}
