/**
 * Instance data that is a plain object travels as a row: its values in a flat list, its keys once
 * per wire. These tests check that a row decodes to exactly what `toSerialisable()` returned
 * (keys, order, odd keys, nested instances), that shapes are shared, and that an object a row
 * would lose the identity of is sent whole instead.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decode, encode, register } from 'celerity';
import { assertSameGraph, defineOwn, ownValue, Point, roundTrip, throwsCelerity } from './codec-support.js';

/**
 * A wire's first few instances always travel as objects (rows only pay off for many): `padded`
 * puts enough of those ahead of `value` that the instances in `value` travel as rows.
 */
function padded<T>(value: T): [Point[], T] {
  return [Array.from({ length: 32 }, (_, i) => new Point(i, i)), value];
}

/** Round-trips `value` with its instances sent as rows. */
function roundTripRows<T>(value: T): T {
  return roundTrip(padded(value))[1];
}

/** A class whose data is a fresh copy of whatever record it holds, so rows of any shape can be made. */
class Bag {
  static received: object[] = [];
  static {
    register(this, { id: 'test.rows.Bag' });
  }
  constructor(readonly record: Record<string, unknown>) {}
  toSerialisable(): Record<string, unknown> {
    const data: Record<string, unknown> = {};
    for (const key of Object.keys(this.record)) defineOwn(data, key, this.record[key]);
    return data;
  }
  static fromSerialisable(data: Record<string, unknown>): Bag {
    Bag.received.push(data);
    return new Bag(data);
  }
}

await test('a row decodes to the same keys, in the same order, on a plain object', () => {
  const odd = defineOwn({ constructor: 'c', prototype: 'p', 2: 'two', 10: 'ten', 'a b': 1, '"quoted"': 2, '\u2028': 3, '': 4 }, '__proto__', { polluted: true });
  const many: Record<string, number> = {};
  for (let i = 0; i < 300; i++) many[`k${String(i)}`] = i;
  const records = [{}, { x: 1, y: 2 }, { y: 2, x: 1 }, { x: 1 }, odd, many, { when: new Date(5), big: 7n, bytes: new Uint8Array([1, 2]), list: [1, [2]], map: new Map([[1, 2]]) }];
  Bag.received = [];
  const copy = roundTripRows(records.map((r) => new Bag(r)));
  assert.equal(Bag.received.length, records.length);
  records.forEach((record, i) => {
    const data = Bag.received[i] as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(data), Object.prototype);
    assert.deepEqual(Reflect.ownKeys(data), Reflect.ownKeys(record), `keys of record ${String(i)}`);
    assertSameGraph(copy[i]?.record, record);
  });
  assert.deepEqual(ownValue(Bag.received[4] as object, '__proto__'), { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was touched');
});

await test('instances of one class share a shape, and a changed key list gets its own', () => {
  const points = Array.from({ length: 100 }, (_, i) => new Point(i, -i));
  const wire = encode(points);
  assert.deepEqual(wire.s, [['x', 'y']]);
  const rows = (wire.r ?? []).filter((_, i) => i % 2 === 0 && wire.r?.[i] === 0).length;
  assert.ok(rows >= 50, 'most points travel as rows');
  assert.equal(wire.d?.length, rows * 2);
  const mixed = encode(padded([new Bag({ a: 1 }), new Bag({ a: 1, b: 2 }), new Bag({ a: 3 }), new Bag({ b: 2, a: 1 })]));
  assert.deepEqual(mixed.s, [['x', 'y'], ['a'], ['a', 'b'], ['b', 'a']]);
  const copy = (decode(structuredClone(mixed)) as [Point[], Bag[]])[1];
  assert.deepEqual(
    copy.map((b) => b.record),
    [{ a: 1 }, { a: 1, b: 2 }, { a: 3 }, { b: 2, a: 1 }],
  );
});

await test('rows hold instances, rows and shared instances at any depth', () => {
  const shared = new Point(1, 1);
  const inner = new Bag({ p: shared, again: shared, list: [shared, new Point(2, 2)] });
  const outer = new Bag({ inner, shared, deep: { bag: new Bag({ shared }) }, set: new Set([inner]) });
  const value = { outer, shared, inner };
  const copy = roundTripRows(value);
  assertSameGraph(copy, value);
  assert.equal(copy.outer.record.inner, copy.inner);
  assert.equal(copy.inner.record.p, copy.shared);
});

await test('data objects that are also reached elsewhere stay one object', () => {
  const record = { n: 1 };
  class Holder {
    static {
      register(this, { id: 'test.rows.Holder' });
    }
    constructor(readonly data: { n: number }) {}
    toSerialisable(): { n: number } {
      return this.data;
    }
    static fromSerialisable(data: { n: number }): Holder {
      return new Holder(data);
    }
  }
  const cases: [string, unknown][] = [
    ['two instances, one data object', [new Holder(record), new Holder(record)]],
    ['data object walked before', [record, new Holder(record)]],
    ['data object walked after', [new Holder(record), record]],
    ['data object inside another row', [new Bag({ record }), new Holder(record)]],
    ['data object as a Map key', [new Holder(record), new Map([[record, 1]])]],
  ];
  for (const [name, value] of cases) {
    const copy = roundTripRows(value);
    assert.doesNotThrow(() => {
      assertSameGraph(copy, value);
    }, name);
  }
});

await test('null-prototype data, and data that is an array or another instance, are not rows and still round-trip', () => {
  class Odd {
    static {
      register(this, { id: 'test.rows.Odd' });
    }
    constructor(readonly data: unknown) {}
    toSerialisable(): unknown {
      return this.data;
    }
    static fromSerialisable(data: unknown): Odd {
      return new Odd(data);
    }
  }
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: new Point(1, 2) });
  const value = [new Odd(bare), new Odd([new Point(3, 4)]), new Odd(new Point(5, 6)), new Odd(7)];
  const copy = roundTripRows(value);
  assertSameGraph(copy, value);
  assert.equal(Object.getPrototypeOf(copy[0]?.data), null);
});

await test('rows decode where code generation from strings is disallowed', async () => {
  const script = fileURLToPath(new URL('fixtures/rows-without-codegen.js', import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, ['--disallow-code-generation-from-strings', script], { timeout: 20_000 });
  assert.deepEqual(JSON.parse(stdout), { rows: 3, classes: true, data: [{ at: 1, level: 2.5 }, { at: 2, level: 3, note: 'x' }] });
});

/** Data that is a plain object (so a row), and a fromSerialisable() that always throws. */
class Brittle {
  static {
    register(this, { id: 'test.rows.Brittle' });
  }
  toSerialisable(): { n: number } {
    return { n: 1 };
  }
  static fromSerialisable(): Brittle {
    throw new Error('cannot rebuild');
  }
}

await test('ERR_FROM_SERIALISABLE names the path of an instance in a row, as a row, or inside a row', () => {
  const cases: [unknown, string][] = [
    [{ brittle: new Brittle() }, 'value[1].brittle'],
    [new Bag({ inner: new Brittle() }), 'value[1].inner'],
    [[new Bag({ list: [1, new Brittle()] })], 'value[1][0].list[1]'],
    [new Bag({ deep: new Bag({ map: new Map([['k', new Brittle()]]) }) }), 'value[1].deep.map.get("k")'],
  ];
  for (const [value, path] of cases) {
    const wire = structuredClone(encode(padded(value)));
    throwsCelerity(() => decode(wire), { code: 'ERR_FROM_SERIALISABLE', path, classId: 'test.rows.Brittle', message: /cannot rebuild/ });
  }
});
