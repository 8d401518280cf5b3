/**
 * The measurements of `celerity bench` for one value: structured clone of its plain equivalent,
 * celerity's encode + clone + decode, superjson and msgpackr with the same classes, JSON where it
 * applies, and a pool round trip through celerity, raw Piscina and poolifier. msgpackr and
 * poolifier are measured when installed.
 * @module
 */
import { decode, encode } from '../index.js';
import { findClasses, isJsonable, toPlain } from './inspect.js';
import { measureGroup, type Timing } from './measure.js';
import type { PoolPair } from './pool.js';
import type { Progress } from './progress.js';
import { msgpackrFor } from './msgpackr-peer.js';
import { superjsonFor } from './superjson-peer.js';

/** What is timed, in table order. */
export const METHODS = ['structuredClone', 'celerity', 'msgpackr', 'superjson', 'JSON', 'raw Piscina', 'poolifier', 'celerity pool'] as const;
/** One of {@link METHODS}. */
export type Method = (typeof METHODS)[number];

/** What each method does, for help texts and tables. */
export const METHOD_NOTES: Readonly<Record<Method, string>> = {
  structuredClone: 'structuredClone of the plain equivalent (the data without classes)',
  celerity: 'decode(structuredClone(encode(value)))',
  msgpackr: 'msgpackr unpack(pack(value)) with records, the same classes as extensions (when installed)',
  superjson: 'superjson parse(stringify(value)), the same classes registered with registerCustom',
  JSON: 'JSON.parse(JSON.stringify(plain equivalent)), when JSON carries it without loss',
  'raw Piscina': 'a raw Piscina run echoing the plain equivalent, one at a time, one thread',
  poolifier: 'a poolifier run echoing the plain equivalent, one at a time, one thread (when installed)',
  'celerity pool': "app.run('echo', value) through a one-thread celerity app",
};

/** The ratios quoted, each a quotient of two methods. */
export const RATIOS = [
  { key: 'celerity ÷ structuredClone', over: 'celerity', under: 'structuredClone', meaning: 'conversion overhead (lower is better, 1× = free)' },
  { key: 'celerity ÷ msgpackr', over: 'celerity', under: 'msgpackr', meaning: 'conversion time against msgpackr with records (lower is better)' },
  { key: 'superjson ÷ celerity', over: 'superjson', under: 'celerity', meaning: 'how many times faster celerity is than superjson' },
  { key: 'JSON ÷ celerity', over: 'JSON', under: 'celerity', meaning: 'how many times faster celerity is than JSON' },
  { key: 'celerity pool ÷ raw Piscina', over: 'celerity pool', under: 'raw Piscina', meaning: 'round-trip overhead of the pool (lower is better)' },
  { key: 'celerity pool ÷ poolifier', over: 'celerity pool', under: 'poolifier', meaning: 'round trip against poolifier (lower is better)' },
] as const satisfies readonly { key: string; over: Method; under: Method; meaning: string }[];
/** One of the {@link RATIOS} keys. */
export type RatioKey = (typeof RATIOS)[number]['key'];

/** A value to measure. */
export interface Subject {
  name: string;
  description: string;
  value: unknown;
  /** The plain equivalent; computed from `value` when not given. */
  plain?: unknown;
}

/** The figures for one value. */
export interface SubjectResult {
  name: string;
  description: string;
  /** Ids of the registered classes the value holds. */
  classes: string[];
  /** Median ms per call of each method; `null` where it does not apply or failed. */
  ms: Record<Method, number | null>;
  /** The quoted ratios; `null` where either side is missing. */
  ratios: Record<RatioKey, number | null>;
  /** Why a method has no figure. */
  notes: string[];
}

/** How long to sample each method. */
export interface CompareOptions {
  timeMs: number;
  /** The pools for the round trip; without them the two pool methods are skipped. */
  pools?: PoolPair | undefined;
  progress?: Progress | undefined;
}

/**
 * The methods timed together (interleaved, see `measureGroup`): the two sides of each ratio share
 * a group. superjson is timed alone: its garbage would land in its neighbours' samples.
 */
const GROUPS: readonly (readonly Method[])[] = [['structuredClone', 'celerity', 'msgpackr', 'JSON'], ['superjson'], ['raw Piscina', 'poolifier', 'celerity pool']];

/** How many progress steps {@link compare} takes per subject. */
export const STEPS_PER_SUBJECT = GROUPS.length;

function reason(error: unknown): string {
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/**
 * Measures one value. The value must be encodable (call `encode` on it first to report a clear
 * error); any other method that throws is reported in `notes` with no figure.
 */
export async function compare(subject: Subject, options: CompareOptions): Promise<SubjectResult> {
  const { value } = subject;
  const plain = 'plain' in subject ? subject.plain : toPlain(value);
  const classes = findClasses(value);
  const sj = superjsonFor(classes);
  const msgpackr = await msgpackrFor(classes);
  const pools = options.pools;
  const jsonable = isJsonable(plain);
  const runs: Record<Method, (() => unknown) | string> = {
    structuredClone: () => structuredClone(plain),
    celerity: () => decode(structuredClone(encode(value))),
    msgpackr: msgpackr === undefined ? 'not measured: msgpackr is not installed (npm install msgpackr)' : () => msgpackr.trip(value),
    superjson: () => sj.parse(sj.stringify(value as Parameters<typeof sj.stringify>[0])),
    JSON: jsonable ? () => JSON.parse(JSON.stringify(plain)) as unknown : 'n/a, JSON would not carry this value without loss',
    'raw Piscina': pools === undefined ? 'skipped' : () => pools.raw(plain),
    poolifier: pools === undefined ? 'skipped' : pools.hasPoolifier ? () => pools.poolifierRun(plain) : 'not measured: poolifier is not installed (npm install poolifier)',
    'celerity pool': pools === undefined ? 'skipped' : () => pools.celerity(value),
  };
  const ms = Object.fromEntries(METHODS.map((m) => [m, null])) as Record<Method, number | null>;
  const notes: string[] = [];
  for (const group of GROUPS) {
    options.progress?.step(`${subject.name} · ${group.join(', ')}`);
    const fns: Partial<Record<Method, () => unknown>> = {};
    for (const method of group) {
      const run = runs[method];
      if (typeof run === 'string') {
        notes.push(`${method}: ${run}`);
        continue;
      }
      // One failing call keeps that method out, not the whole group.
      try {
        await run();
        fns[method] = run;
      } catch (error) {
        notes.push(`${method}: failed (${reason(error)})`);
      }
    }
    if (Object.keys(fns).length === 0) continue;
    const timings = await measureGroup(fns as Record<Method, () => unknown>, { timeMs: options.timeMs });
    for (const [method, timing] of Object.entries(timings) as [Method, Timing][]) ms[method] = timing.medianMs;
  }
  const ratios = Object.fromEntries(
    RATIOS.map((r) => {
      const over = ms[r.over];
      const under = ms[r.under];
      return [r.key, over === null || under === null || under === 0 ? null : over / under];
    }),
  ) as Record<RatioKey, number | null>;
  return { name: subject.name, description: subject.description, classes: classes.map((c) => c.id), ms, ratios, notes };
}
