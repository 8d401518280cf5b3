/**
 * Interop with stock superjson, both ways, on a corpus of the values superjson's own test suite
 * covers (objects, arrays, Maps, Sets, identity and cycles, dotted keys, dates, errors, regular
 * expressions, special numbers, bigint, undefined, typed arrays, URLs, custom and registered
 * classes, null prototypes, a large mixed schema): superjson reads what `stringify` writes and
 * gets what its own round trip gives; `parse` reads what superjson writes and gets the same.
 * Beyond the corpus, superjson never fails on anything `stringify` writes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import SuperJSON from 'superjson';
import { parse, register, stringify, type Serialisable } from 'celerity';
import { Point, assertSameShape } from './json-support.js';
import { accepted } from './fidelity-support.js';
import { Builder, specs } from './codec-arbitraries.js';
import { Box, Line, Point as CodecPoint } from './codec-support.js';

/** A class superjson knows by `registerClass` (its own properties are its data) and celerity by `register`. */
class Account {
  static {
    register(this, { id: 'test.interop.Account' });
  }
  constructor(
    readonly owner: string,
    readonly balance: number,
  ) {}
  toSerialisable(): { owner: string; balance: number } {
    return { owner: this.owner, balance: this.balance };
  }
  static fromSerialisable(data: { owner: string; balance: number }): Account {
    return new Account(data.owner, data.balance);
  }
}

/**
 * superjson as an app that shares classes with celerity would set it up: Point by `registerCustom`,
 * Account by `registerClass`. celerity writes every class as superjson's custom values (its data
 * is what `toSerialisable()` returns), so an app reading celerity's text also registers Account
 * with `registerCustom` under the same id (`readsCelerity`); superjson still writes it by
 * `registerClass`, which wins when both apply.
 */
function configuredSuperJson(readsCelerity = false): SuperJSON {
  const sj = new SuperJSON();
  sj.registerCustom<Point, { x: number; y: number }>(
    { isApplicable: (v): v is Point => v instanceof Point, serialize: (v) => v.toSerialisable(), deserialize: (d) => Point.fromSerialisable(d) },
    'test.json.Point',
  );
  sj.registerClass(Account, 'test.interop.Account');
  if (readsCelerity) {
    sj.registerCustom<Account, { owner: string; balance: number }>(
      { isApplicable: (v): v is Account => v instanceof Account, serialize: (v) => v.toSerialisable(), deserialize: (d) => Account.fromSerialisable(d) },
      'test.interop.Account',
    );
  }
  return sj;
}

function sharedObjects(): Record<string, unknown> {
  const user = { name: 'ada', joined: new Date(1) };
  return { owner: user, editors: [user, { name: 'bob' }], byName: new Map([['ada', user]]) };
}

