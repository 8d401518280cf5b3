/**
 * Untrusted input: real wires of both formats, mutated as a hostile sender would (see
 * `fuzz-mutate.ts`), reach `decode`, `deserialize` and `parse`. Whatever comes in, only a
 * CelerityError comes out, in bounded time, with no prototype polluted and no registered class
 * built except by its own `fromSerialisable`, never from a prototype object. `FUZZ_RUNS` sets the
 * number of mutated wires per format (a few thousand by default).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { CelerityError, decode, deserialize, encode, parse, register, serialize } from 'celerity';
import { Builder, specs } from './codec-arbitraries.js';
import { Random, mutate } from './fuzz-mutate.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);
/** A case slower than this counts as a hang. */
const HANG_MS = 1000;

/** Objects made by the fuzz classes' own `fromSerialisable` (or constructors). */
const made = new WeakSet<object>();
/** What a `fromSerialisable` was handed that the encoder could never have produced. */
const misfed: string[] = [];
const PROTOTYPES = new Set<unknown>([Object.prototype, Array.prototype, Function.prototype, Map.prototype, Set.prototype, Error.prototype, Date.prototype]);

function checkFed(data: unknown, who: string): void {
  if (PROTOTYPES.has(data)) misfed.push(`${who}.fromSerialisable got a prototype object`);
}

/** A flat registered class. */
class Probe {
  static {
    register(this, { id: 'fuzz.Probe' });
  }
  constructor(
    readonly x: number,
    readonly label: string,
  ) {
    made.add(this);
  }
  toSerialisable(): { x: number; label: string } {
    return { x: this.x, label: this.label };
  }
  static fromSerialisable(data: { x: number; label: string }): Probe {
    checkFed(data, 'Probe');
    return new Probe(data.x, data.label);
  }
}

/** A registered class whose data is anything, other instances included. */
class Holder {
  static {
    register(this, { id: 'fuzz.Holder' });
  }
  constructor(readonly content: unknown) {
    made.add(this);
  }
  toSerialisable(): unknown {
    return this.content;
  }
  static fromSerialisable(data: unknown): Holder {
    checkFed(data, 'Holder');
    return new Holder(data);
  }
}

/** A registered Error class (error records may build it). */
class ProbeError extends Error {
  static {
    register(this, { id: 'fuzz.ProbeError' });
  }
  code = 'E_PROBE';
}

/** Real values to take wires of: every feature of both formats, instances as objects and as rows. */
function corpus(): unknown[] {
  const shared = new Probe(1, 'shared');
  const cyclic: Record<string, unknown> = { probe: shared };
  cyclic.self = cyclic;
  const nullProto = Object.assign(Object.create(null) as object, { a: new Probe(2, 'n') });
  // Sparse arrays: one with a few holes, one written in the sparse form.
  const fewHoles: unknown[] = [new Probe(12, 'before'), 1];
  fewHoles[3] = new Holder([new Probe(13, 'after')]);
  const sparse: unknown[] = [new Probe(14, 'first')];
  sparse[1000] = { far: new Probe(15, 'far') };
  sparse.length = 5000;
  const fixed: unknown[] = [
    { fewHoles, sparse, again: sparse },
    new Probe(0, 'one'),
    [shared, shared, new Holder(shared), new Holder(new Holder([1, 2n, undefined]))],
    Array.from({ length: 40 }, (_, i) => new Probe(i, `row${String(i)}`)),
    Array.from({ length: 40 }, (_, i) => new Holder({ inner: new Probe(i, 'in a row'), n: i })),
    { map: new Map<unknown, unknown>([[new Probe(3, 'key'), new Probe(4, 'value')], ['k', new Holder(new Date(5))]]), set: new Set([new Probe(6, 'member'), 7]) },
    [new ProbeError('bad', { cause: new Probe(8, 'cause') }), new AggregateError([new TypeError('t'), new ProbeError('inner')], 'many'), new RangeError('r')],
    cyclic,
    nullProto,
    { typed: new Float64Array([1.5, -0]), view: new DataView(new ArrayBuffer(4)), bytes: new Uint8Array([1, 2, 3]).buffer, regexp: /a+/giu, when: new Date(0), big: -(2n ** 70n) },
    [new Holder({ nested: [new Probe(9, 'deep'), { more: new Holder(new Map([[1, new Probe(10, 'm')]])) }] })],
  ];
  const generated = fc.sample(fc.tuple(specs.spec, specs.container), { numRuns: 40, seed: 20_261_202 }).map(([a, b]) => {
    const builder = new Builder();
    return [builder.build(a).value, builder.build(b).value, new Probe(11, 'tail')];
  });
  return [...fixed, ...generated];
}

/** Every object reachable from `root` (bounded), to check what was built. */
function reachable(root: unknown, limit = 20_000): object[] {
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0 && seen.size < limit) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null || seen.has(node)) continue;
    seen.add(node);
    if (node instanceof Map) for (const [k, v] of node) stack.push(k, v);
    else if (node instanceof Set) for (const m of node) stack.push(m);
    else if (!ArrayBuffer.isView(node)) for (const key of Reflect.ownKeys(node)) stack.push(Object.getOwnPropertyDescriptor(node, key)?.value);
  }
  return [...seen];
}

