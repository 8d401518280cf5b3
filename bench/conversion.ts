/**
 * Conversion: encode + structuredClone + decode on the five sample shapes, against structuredClone
 * of the plain equivalent, msgpackr with records and an extension per class (pack + unpack),
 * superjson with the same classes registered, devalue with reducers and revivers, and JSON where
 * it carries the data without loss.
 * Run standalone with `node build/bench/conversion.js`.
 * @module
 */
import * as devalue from 'devalue';
import { decode, encode, register } from 'celerity';
import { inspect, msgpackrPeer, peer, samples, type FoundClass, type SampleShape, type SampleSizes } from './dist.js';
import type { Figure, SuiteResult } from './figures.js';
import { timeTogether } from './measure.js';

/** Options of {@link runConversionBench}. */
export interface ConversionOptions {
  /** Sampling time per task, ms. Default 500. */
  time?: number;
  /** Shape sizes. Default: the full sizes. */
  sizes?: SampleSizes;
  /** Only these shapes (by name). Default: all five. */
  shapes?: readonly string[];
  /** Interleaved rounds per group. Default 6. */
  rounds?: number;
}

/** Median ms per call of each method on one shape (`null`: does not apply or was not asked for). */
export interface ConversionTimes {
  structuredClone: number;
  celerity: number;
  msgpackr: number | null;
  superjson: number | null;
  devalue: number | null;
  JSON: number | null;
}

/** Options of {@link timeShape}. */
export interface TimeShapeOptions {
  /** Sampling time per method, ms. */
  time: number;
  /** Interleaved rounds. Default 6. */
  rounds?: number | undefined;
  /** Time superjson and devalue too. Default `true`. */
  peers?: boolean;
}

/** The targets: flat plain data and class-heavy data against structured clone, superjson and msgpackr. */
const CLONE_TARGETS: Readonly<Record<string, number>> = { 'flat plain': 1.05, 'class-heavy': 1.4 };
const SUPERJSON_TARGETS: Readonly<Record<string, number>> = { 'class-heavy': 12 };
const MSGPACKR_TARGETS: Readonly<Record<string, number>> = { 'class-heavy': 1.5 };

/** A link of a chain: a registered class holding the next one, so depth is instance nesting. */
class Link {
  static {
    register(this, { id: 'celerity.bench.Link' });
  }
  constructor(
    readonly value: number,
    readonly next: Link | null,
  ) {}
  toSerialisable(): { value: number; next: Link | null } {
    return { value: this.value, next: this.next };
  }
  static fromSerialisable(data: { value: number; next: Link | null }): Link {
    return new Link(data.value, data.next);
  }
}

function chain(depth: number): Link | null {
  let head: Link | null = null;
  for (let i = 0; i < depth; i++) head = new Link(i, head);
  return head;
}

/** The depths whose encode times are compared: twice the depth should cost about twice the time. */
const CHAIN_DEPTHS = [300, 600] as const;
const CHAIN_TARGET = 2.3;

/** devalue reducers and revivers for the classes found, as a devalue user would write them. */
function devalueFor(classes: readonly FoundClass[]): { reducers: Record<string, (v: unknown) => unknown>; revivers: Record<string, (v: unknown) => unknown> } {
  const reducers: Record<string, (v: unknown) => unknown> = {};
  const revivers: Record<string, (v: unknown) => unknown> = {};
  for (const cls of classes) {
    // Wrapped in an array: devalue skips a reducer whose result is falsy, and data may be `0`.
    reducers[cls.id] = (v) => (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === cls.prototype ? [cls.toData(v)] : undefined);
    revivers[cls.id] = (v) => cls.fromData((v as unknown[])[0]);
  }
  return { reducers, revivers };
}

/** Times every method on one shape. */
export async function timeShape(shape: SampleShape, options: TimeShapeOptions): Promise<ConversionTimes> {
  const { value, plain } = shape;
  const classes = inspect.findClasses(value);
  const msgpackr = options.peers === false ? undefined : await msgpackrPeer.msgpackrFor(classes);
  const fast: Record<string, () => unknown> = {
    structuredClone: () => structuredClone(plain),
    celerity: () => decode(structuredClone(encode(value))),
  };
  if (msgpackr !== undefined) fast.msgpackr = () => msgpackr.trip(value);
  if (inspect.isJsonable(plain)) fast.JSON = () => JSON.parse(JSON.stringify(plain)) as unknown;
  const together = options.rounds === undefined ? { time: options.time } : { time: options.time, rounds: options.rounds };
  const quick = await timeTogether(fast, together);
  const times: ConversionTimes = { structuredClone: quick.structuredClone ?? NaN, celerity: quick.celerity ?? NaN, msgpackr: quick.msgpackr ?? null, superjson: null, devalue: null, JSON: quick.JSON ?? null };
  if (options.peers === false) return times;
  const sj = peer.superjsonFor(classes);
  const dv = devalueFor(classes);
  // The slow two apart: their garbage would land in the fast methods' samples. Half the rounds:
  // they are slower than celerity by a margin no noise closes, and each call takes long.
  const slow = await timeTogether(
    {
      superjson: () => sj.parse(sj.stringify(value as Parameters<typeof sj.stringify>[0])),
      devalue: () => devalue.parse(devalue.stringify(value, dv.reducers), dv.revivers) as unknown,
    },
    { ...together, rounds: Math.max(1, Math.ceil((options.rounds ?? 6) / 2)) },
  );
  return { ...times, superjson: slow.superjson, devalue: slow.devalue };
}

