/**
 * Fidelity: through the codec (encode, structured clone, decode), every value of the battery in
 * `fidelity-support.ts` arrives as structured clone alone delivers it, and every value structured
 * clone refuses is refused, with a CelerityError.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CelerityError, decode, deserialize, encode, parse, register, serialize, stringify } from 'celerity';
import { accepted, deliberate, difference, jsonGaps, refused } from './fidelity-support.js';

await test('the codec delivers what structured clone delivers, for every value of the battery', () => {
  const failures: string[] = [];
  for (const { name, make } of accepted) {
    const value = make();
    const expected: unknown = structuredClone(value);
    let actual: unknown;
    try {
      actual = decode(structuredClone(encode(value, { strict: false })));
    } catch (error) {
      failures.push(`${name}: threw ${String(error)}`);
      continue;
    }
    const found = difference(actual, expected);
    if (found !== undefined) failures.push(`${name}: ${found}`);
  }
  assert.deepEqual(failures, []);
});

await test('the JSON wire delivers what structured clone delivers, but for the gaps it lists', () => {
  const trips: [string, (value: unknown) => unknown][] = [
    ['text', (value) => parse(stringify(value, { strict: false }))],
    ['wire', (value) => deserialize(structuredClone(serialize(value, { strict: false })))],
  ];
  for (const [how, trip] of trips) {
    const failures: string[] = [];
    const gaps: string[] = [];
    for (const { name, make } of accepted) {
      const value = make();
      const expected: unknown = structuredClone(value);
      let found: string | undefined;
      try {
        found = difference(trip(value), expected);
      } catch (error) {
        found = `threw ${String(error)}`;
      }
      if (found === undefined) continue;
      if (name in jsonGaps) gaps.push(name);
      else failures.push(`${name}: ${found}`);
    }
    assert.deepEqual(failures, [], how);
    assert.deepEqual(gaps.sort(), Object.keys(jsonGaps).sort(), `${how}: the list of gaps is exact`);
  }
});

await test('the codec differs from structured clone only where it means to', () => {
  for (const { name, make, why } of deliberate) {
    const value = make();
    const found = difference(decode(structuredClone(encode(value, { strict: false }))), structuredClone(value));
    assert.ok(found !== undefined, `${name} was to differ (${why}), but did not`);
  }
});

await test('the comparison finds differences in what structured clone keeps', () => {
  const cases: [unknown, unknown][] = [
    [{ a: 1 }, { a: 2 }],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    // eslint-disable-next-line no-sparse-arrays
    [[1, , 3], [1, undefined, 3]],
    [new Map([[1, 2]]), new Map([[2, 1]])],
    [new Uint8Array([1, 2]), new Uint8Array([1, 3])],
    [new Date(1), new Date(2)],
    [new Error('a'), new TypeError('a')],
    [Object.assign(new Error('a'), { cause: 1 }), new Error('a')],
    [-0, 0],
  ];
  const shared = { n: 1 };
  cases.push([[{ n: 1 }, { n: 1 }], [shared, shared]]);
  for (const [actual, expected] of cases) assert.ok(difference(actual, expected) !== undefined, `no difference found between ${String(actual)} and ${String(expected)}`);
  assert.equal(difference(structuredClone([shared, shared]), [shared, shared]), undefined);
});

await test('both wires refuse, with a CelerityError, every value structured clone refuses', () => {
  for (const { name, make } of refused) {
    assert.throws(() => structuredClone(make()), Error, `structured clone accepts ${name}`);
    for (const refuse of [(value: unknown) => encode(value, { strict: false }), (value: unknown) => stringify(value, { strict: false })]) {
      assert.throws(
        () => refuse(make()),
        (error: unknown) => error instanceof CelerityError && error.code === 'ERR_UNCLONEABLE',
        name,
      );
    }
  }
});

class Tally {
  constructor(readonly count: number) {}
  static {
    register(this, { id: 'fidelity.Tally' });
  }
  toSerialisable(): { count: number } {
    return { count: this.count };
  }
  static fromSerialisable(data: { count: number }): Tally {
    return new Tally(data.count);
  }
}

await test('registered instances in the named properties of an array are rebuilt, through both wires', () => {
  const short = Object.assign([new Tally(1)], { best: new Tally(2), label: 'short' });
  const long = Object.assign(Array.from({ length: 100 }, (_, i) => i), { best: new Tally(3) });
  const trips: [string, (value: unknown) => unknown][] = [
    ['codec', (value) => decode(structuredClone(encode(value)))],
    ['text', (value) => parse(stringify(value))],
    ['wire', (value) => deserialize(structuredClone(serialize(value)))],
  ];
  for (const [how, trip] of trips) {
    const [a, b] = trip([short, long]) as [Tally[] & { best: Tally; label: string }, number[] & { best: Tally }];
    assert.ok(a[0] instanceof Tally && a.best instanceof Tally && b.best instanceof Tally, how);
    assert.deepEqual([a[0].count, a.best.count, a.label, b.best.count, b.length, b[99]], [1, 2, 'short', 3, 100, 99], how);
    assert.deepEqual(Object.keys(a), ['0', 'best', 'label'], how);
  }
  // The input is not changed by the copies the encoders make.
  assert.ok(short.best instanceof Tally && short[0] instanceof Tally);
  // An integer-like key from 2³² − 1 up is a name, not an index: written once, as a name.
  const edge = Object.assign([], { '4294967295': /a+/g });
  const text = stringify(edge);
  assert.ok(!text.includes('referentialEqualities'), text);
  const back = parse(text) as unknown[] & Record<string, unknown>;
  assert.ok(back['4294967295'] instanceof RegExp);
  assert.equal(back.length, 0);
  assert.ok((decode(structuredClone(encode(edge))) as Record<string, unknown>)['4294967295'] instanceof RegExp);
});