/** The outcome counts of one fuzz run, and the first few failures in full. */
interface Tally {
  returned: number;
  refused: number;
  failures: string[];
  slowest: number;
}

function assertUntouchedPrototypes(): void {
  assert.equal(Object.keys(Object.prototype).length, 0, 'Object.prototype gained a property');
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.equal(Object.getPrototypeOf({}), Object.prototype);
  assert.equal(Object.keys(Array.prototype).length, 0, 'Array.prototype gained a property');
}

/** Runs `read` on `mutated` wires and tallies what came out. */
function fuzz(name: string, wires: () => object[], read: (wire: object) => unknown, text: boolean, seed: number): Tally {
  const tally: Tally = { returned: 0, refused: 0, failures: [], slowest: 0 };
  const random = new Random(seed);
  let pool = wires();
  for (let run = 0; run < RUNS; run++) {
    if (pool.length === 0) pool = wires();
    const wire = pool.pop() as object;
    const steps = mutate(wire, random, 1 + random.below(3), text);
    if (process.env.FUZZ_TRACE !== undefined) process.stderr.write(`${name} ${String(run)} ${steps.join(', ')}\n`);
    if (process.env.FUZZ_DUMP === `${name}:${String(run)}`) {
      process.stderr.write(inspect(wire, { depth: 8, maxArrayLength: 20 }) + '\n');
      process.exit(0);
    }
    const started = performance.now();
    let outcome: string | undefined;
    try {
      const value = read(wire);
      tally.returned++;
      for (const object of reachable(value)) {
        const proto: unknown = Object.getPrototypeOf(object);
        if ((proto === Probe.prototype || proto === Holder.prototype) && !made.has(object)) outcome = 'a registered class was built without its fromSerialisable';
      }
    } catch (error) {
      if (error instanceof CelerityError) tally.refused++;
      else outcome = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
    }
    const took = performance.now() - started;
    tally.slowest = Math.max(tally.slowest, took);
    if (took > HANG_MS) outcome = `took ${took.toFixed(0)} ms`;
    if (misfed.length > 0) outcome = misfed.splice(0).join('; ');
    if (Object.keys(Object.prototype).length > 0 || Object.keys(Array.prototype).length > 0) {
      outcome = `polluted: ${[...Object.keys(Object.prototype), ...Object.keys(Array.prototype)].join(', ')}`;
      for (const key of Object.keys(Object.prototype)) Reflect.deleteProperty(Object.prototype, key);
      for (const key of Object.keys(Array.prototype)) Reflect.deleteProperty(Array.prototype, key);
    }
    if (outcome !== undefined && tally.failures.length < 8) tally.failures.push(`${name} run ${String(run)} (${steps.join(', ')}): ${outcome}`);
    else if (outcome !== undefined) tally.failures.push('');
  }
  return tally;
}

/** Whether `root` leads back to itself anywhere (JSON text cannot hold that). Iterative. */
function isCyclic(root: unknown): boolean {
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: [unknown, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [node, leaving] = stack.pop() as [unknown, boolean];
    if (typeof node !== 'object' || node === null) continue;
    if (leaving) {
      onPath.delete(node);
      done.add(node);
      continue;
    }
    if (onPath.has(node)) return true;
    if (done.has(node)) continue;
    onPath.add(node);
    stack.push([node, true]);
    for (const key of Object.keys(node)) stack.push([Object.getOwnPropertyDescriptor(node, key)?.value, false]);
  }
  return false;
}

/** The wire as JSON text; swaps may have made it cyclic, which text cannot be: then `undefined`. */
function textOf(wire: object): string | undefined {
  return isCyclic(wire) ? undefined : JSON.stringify(wire);
}

function report(tally: Tally): void {
  const shown = tally.failures.filter((line) => line !== '');
  assert.equal(tally.failures.length, 0, `${String(tally.failures.length)} of ${String(RUNS)} mutated wires misbehaved; the first:\n${shown.join('\n')}`);
  assertUntouchedPrototypes();
  // A fuzz that only ever refused would test little: some mutations must still decode.
  assert.ok(tally.returned > RUNS / 20, `only ${String(tally.returned)} mutated wires decoded`);
}

// Fresh values for every batch of wires: a mutation must never reach the next batch through them.

await test('decode: mutated wires give a value or a CelerityError, quickly, and pollute nothing', () => {
  report(fuzz('decode', () => corpus().map((value) => structuredClone(encode(value)) as object), (wire) => decode(wire as never), false, 1));
});

await test('deserialize: mutated JSON wires (as objects, cycles included) give a value or a CelerityError, quickly', () => {
  report(fuzz('deserialize', () => corpus().map((value) => serialize(value) as object), (wire) => deserialize(wire), false, 2));
});

await test('parse: mutated JSON text gives a value or a CelerityError, quickly', () => {
  report(fuzz('parse', () => corpus().map((value) => serialize(value) as object), (wire) => {
    const text = textOf(wire);
    return text === undefined ? undefined : parse(text);
  }, true, 3));
});
