/**
 * The JSON wire's headline figure: `stringify` + `parse` of 10,000 class instances (each holding
 * another instance and a Date) against superjson used directly, with the same classes registered
 * through `registerCustom`, and against JSON of the plain equivalent.
 * Run standalone with `node build/bench/json.js`.
 */
import { Bench } from 'tinybench';
import SuperJSON, { type SuperJSONResult } from 'superjson';
import { parse, register, stringify } from 'celerity';

/** A small registered class held by {@link Shipment}. */
export class Parcel {
  static {
    register(this, { id: 'bench.json.Parcel' });
  }
  constructor(
    readonly weight: number,
    readonly label: string,
  ) {}
  /** The parcel's data. */
  toSerialisable(): { weight: number; label: string } {
    return { weight: this.weight, label: this.label };
  }
  /** Rebuilds a parcel. */
  static fromSerialisable(data: { weight: number; label: string }): Parcel {
    return new Parcel(data.weight, data.label);
  }
}

/** A registered class holding a registered instance and a Date. */
export class Shipment {
  static {
    register(this, { id: 'bench.json.Shipment' });
  }
  constructor(
    readonly id: number,
    readonly parcel: Parcel,
    readonly sentAt: Date,
  ) {}
  /** The shipment's data (the parcel and date are converted by the format). */
  toSerialisable(): { id: number; parcel: Parcel; sentAt: Date } {
    return { id: this.id, parcel: this.parcel, sentAt: this.sentAt };
  }
  /** Rebuilds a shipment. */
  static fromSerialisable(data: { id: number; parcel: Parcel; sentAt: Date }): Shipment {
    return new Shipment(data.id, data.parcel, data.sentAt);
  }
}

/** `count` shipments. */
export function shipments(count: number): Shipment[] {
  return Array.from({ length: count }, (_, i) => new Shipment(i, new Parcel(i % 17, `parcel-${i}`), new Date(1_700_000_000_000 + i * 1_000)));
}

/** The plain equivalent of {@link shipments}, as JSON would carry it (the date as ISO text). */
export function shipmentsPlain(count: number): { id: number; parcel: { weight: number; label: string }; sentAt: string }[] {
  return shipments(count).map((s) => ({ id: s.id, parcel: s.parcel.toSerialisable(), sentAt: s.sentAt.toISOString() }));
}

/** superjson used directly: each class a custom type whose data is serialised by the same instance. */
export function superjsonDirect(): SuperJSON {
  const sj = new SuperJSON();
  sj.registerCustom<Parcel, SuperJSONResult['json']>(
    {
      isApplicable: (v): v is Parcel => v instanceof Parcel,
      serialize: (v) => sj.serialize(v.toSerialisable()) as unknown as SuperJSONResult['json'],
      deserialize: (v) => Parcel.fromSerialisable(sj.deserialize(v as unknown as SuperJSONResult)),
    },
    'bench.json.Parcel',
  );
  sj.registerCustom<Shipment, SuperJSONResult['json']>(
    {
      isApplicable: (v): v is Shipment => v instanceof Shipment,
      serialize: (v) => sj.serialize(v.toSerialisable()) as unknown as SuperJSONResult['json'],
      deserialize: (v) => Shipment.fromSerialisable(sj.deserialize(v as unknown as SuperJSONResult)),
    },
    'bench.json.Shipment',
  );
  return sj;
}

/** One measured task: its median time, and that time divided by celerity's. */
export interface JsonBenchRow {
  name: string;
  medianMs: number;
  /** `medianMs` / the median of celerity's `stringify` + `parse` (above 1: slower than celerity). */
  ratio: number;
}

const CELERITY = 'celerity stringify+parse';
const SUPERJSON = 'superjson direct (registerCustom) stringify+parse';
const PLAIN = 'JSON.stringify+parse of the plain equivalent';

/** Runs the comparison; `time` is the sampling time per task in ms, `count` the number of instances. */
export async function runJsonBench(options: { time?: number; count?: number } = {}): Promise<{ rows: JsonBenchRow[] }> {
  const count = options.count ?? 10_000;
  const value = shipments(count);
  const plain = shipmentsPlain(count);
  const sj = superjsonDirect();
  // Check once that each contender really round-trips before timing it.
  const check = (copy: unknown, name: string): void => {
    const first = (copy as unknown[])[1];
    if (!(first instanceof Shipment && first.parcel instanceof Parcel && first.sentAt instanceof Date)) throw new Error(`${name} lost the classes`);
  };
  check(parse(stringify(value)), CELERITY);
  check(sj.parse(sj.stringify(value)), SUPERJSON);

  const bench = new Bench({ time: options.time ?? 1_000, warmup: true });
  bench
    .add(CELERITY, () => parse(stringify(value)))
    .add(SUPERJSON, () => sj.parse(sj.stringify(value)))
    .add(PLAIN, () => JSON.parse(JSON.stringify(plain)) as unknown);
  await bench.run();
  const median = (name: string): number => {
    const result = bench.getTask(name)?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${name} did not run`);
    return result.latency.p50;
  };
  const ours = median(CELERITY);
  const rows = [CELERITY, SUPERJSON, PLAIN].map((name) => {
    const medianMs = median(name);
    return { name, medianMs, ratio: medianMs / ours };
  });
  return { rows };
}

/** Prints rows as a table. */
export function printJsonRows(rows: readonly JsonBenchRow[]): void {
  console.table(rows.map((r) => ({ task: r.name, 'median (ms)': r.medianMs.toFixed(2), 'vs celerity': `${r.ratio.toFixed(2)}×` })));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  printJsonRows((await runJsonBench()).rows);
}
