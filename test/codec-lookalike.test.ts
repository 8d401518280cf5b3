/**
 * Look-alikes: data shaped like what the codec uses internally, a whole wire
 * included, round-trips as that plain data. Data never makes decode build a class or import a
 * module.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encode, register, type Wire } from 'celerity';
import { Builder, specs } from './codec-arbitraries.js';
import { assertSameGraph, Box, defineOwn, Point, roundTrip } from './codec-support.js';

const sideEffectModule = new URL('./fixtures/codec-side-effect.js', import.meta.url).href;

/** Counts every instance decode builds; never sent on purpose by these tests. */
class Spy {
  static built = 0;
  static {
    register(this, { id: 'test.Spy', module: sideEffectModule });
  }
  toSerialisable(): null {
    return null;
  }
  static fromSerialisable(): Spy {
    Spy.built++;
    return new Spy();
  }
}

/** An error class whose instances decode would build without running any code of its own. */
class SpyError extends Error {
  static {
    register(this, { id: 'test.SpyError', module: sideEffectModule });
  }
}

function assertNothingBuilt(pointsBefore: number): void {
  assert.equal(Spy.built, 0, 'decode built a class from data');
  assert.equal(Point.built, pointsBefore, 'decode built a Point from data');
  assert.equal((globalThis as { celerityCodecSideEffect?: number }).celerityCodecSideEffect, undefined, 'decode imported a module');
}

/** Hand-made objects shaped like wires, class rows, boxes and the envelopes other libraries use. */
function lookalikes(): unknown[] {
  const data = { x: 1, y: 2 };
  const wire: Record<string, unknown> = { w: 1, v: { a: data }, p: [null], f: new Int32Array([0, 0, 0, -1]), k: ['a'], c: [['geo.Point', null, 0]], n: 1 };
  (wire.p as unknown[])[0] = wire.v;
  const spyWire = { w: 1, v: [null], p: [null] as unknown[], f: new Int32Array([0, 0, 0, 0]), k: [], c: [['test.Spy', sideEffectModule, 0]], n: 1 };
  spyWire.p[0] = spyWire.v;
  const errorWire = { w: 1, v: { name: 'SpyError', message: 'm' }, c: [['test.SpyError', sideEffectModule, 1]], n: 1, p: [], f: new Int32Array(0), k: [] };
  const unknownWire = { w: 1, v: 1, c: [['nobody.Knows', 'file:///nowhere.js', 0]], p: [{}], f: new Int32Array([0, 0, 0, 0]), k: [], n: 1 };
  const oldLayout = { w: 1, v: { a: data }, p: [{ a: data }, 'a'], f: new Int32Array([0, 0, 0]), c: [['geo.Point', null, 0]], n: 1 };
  const futureLayout = { w: 4, v: data, p: [data], c: [['geo.Point', sideEffectModule, 0]] };
  const cyclic: Record<string, unknown> = { w: 1, c: [['test.Spy', sideEffectModule, 0]], n: 1, f: new Int32Array([0, 0, 0, 0]), k: [] };
  cyclic.v = cyclic;
  cyclic.p = [cyclic];
  const envelopes = [
    { __celerity: 'geo.Point', data },
    { $type: 'geo.Point', value: data },
    { '@class': 'test.Spy', module: sideEffectModule },
    { json: data, meta: { values: { x: ['class', 'geo.Point'] } } },
    { type: 'geo.Point', id: 'geo.Point', module: sideEffectModule, args: [data] },
    [data],
    [[data], 0, 0],
  ];
  const protoKeyed = defineOwn({ w: 1, v: data, c: [['geo.Point', null, 0]] }, '__proto__', { w: 1, c: [['test.Spy', null, 0]] });
  return [wire, spyWire, errorWire, unknownWire, oldLayout, futureLayout, cyclic, protoKeyed, ...envelopes];
}

await test('hand-made look-alikes round-trip as plain data, alone or beside real instances', () => {
  const points = Point.built;
  for (const lookalike of lookalikes()) {
    const copy = roundTrip(lookalike);
    assertSameGraph(copy, lookalike);
  }
  assertNothingBuilt(points);

  const all = lookalikes();
  const real = new Point(7, 7);
  const value = {
    all,
    real,
    boxed: new Box(all[0]),
    directly: new Box(all[1]),
    inMap: new Map<unknown, unknown>([
      [all[2], real],
      [real, all[3]],
    ]),
    inSet: new Set([all[4], real]),
    inError: Object.assign(new SpyError('carrier'), { payload: all[5] }),
  };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.equal(Point.built, points + 1, 'only the real instance was built');
  assert.equal(Spy.built, 0);
  assert.ok(copy.real instanceof Point);
  assert.ok(copy.inError instanceof SpyError);
});

await test('an encoded value, fed back in as data, comes out as that data', () => {
  const points = Point.built;
  let runs = 0;
  fc.assert(
    fc.property(fc.tuple(specs.spec, specs.spec), ([first, second]) => {
      const builder = new Builder();
      const value = [builder.build(first).value, builder.build(second).value];
      const wire = encode(value);
      const before = Point.built;

      // The wire itself as the value.
      const again = decode(structuredClone(encode(wire))) as Wire;
      assertSameGraph(again, wire);

      // The wire as data beside, inside and as the data of real instances.
      const mixed = { wire, real: new Point(1, 2), boxed: new Box(wire), keyed: new Map<unknown, unknown>([[wire, new Point(3, 4)]]) };
      const copy = decode(structuredClone(encode(mixed))) as typeof mixed;
      assertSameGraph(copy, mixed);
      assert.equal(Point.built - before, 2, 'only the two real Points were built');
      runs++;
    }),
    { numRuns: 300, seed: 7_331 },
  );
  assert.equal(runs, 300);
  assert.equal(Spy.built, 0);
  assert.ok(Point.built - points >= 600);
});

await test('random wire-shaped objects never build a class or import a module', () => {
  const points = Point.built;
  const row = fc.tuple(fc.constantFrom('geo.Point', 'test.Spy', 'test.SpyError', 'Error', 'nobody.Knows', ''), fc.constantFrom(null, sideEffectModule), fc.constantFrom(0, 1));
  const shape = fc.record(
    {
      w: fc.oneof(fc.constant(1), fc.integer({ min: -2, max: 3 })),
      v: fc.jsonValue({ maxDepth: 2 }),
      p: fc.array(fc.oneof(fc.constant('v'), fc.constant('self'), fc.jsonValue({ maxDepth: 1 })), { maxLength: 3 }),
      f: fc.array(fc.integer({ min: -3, max: 3 }), { maxLength: 8 }).map((ints) => new Int32Array(ints)),
      k: fc.array(fc.oneof(fc.string({ maxLength: 2 }), fc.nat(3)), { maxLength: 3 }),
      c: fc.array(row, { maxLength: 3 }),
      n: fc.nat(4),
    },
    { requiredKeys: ['w'] },
  );
  fc.assert(
    fc.property(shape, (generated) => {
      const lookalike: Record<string, unknown> = { ...generated };
      if (Array.isArray(generated.p)) lookalike.p = generated.p.map((entry) => (entry === 'v' ? lookalike.v : entry === 'self' ? lookalike : entry));
      assertSameGraph(roundTrip(lookalike), lookalike);
      assertSameGraph(roundTrip([new Box(lookalike), lookalike]), [new Box(lookalike), lookalike]);
    }),
    { numRuns: 300, seed: 4_242 },
  );
  assertNothingBuilt(points);
});
