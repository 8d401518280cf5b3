/**
 * The codec's two headline figures: encode + structuredClone + decode against structuredClone
 * alone, on flat plain data and on class-heavy data (against the clone of its plain equivalent).
 * A subset of the conversion suite, quick to run on its own: `node build/bench/codec.js`.
 * @module
 */
import { timeShape } from './conversion.js';
import { samples } from './dist.js';

/** One measured comparison. */
export interface CodecRow {
  name: string;
  baselineMs: number;
  celerityMs: number;
  ratio: number;
  target: number;
}

const TARGETS: Readonly<Record<string, number>> = { 'flat plain': 1.05, 'class-heavy': 1.4 };

/** Runs the codec comparisons; `time` is the sampling time per task in ms, `count` the rows per shape. */
export async function runCodecBench(options: { time?: number; count?: number } = {}): Promise<CodecRow[]> {
  const sizes = { ...samples.FULL_SIZES, rows: options.count ?? samples.FULL_SIZES.rows };
  const rows: CodecRow[] = [];
  for (const shape of samples.sampleShapes(sizes)) {
    const target = TARGETS[shape.name];
    if (target === undefined) continue;
    const t = await timeShape(shape, { time: options.time ?? 1_000, peers: false });
    rows.push({ name: `${shape.name} (${shape.description})`, baselineMs: t.structuredClone, celerityMs: t.celerity, ratio: t.celerity / t.structuredClone, target });
  }
  return rows;
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