/** The corpus: a name and a factory for each case (fresh values each time). */
const corpus: readonly (readonly [string, () => unknown])[] = [
  ['plain object', () => ({ a: 1, b: 'two', c: true, d: null, e: { f: [1, 2, { g: 'h' }] } })],
  ['object with array-like keys', () => ({ '0': 'a', '1': 'b', length: 2 })],
  ['arrays', () => [1, [2, [3, new Date(4)]], [], 'x']],
  ['Set', () => ({ tags: new Set(['a', 1, new Date(2), undefined, 3n]) })],
  ['Set at the root', () => new Set([1, 'two', { three: 3 }])],
  ['Map', () => ({ m: new Map<unknown, unknown>([['a', 1], [2, new Date(3)], [{ k: 1 }, new Set([4])]]) })],
  ['identity kept', () => sharedObjects()],
  ['keys with dots', () => ({ 'a.b': new Date(1), 'c.d.e': { 'f.g': 1n } })],
  ['keys with backslashes', () => ({ 'a\\b': new Date(1), 'c\\.d': undefined, '\\': NaN })],
  ['dates', () => ({ epoch: new Date(0), later: new Date(1_700_000_000_000), list: [new Date(-1)] })],
  ['Error', () => ({ failure: new Error('it broke') })],
  ['Error with a cause', () => new Error('outer', { cause: new Error('inner', { cause: new Date(5) }) })],
  ['TypeError and RangeError', () => [new TypeError('t'), new RangeError('r')]],
  ['regular expressions', () => ({ r: /a.b/gi, s: [/x/, /[\\/]/u] })],
  ['Infinity', () => ({ a: Infinity, b: [Infinity] })],
  ['-Infinity', () => ({ a: -Infinity })],
  ['NaN', () => [NaN, { n: NaN }]],
  ['negative zero', () => ({ z: -0, list: [0, -0] })],
  ['bigint', () => ({ big: 2n ** 80n, small: -1n })],
  ['bigint nested in a Map', () => new Map([['k', { n: 7n }]])],
  ['undefined in objects and arrays', () => ({ a: undefined, b: [undefined, 1] })],
  ['undefined at the root', () => undefined],
  ['self-referencing object', () => {
    const node: Record<string, unknown> = { name: 'loop' };
    node.self = node;
    return node;
  }],
  ['cycle through an array', () => {
    const list: unknown[] = [1];
    list.push({ back: list });
    return list;
  }],
  ['cycle through a Map value', () => {
    const map = new Map<string, unknown>();
    map.set('me', map);
    return { map };
  }],
  ['Map keys that write alike but are distinct', () => new Map([[{ id: 1 }, 'a'], [{ id: 1 }, 'b']])],
  ['Map key shared with another field', () => {
    const key = { id: 1 };
    return { key, map: new Map([[key, 'value']]) };
  }],
  ['one Map in two places', () => {
    const map = new Map([['a', new Date(1)]]);
    return { first: map, second: map };
  }],
  ['Map with keys of every kind', () => new Map<unknown, unknown>([[1, 'number'], ['1', 'string'], [new Date(1), 'date'], [undefined, 'undefined'], [2n, 'bigint']])],
  ['shared objects inside a Set', () => {
    const member = { m: 1 };
    return { set: new Set([member, { m: 2 }]), again: member };
  }],
  ['shared objects across Maps and Sets', () => {
    const a = { a: 1 };
    const b = { b: 2 };
    return [new Map([[a, b]]), new Set([b, a]), new Map([['x', a]]), b];
  }],
  ['a custom class (registerCustom)', () => ({ where: new Point(1, 2), path: [new Point(3, 4), new Point(5, 6)] })],
  ['a registered class (registerClass)', () => ({ account: new Account('ada', 10), more: [new Account('bob', -1)] })],
  ['classes nested in containers', () => new Map([['p', [{ at: new Point(7, 8) }]]])],
  ['the same instance twice', () => {
    const p = new Point(1, 1);
    return [p, { again: p }];
  }],
  ['typed arrays', () => ({ bytes: new Uint8Array([0, 1, 255]), ints: new Int32Array([-5, 7]), floats: new Float64Array([1.5, -2.25]), clamped: new Uint8ClampedArray([9]), halves: new Float32Array([0.5]) })],
  ['one typed array in two places', () => {
    const shared = new Uint16Array([1, 2, 3]);
    return { shared, again: shared };
  }],
  ['URL', () => ({ home: new URL('https://example.com/a?b=c#d'), list: [new URL('file:///tmp/x')] })],
  ['a null-prototype object', () => Object.assign(Object.create(null) as object, { a: 1, d: new Date(2) })],
  ['empty containers', () => ({ o: {}, a: [], m: new Map(), s: new Set(), e: '' })],
  ['unicode keys and strings', () => ({ 'ключ': 'значение', '🔑': '✓', '': 'empty key' })],
  ['deep nesting', () => {
    let value: unknown = new Date(9);
    for (let i = 0; i < 60; i++) value = i % 2 === 0 ? { next: value } : [value];
    return value;
  }],
  ['the top-most parent of shared objects', () => {
    const inner = { leaf: new Date(3) };
    const outer = { inner };
    return { a: outer, b: outer, c: inner };
  }],
  ['many references to one object', () => {
    const one = { v: 1 };
    return Array.from({ length: 50 }, (_, i) => (i % 3 === 0 ? one : { i }));
  }],
  ['a large mixed schema', () => {
    const team = { name: 'core', since: new Date(0) };
    return {
      users: Array.from({ length: 200 }, (_, i) => ({
        id: i,
        name: `user ${i}`,
        joined: new Date(i * 1000),
        roles: new Set(i % 2 === 0 ? ['admin'] : ['user', 'guest']),
        prefs: new Map<string, unknown>([['theme', i % 3 === 0 ? 'dark' : undefined], ['big', BigInt(i)]]),
        team: i % 10 === 0 ? team : { name: `team ${i}` },
        score: i % 7 === 0 ? NaN : i / 3,
      })),
    };
  }],
];

/**
 * Errors' stacks set aside (superjson does not write them, celerity does: a reader of ours gets
 * more), and the own `cause: undefined` superjson's reader gives an error that had none.
 */
function dropStacks(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  if (value instanceof Error) {
    Object.defineProperty(value, 'stack', { value: undefined, writable: true, configurable: true });
    if (Object.hasOwn(value, 'cause') && value.cause === undefined) Reflect.deleteProperty(value, 'cause');
    dropStacks(value.cause, seen);
  }
  const children = value instanceof Map ? [...value].flat() : value instanceof Set ? [...value] : ArrayBuffer.isView(value) ? [] : Object.values(value);
  for (const child of children) dropStacks(child, seen);
  return value;
}