/** Runs the conversion suite. */
export async function runConversionBench(options: ConversionOptions = {}): Promise<SuiteResult> {
  const time = options.time ?? 500;
  const shapes = samples.sampleShapes(options.sizes ?? samples.FULL_SIZES).filter((s) => options.shapes?.includes(s.name) ?? true);
  const rows: SuiteResult['rows'] = [];
  const figures: Figure[] = [];
  const details: Record<string, ConversionTimes> = {};
  for (const shape of shapes) {
    const t = await timeShape(shape, { time, rounds: options.rounds });
    details[shape.name] = t;
    const overClone = t.celerity / t.structuredClone;
    const overMsgpackr = t.celerity / (t.msgpackr ?? NaN);
    const superjson = (t.superjson ?? NaN) / t.celerity;
    const devalueRatio = (t.devalue ?? NaN) / t.celerity;
    const json = t.JSON === null ? null : t.JSON / t.celerity;
    rows.push({
      shape: shape.name,
      'clone ms': round(t.structuredClone),
      'celerity ms': round(t.celerity),
      'msgpackr ms': round(t.msgpackr ?? NaN),
      'superjson ms': round(t.superjson ?? NaN),
      'devalue ms': round(t.devalue ?? NaN),
      'JSON ms': t.JSON === null ? null : round(t.JSON),
      'celerity ÷ clone': round(overClone),
      'celerity ÷ msgpackr': round(overMsgpackr),
      'superjson ÷ celerity': round(superjson),
      'devalue ÷ celerity': round(devalueRatio),
      'JSON ÷ celerity': json === null ? null : round(json),
    });
    const overhead = 'conversion: celerity ÷ structuredClone (lower is better)';
    const speed = 'conversion: how many times faster celerity is than superjson, devalue, JSON';
    figures.push({ group: overhead, label: shape.name, name: `${shape.name}: celerity ÷ structuredClone`, value: overClone, target: CLONE_TARGETS[shape.name], better: 'lower' });
    figures.push({ group: 'conversion: celerity ÷ msgpackr with records (lower is better)', label: shape.name, name: `${shape.name}: celerity ÷ msgpackr`, value: overMsgpackr, target: MSGPACKR_TARGETS[shape.name], better: 'lower' });
    figures.push({ group: speed, log: true, label: `${shape.name}: superjson`, name: `${shape.name}: superjson ÷ celerity`, value: superjson, target: SUPERJSON_TARGETS[shape.name], better: 'higher' });
    figures.push({ group: speed, log: true, label: `${shape.name}: devalue`, name: `${shape.name}: devalue ÷ celerity`, value: devalueRatio, better: 'higher' });
    if (json !== null) figures.push({ group: speed, log: true, label: `${shape.name}: JSON`, name: `${shape.name}: JSON ÷ celerity`, value: json, better: 'higher' });
  }
  // Nesting: a chain of instances twice as deep should take about twice as long to encode.
  const [shallow, deep] = CHAIN_DEPTHS.map(chain);
  const nesting = await timeTogether({ shallow: () => encode(shallow), deep: () => encode(deep) }, options.rounds === undefined ? { time } : { time, rounds: options.rounds });
  const doubling = nesting.deep / nesting.shallow;
  figures.push({
    group: 'conversion: encode time of a chain of instances as its depth doubles (lower is better)',
    label: `depth ${CHAIN_DEPTHS[1]} ÷ depth ${CHAIN_DEPTHS[0]}`,
    name: `encode of a depth-${CHAIN_DEPTHS[1]} chain ÷ depth-${CHAIN_DEPTHS[0]}`,
    value: doubling,
    target: CHAIN_TARGET,
    better: 'lower',
  });
  return {
    suite: 'conversion',
    title: 'encode + structuredClone + decode against structuredClone (plain equivalent), superjson, devalue, JSON; best-of-rounds median ms per round trip',
    rows,
    figures,
    details: { time, shapes: shapes.map((s) => ({ name: s.name, description: s.description })), times: details, chainEncodeMs: { [CHAIN_DEPTHS[0]]: nesting.shallow, [CHAIN_DEPTHS[1]]: nesting.deep } },
  };
}

function round(n: number): number {
  return Number(n.toPrecision(4));
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  console.table((await runConversionBench()).rows);
}