/** Puts the members of every Set in a canonical order (superjson moves the members it restores to the end). */
function sortSets(value: unknown, seen = new Set<object>()): unknown {
  if (typeof value !== 'object' || value === null || seen.has(value)) return value;
  seen.add(value);
  const children = value instanceof Map ? [...value].flat() : value instanceof Set ? [...value] : ArrayBuffer.isView(value) ? [] : Object.values(value);
  for (const child of children) sortSets(child, seen);
  if (value instanceof Set) {
    const members = [...value].sort((x, y) => inspect(x).localeCompare(inspect(y)));
    value.clear();
    for (const member of members) value.add(member);
  }
  return value;
}

/**
 * Asserts that `actual` is what superjson's own round trip gave (`own`), or, where that trip lost
 * something, the original itself (up to the order of Set members); says which.
 */
function alike(actual: unknown, own: unknown, original: unknown, name: string): 'same' | 'better' {
  try {
    assertSameShape(dropStacks(actual), dropStacks(own), name);
    return 'same';
  } catch {
    assertSameShape(sortSets(dropStacks(actual)), sortSets(dropStacks(original)), name);
    return 'better';
  }
}

await test(`stock superjson reads what stringify writes and gets what its own round trip gives (${corpus.length} cases)`, () => {
  const sj = configuredSuperJson(true);
  const better: string[] = [];
  for (const [name, make] of corpus) {
    const own = sj.parse(sj.stringify(make()));
    let ours: unknown;
    assert.doesNotThrow(() => {
      ours = sj.parse(stringify(make()));
    }, name);
    if (alike(ours, own, make(), name) === 'better') better.push(name);
  }
  // Where superjson's own trip loses identity: it restores shared objects from their shortest path,
  // and moves each Set member it restores to the end of the Set, which shifts the positions its
  // later entries name. Ours lists them from their first place, in the order they were met.
  assert.deepEqual(better, ['shared objects inside a Set', 'shared objects across Maps and Sets']);
});

await test(`parse reads what stock superjson writes and gets what superjson's own round trip gives (${corpus.length} cases)`, () => {
  const sj = configuredSuperJson();
  const better: string[] = [];
  for (const [name, make] of corpus) {
    const own = sj.parse(sj.stringify(make()));
    if (alike(parse(sj.stringify(make())), own, make(), name) === 'better') better.push(name);
  }
  // superjson's own trip gives every error an own cause (undefined when it had none), and a
  // null-prototype object a prototype.
  assert.deepEqual(better, []);
});

await test('where superjson has a form, celerity writes nothing superjson cannot read: each of the corpus needs no ext field', () => {
  const needsExt = corpus.filter(([, make]) => (JSON.parse(stringify(make())) as { ext?: unknown }).ext !== undefined).map(([name]) => name);
  // A null prototype is the one thing of the corpus superjson has no form for (it reads it as a plain object).
  assert.deepEqual(needsExt, ['a null-prototype object']);
});

await test('stock superjson never fails on what stringify writes: the fidelity battery and random values', () => {
  const sj = configuredSuperJson(true);
  for (const { name, make } of accepted) {
    let text: string;
    try {
      text = stringify(make(), { strict: false });
    } catch {
      continue; // a JSON gap, listed by the fidelity tests
    }
    assert.doesNotThrow(() => sj.parse(text), name);
  }
  // Random values of every kind the codec's property tests build. Whether superjson can write one
  // (and read it back itself) is asked of a superjson with their classes registered as a user would, the data of each
  // serialised by superjson in turn (so that it walks the data, and refuses what it refuses there,
  // such as a "__proto__" key: it could read no path through one either). The reader builds a
  // record of the id and data.
  const writer = new SuperJSON();
  for (const [id, cls] of [['geo.Point', CodecPoint], ['geo.Line', Line], ['test.Box', Box]] as const) {
    writer.registerCustom<Serialisable, null>(
      { isApplicable: (v): v is Serialisable => v instanceof cls, serialize: (v) => writer.serialize(v.toSerialisable()) as unknown as null, deserialize: (data) => data as unknown as Serialisable },
      id,
    );
    sj.registerCustom<Serialisable, null>({ isApplicable: (_v): _v is Serialisable => false, serialize: () => null, deserialize: (data) => ({ id, data }) as unknown as Serialisable }, id);
  }
  fc.assert(
    fc.property(specs.spec, (spec) => {
      const value = new Builder().build(spec).value;
      try {
        // Its own round trip: superjson fails to read some of what it writes itself (a Set that
        // holds itself before other shared objects: it moves Set members as it restores them).
        writer.parse(writer.stringify(value));
      } catch {
        return; // superjson cannot make this trip itself (it refuses a key such as "__proto__", for one)
      }
      sj.parse(stringify(value));
    }),
    { numRuns: 1_000, seed: 20_261_203 },
  );
});
