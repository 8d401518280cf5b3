/**
 * The JSON wire: stringify / parse and serialize / deserialize round trips of
 * every kind of value the codec carries, the versioned envelope, superjson compatibility, and
 * every failure with its code and path.
 */
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { test } from 'node:test';
import SuperJSON from 'superjson';
import { CelerityError, RemoteError, deserialize, jsonRoundTrip, parse, register, serialize, stringify, type JsonWire } from 'celerity';
import { Box, Point, RouteError, Segment, assertSameShape, throwsCelerity } from './json-support.js';

/** The trip a value makes through text. */
function trip<T>(value: T): T {
  return parse(stringify(value)) as T;
}

/** Round-trips `value` and checks the copy structurally (prototypes, identity). */
function same(value: unknown): unknown {
  const copy = trip(value);
  assertSameShape(copy, value);
  return copy;
}

await test('the text is a versioned envelope around superjson json/meta', () => {
  const text = stringify({ at: new Date(0) });
  assert.ok(text.startsWith('{"celerity":2,"json":'));
  const wire = JSON.parse(text) as JsonWire;
  assert.deepEqual(wire, { celerity: 2, json: { at: '1970-01-01T00:00:00.000Z' }, meta: { values: { at: ['Date'] }, v: 1 } });
  assert.equal(stringify([1, 'a', null, true]), '{"celerity":2,"json":[1,"a",null,true]}');
  // What superjson has no form for rides in "ext", beside superjson's meta.
  const shared = { n: 1 };
  const holes: number[] = [1];
  holes[2] = 3;
  const mixed = JSON.parse(stringify({ a: shared, b: shared, holes, at: new Date(0) })) as JsonWire;
  assert.deepEqual(mixed, {
    celerity: 2,
    json: { a: { n: 1 }, b: null, holes: [1, null, 3], at: '1970-01-01T00:00:00.000Z' },
    meta: { values: { at: ['Date'] }, referentialEqualities: { a: ['b'] }, v: 1 },
    ext: { types: [[['hole'], 'holes', 1]] },
  });
});

await test('texts of format version 1 (as stored by earlier versions) are still read', () => {
  const v1 = [
    // a Date, a registered class with a Date inside, a hole, a null-prototype object
    '{"celerity":1,"json":[{"x":1,"y":2},"1970-01-01T00:00:00.000Z",null,{"k":1}],"meta":{"values":{"0":[["custom","test.json.Point"]],"1":["Date"],"2":[["celerity","hole"]],"3":[["celerity","null"]]},"v":1}}',
    // a shared object and a cycle, listed in meta.defs
    '{"celerity":1,"json":{"a":{"n":1},"b":0,"self":1},"meta":{"values":{"b":[["celerity","ref"]],"self":[["celerity","ref"]]},"defs":[[0,"a"],[0]],"v":1}}',
    // an error with a cause and a property; a typed array in base64
    '{"celerity":1,"json":[{"name":"TypeError","message":"m","hasCause":1,"cause":"c","props":{"code":"E"}},"AQID"],"meta":{"values":{"0":[["celerity","error","TypeError"]],"1":[["celerity","view","Uint8Array"]]},"v":1}}',
  ];
  const [values, refs, errors] = v1.map((text) => parse(text)) as [unknown[], Record<string, unknown>, unknown[]];
  assert.ok(values[0] instanceof Point && values[1] instanceof Date && !(2 in values) && Object.getPrototypeOf(values[3]) === null);
  assert.ok(refs.b === refs.a && refs.self === refs);
  const error = errors[0] as TypeError & { code: string };
  assert.ok(error instanceof TypeError && error.message === 'm' && error.cause === 'c' && error.code === 'E');
  assert.deepEqual(errors[1], new Uint8Array([1, 2, 3]));
  throwsCelerity(() => parse('{"celerity":1,"json":1,"ext":{}}'), { code: 'ERR_BAD_JSON', message: /version 1 wire with an "ext"/ });
});

await test('primitives JSON cannot hold survive: undefined, NaN, -0, ±Infinity, BigInt', () => {
  for (const value of [undefined, NaN, -0, Infinity, -Infinity, 0, 1.5, 2n ** 70n, -3n, '', 'x', null, true, false]) {
    assert.ok(Object.is(trip(value), value), String(value));
  }
  same({ a: undefined, b: [undefined, NaN, -0], c: 10n, d: -Infinity });
  assert.ok(Object.hasOwn(trip({ a: undefined }), 'a'));
});

await test('Date (valid, invalid, far years) and RegExp survive', () => {
  same([new Date(0), new Date(NaN), new Date(-62_198_755_200_000), new Date(8.64e15), new Date(1_700_000_000_123)]);
  same([/a.b/gi, /[/\\]+/u, new RegExp('^x$', 'ms')]);
});

await test('Map and Set survive, in order, with instance keys and members', () => {
  const p = new Point(1, 2);
  const value = new Map<unknown, unknown>([
    [p, 'point'],
    ['k', new Set([p, 1n, new Date(5)])],
    [{ plain: true }, undefined],
    [NaN, -0],
  ]);
  const copy = same(value) as Map<unknown, unknown>;
  const keys = [...copy.keys()];
  assert.ok(keys[0] instanceof Point);
  assert.ok([...(copy.get('k') as Set<unknown>)][0] === keys[0], 'the shared Point is one object');
});

await test('registered classes survive at any depth, and inside class data', () => {
  const segment = new Segment(new Point(0, 0), new Point(3, 4), new Date(7));
  const copy = same({ deep: [[{ segment }]], box: new Box(new Box(segment)) }) as { deep: { segment: Segment }[][] };
  const got = copy.deep[0]?.[0]?.segment;
  assert.ok(got instanceof Segment && got.to instanceof Point && got.at instanceof Date);
});

await test('class data of any kind survives: boxed and unboxed', () => {
  same([
    new Box(7),
    new Box('text'),
    new Box(null),
    new Box(undefined),
    new Box(12n),
    new Box(NaN),
    new Box(new Map([[1, 2]])),
    new Box(new Set(['a'])),
    new Box(new Date(3)),
    new Box(new Point(1, 1)),
    new Box([1, [2]]),
    new Box(Object.create(null)),
    new Box(new Uint16Array([1, 2])),
  ]);
});

await test('typed arrays of every kind, ArrayBuffer, DataView and SharedArrayBuffer survive', () => {
  const views = [
    new Int8Array([-1, 2]),
    new Uint8Array([255, 0]),
    new Uint8ClampedArray([9]),
    new Int16Array([-300]),
    new Uint16Array([65535]),
    new Int32Array([-(2 ** 31)]),
    new Uint32Array([2 ** 32 - 1]),
    new Float32Array([1.5, NaN]),
    new Float64Array([NaN, -0, Infinity, Math.PI]),
    new BigInt64Array([-(2n ** 63n), 5n]),
    new BigUint64Array([2n ** 64n - 1n]),
    new DataView(new Uint8Array([1, 2, 3]).buffer),
    new Uint8Array(0),
  ];
  same(views);
  same([new Uint8Array([1, 2, 3, 4]).buffer, new SharedArrayBuffer(4)]);
  const shared = new Int32Array(new SharedArrayBuffer(8));
  shared[1] = 42;
  const copy = trip(shared);
  assert.ok(copy.buffer instanceof SharedArrayBuffer);
  assert.equal(copy[1], 42);
});

await test("typedArrays: 'base64' writes bytes instead of lists of numbers, and both read back", () => {
  const values = [new Uint8Array([0, 1, 255]), new Float64Array([1.5, 2]), new Int32Array([-7]), new Uint8Array(0)];
  const lists = JSON.parse(stringify(values)) as { json: unknown[] };
  const bytes = JSON.parse(stringify(values, { typedArrays: 'base64' })) as { json: unknown[] };
  assert.deepEqual(lists.json[0], [0, 1, 255]);
  assert.equal(bytes.json[0], 'AAH/');
  assert.deepEqual(parse(stringify(values, { typedArrays: 'base64' })), values);
  assert.deepEqual(parse(stringify(values, { typedArrays: 'numbers' })), values);
  for (const typedArrays of ['hex', null, true]) {
    assert.throws(
      () => stringify(values, { typedArrays: typedArrays as 'base64' }),
      (error: unknown) => error instanceof CelerityError && error.code === 'ERR_INVALID_OPTION' && error.message.includes("'numbers' or 'base64'"),
    );
  }
});

await test('views over one buffer keep sharing it; a view over part of a buffer sends only its part', () => {
  const buffer = new ArrayBuffer(8);
  const whole = new Uint8Array(buffer);
  const words = new Uint32Array(buffer, 4, 1);
  whole[4] = 7;
  const copy = same([whole, words, buffer, new DataView(buffer, 2, 2)]) as [Uint8Array, Uint32Array, ArrayBuffer, DataView];
  assert.equal(copy[1].buffer, copy[0].buffer);
  assert.equal(copy[2], copy[0].buffer);
  assert.equal(copy[3].buffer, copy[2]);
  assert.equal(copy[1].byteOffset, 4);
  copy[0][4] = 9;
  assert.equal(copy[1][0], 9, 'the views share memory');

  // A Node Buffer is a view into a shared pool: only its own bytes go into the text.
  const small = Buffer.from('hi');
  assert.ok(small.buffer.byteLength > 2);
  const text = stringify(small);
  assert.ok(text.length < 120, text);
  const back = parse(text) as Uint8Array;
  assert.equal(Object.getPrototypeOf(back), Uint8Array.prototype);
  assert.deepEqual([...back], [104, 105]);
  same(new Float64Array([1, 2, 3, 4]).subarray(1, 3));
});

await test('shared references and cycles through objects, arrays, Maps and Sets survive', () => {
  const shared = { n: 1 };
  same({ a: shared, b: [shared, shared], c: new Map([[shared, shared]]), d: new Set([shared]) });

  const object: Record<string, unknown> = { name: 'self' };
  object.self = object;
  const array: unknown[] = [1];
  array.push(array, object);
  const map = new Map<unknown, unknown>();
  map.set(map, map);
  map.set('object', object);
  const set = new Set<unknown>();
  set.add(set);
  set.add(array);
  object.all = [map, set];
  const copy = same({ object, array, map, set }) as { map: Map<unknown, unknown>; set: Set<unknown> };
  assert.equal(copy.map.get(copy.map), copy.map);
  assert.ok(copy.set.has(copy.set));
  same(array);
  same(map);
  same(set);
});

await test('a shared instance is rebuilt once and keeps its identity', () => {
  const p = new Point(1, 2);
  const before = Point.built;
  const copy = same({ a: p, b: [p], c: new Segment(p, p, new Date(0)), d: new Map([[p, p]]) }) as { a: Point; c: Segment };
  assert.equal(Point.built - before, 1);
  assert.equal(copy.c.from, copy.a);
});

await test('objects shared between class data and the rest of the value stay shared', () => {
  const list = [1, 2, 3];
  const date = new Date(9);
  same({ box: new Box(list), list, again: new Box(list), dates: [date, new Segment(new Point(0, 0), new Point(1, 1), date)] });
  const inner = { x: 1 };
  same([new Box({ inner }), inner, new Box(new Box(inner))]);
});

await test('null-prototype objects, sparse arrays and wrapper objects survive', () => {
  const bare = Object.create(null) as Record<string, unknown>;
  bare.a = new Date(1);
  bare.__proto__ = 'data';
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 3, undefined];
  same({ bare, sparse, wrappers: [new Number(-0), new String('s'), new Boolean(false), Object(5n) as object] });
});

await test('keys such as constructor, prototype and __proto__ are data, both ways', () => {
  const value = JSON.parse('{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":2}},"prototype":3}') as Record<string, unknown>;
  value['a.b'] = new Date(4);
  value['back\\slash'] = 1n;
  value[''] = undefined;
  const copy = same(value) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: 1 });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  same({ ['__proto__']: new Date(1), constructor: new Point(1, 1), prototype: new Map([['__proto__', new Set([1n])]]) });
});

await test('errors survive with their class, stack, cause and own properties', () => {
  const cause = new RangeError('too far', { cause: new Point(1, 1) });
  const error = new TypeError('bad input', { cause });
  (error as TypeError & { code: string }).code = 'E_INPUT';
  const copy = same(error) as TypeError & { code: string };
  assert.ok(copy instanceof TypeError && copy.cause instanceof RangeError);
  assert.equal(copy.code, 'E_INPUT');

  const route = same(new RouteError('no road', 3, { cause: new Date(2) })) as RouteError;
  assert.ok(route instanceof RouteError);
  assert.equal(route.stop, 3);

  const aggregate = same(new AggregateError([new Error('a'), new RouteError('b', 1)], 'both')) as AggregateError;
  assert.ok(aggregate.errors[1] instanceof RouteError);

  class LocalError extends Error {
    override name = 'LocalError';
  }
  const remote = trip(new LocalError('unregistered'));
  assert.ok(remote instanceof RemoteError);
  assert.equal(remote.name, 'LocalError');
  assert.equal(remote.message, 'unregistered');
});

await test('aliases decode to the class; classes registered after the first call work', () => {
  const text = stringify(new Point(5, 6)).replace('"test.json.Point"', '"test.json.OldPoint"');
  assert.ok(text.includes('OldPoint'));
  assert.ok(parse(text) instanceof Point);

  class Late {
    constructor(readonly v: number) {}
    toSerialisable(): number {
      return this.v;
    }
    static fromSerialisable(v: number): Late {
      return new Late(v);
    }
  }
  throwsCelerity(() => stringify(new Late(1)), { code: 'ERR_UNREGISTERED_CLASS' });
  register(Late, { id: 'test.json.Late' });
  assert.equal((trip([new Late(2)])[0] as Late).v, 2);
});

await test('serialize / deserialize give and take a JSON-compatible object that shares nothing with the input', () => {
  const list = [1, 2];
  const value = { list, point: new Point(1, 2), when: new Date(3) };
  const wire = serialize(value);
  assert.deepEqual(JSON.parse(JSON.stringify(wire)), wire);
  assert.notEqual((wire.json as { list: unknown }).list, list);
  const copy = deserialize(wire);
  assertSameShape(copy, value);
  assertSameShape(deserialize(JSON.parse(JSON.stringify(serialize(value)))), value);
});

await test('a stock SuperJSON that registers the same classes reads the json/meta of a reference-free payload', () => {
  const sj = new SuperJSON();
  sj.registerCustom<Point, { x: number; y: number }>(
    { isApplicable: (v): v is Point => v instanceof Point, serialize: (v) => v.toSerialisable(), deserialize: (d) => Point.fromSerialisable(d) },
    'test.json.Point',
  );
  sj.registerCustom<Segment, Record<string, never>>(
    {
      isApplicable: (v): v is Segment => v instanceof Segment,
      serialize: () => ({}),
      deserialize: (d) => Segment.fromSerialisable(d as unknown as { from: Point; to: Point; at: Date }),
    },
    'test.json.Segment',
  );
  const value = { m: new Map([['a', new Set([1n, undefined])]]), s: new Segment(new Point(1, 2), new Point(3, 4), new Date(5)), n: [NaN, -0], r: /x/g };
  const { json, meta } = serialize(value);
  const copy = sj.deserialize({ json, meta } as unknown as Parameters<SuperJSON['deserialize']>[0]);
  assertSameShape(copy, value);
});

await test('parse reads text written by stock superjson, rebuilding registered classes from the registry', () => {
  const sj = new SuperJSON();
  sj.registerCustom<Point, { x: number; y: number }>(
    { isApplicable: (v): v is Point => v instanceof Point, serialize: (v) => v.toSerialisable(), deserialize: (d) => Point.fromSerialisable(d) },
    'test.json.Point',
  );
  const value = { at: new Date(7), points: [new Point(1, 2), new Point(3, 4)], tags: new Set(['a']), big: 5n };
  const copy = parse(sj.stringify(value)) as typeof value;
  assertSameShape(copy, value);
  assert.ok(copy.points[0] instanceof Point);
  // superjson's own class annotations name nothing in the private instance: refused, not built.
  class Stranger {
    a = 1;
  }
  const other = new SuperJSON();
  other.registerClass(Stranger, 'Stranger');
  throwsCelerity(() => parse(other.stringify({ s: new Stranger() })), { code: 'ERR_BAD_JSON' });
  // A class written with superjson's registerClass, under an id registered here, is built by the
  // fromSerialisable registered here.
  const byClass = new SuperJSON();
  byClass.registerClass(Point, 'test.json.Point');
  const rebuilt = parse(byClass.stringify({ p: new Point(5, 6) })) as { p: Point };
  assert.ok(rebuilt.p instanceof Point);
  assert.deepEqual([rebuilt.p.x, rebuilt.p.y], [5, 6]);
  // Errors keep the properties superjson wrote (allowErrorProps), as own data, and their cause.
  const withProps = new SuperJSON();
  withProps.allowErrorProps('code', 'meta', '__proto__');
  const failure = Object.assign(new TypeError('bad', { cause: 'why' }), { code: 'E_BAD', meta: { n: 1 } });
  const error = parse(withProps.stringify({ failure })) as { failure: Error & { code?: string; meta?: unknown } };
  assert.ok(error.failure instanceof Error);
  assert.equal(error.failure.message, 'bad');
  assert.equal(error.failure.name, 'TypeError');
  assert.equal(error.failure.code, 'E_BAD');
  assert.deepEqual(error.failure.meta, { n: 1 });
  assert.equal(error.failure.cause, 'why');
  // A URL, as superjson writes it.
  assert.equal((parse(withProps.stringify({ at: new URL('https://example.com/a?b=1') })) as { at: URL }).at.href, 'https://example.com/a?b=1');
  // An id no class is registered under is refused too.
  const unknown = new SuperJSON();
  unknown.registerCustom<Stranger, number>({ isApplicable: (v): v is Stranger => v instanceof Stranger, serialize: () => 1, deserialize: () => new Stranger() }, 'no.such.id');
  throwsCelerity(() => parse(unknown.stringify([new Stranger()])), { code: 'ERR_BAD_JSON' });
});

await test('unregistered classes: ERR_UNREGISTERED_CLASS with a path, or a plain object with strict: false', () => {
  class Loose {
    a = 1;
    b = new Date(2);
  }
  const error = throwsCelerity(() => stringify({ items: [1, new Loose()] }), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.items[1]', message: /Loose/ });
  assert.match(error.message, /register\(Loose/);
  const copy = parse(stringify({ items: [new Loose()] }, { strict: false })) as { items: unknown[] };
  assert.equal(Object.getPrototypeOf(copy.items[0]), Object.prototype);
  assert.deepEqual(copy.items[0], { a: 1, b: new Date(2) });
});

await test('functions, symbols and uncloneable objects: ERR_UNCLONEABLE with a path', () => {
  throwsCelerity(() => stringify({ f: () => 1 }), { code: 'ERR_UNCLONEABLE', path: 'value.f' });
  throwsCelerity(() => stringify([Symbol('s')]), { code: 'ERR_UNCLONEABLE', path: 'value[0]' });
  throwsCelerity(() => stringify(new Map([['k', new WeakMap()]])), { code: 'ERR_UNCLONEABLE', path: 'value.get("k")' });
  throwsCelerity(() => stringify(new Set([1, Promise.resolve()])), { code: 'ERR_UNCLONEABLE', path: 'value.values()[1]' });
  throwsCelerity(() => stringify(new Box({ deep: [() => 0] })), { code: 'ERR_UNCLONEABLE', path: 'value.deep[0]' });
  throwsCelerity(() => stringify(new TypeError('x', { cause: Symbol('c') })), { code: 'ERR_UNCLONEABLE', path: 'value.cause' });
});

await test('a cycle through class data: ERR_CYCLE with a path and the class id', () => {
  const box = new Box(null);
  (box as { content: unknown }).content = { back: [box] };
  throwsCelerity(() => stringify({ box }), { code: 'ERR_CYCLE', path: 'value.box.back[0]', classId: 'test.json.Box' });
  const holder: Record<string, unknown> = {};
  holder.box = new Box({ holder });
  throwsCelerity(() => stringify(holder), { code: 'ERR_CYCLE', path: 'value.box.holder' });
  const error = new Error('loop');
  error.cause = error;
  throwsCelerity(() => stringify(error), { code: 'ERR_CYCLE', path: 'value.cause' });
});

await test('toSerialisable and fromSerialisable failures carry the original error, the class id and the path', () => {
  class Fragile {
    static {
      register(this, { id: 'test.json.Fragile' });
    }
    constructor(readonly ok: boolean) {}
    toSerialisable(): boolean {
      if (!this.ok) throw new Error('cannot write');
      return this.ok;
    }
    static fromSerialisable(ok: boolean): Fragile {
      if (ok) throw new Error('cannot read');
      return new Fragile(ok);
    }
  }
  const write = throwsCelerity(() => stringify({ f: [new Fragile(false)] }), { code: 'ERR_TO_SERIALISABLE', path: 'value.f[0]', classId: 'test.json.Fragile' });
  assert.equal((write.cause as Error).message, 'cannot write');
  const read = throwsCelerity(() => parse(stringify({ f: new Map([['k', new Fragile(true)]]) })), {
    code: 'ERR_FROM_SERIALISABLE',
    path: 'value.f.get("k")',
    classId: 'test.json.Fragile',
  });
  assert.equal((read.cause as Error).message, 'cannot read');
});

await test('an unknown class id: ERR_UNKNOWN_CLASS with the id and the path', () => {
  const text = stringify({ items: [1, 2, new Segment(new Point(1, 1), new Point(2, 2), new Date(0))] }).replaceAll('test.json.Point', 'test.json.Gone');
  throwsCelerity(() => parse(text), { code: 'ERR_UNKNOWN_CLASS', path: 'value.items[2].from', classId: 'test.json.Gone', message: /not registered/ });
  throwsCelerity(() => parse(text, { path: 'result' }), { code: 'ERR_UNKNOWN_CLASS', path: 'result.items[2].from' });
});

await test('malformed text, a wrong or missing version: ERR_BAD_JSON', () => {
  throwsCelerity(() => parse('{"celerity":1,'), { code: 'ERR_BAD_JSON', message: /malformed JSON/ });
  throwsCelerity(() => parse('[1,2]'), { code: 'ERR_BAD_JSON' });
  assert.equal(parse('{"json":1}'), 1, 'a bare superjson payload is read as superjson');
  throwsCelerity(() => parse('{"meta":{"v":1}}'), { code: 'ERR_BAD_JSON', message: /version/ });
  throwsCelerity(() => parse('{"json":1,"other":2}'), { code: 'ERR_BAD_JSON', message: /version/ });
  throwsCelerity(() => parse('{"celerity":3,"json":1}'), { code: 'ERR_BAD_JSON', message: /version 3.*reads versions 1 to 2/ });
  throwsCelerity(() => parse('{"celerity":"1","json":1}'), { code: 'ERR_BAD_JSON', message: /version "1"/ });
  throwsCelerity(() => parse('{"celerity":1}'), { code: 'ERR_BAD_JSON', message: /"json"/ });
  throwsCelerity(() => parse('{"celerity":1,"json":[1],"meta":{"values":{"0":["Date"]},"v":2}}'), { code: 'ERR_BAD_JSON' });
  throwsCelerity(() => parse(42 as unknown as string), { code: 'ERR_BAD_JSON' });
  throwsCelerity(() => deserialize(null), { code: 'ERR_BAD_JSON' });
  const bad = throwsCelerity(() => parse('{"celerity":1,"json":{"a":[1,"x"]},"meta":{"values":{"a.1":["bigint"]},"v":1}}'), { code: 'ERR_BAD_JSON', path: 'value.a[1]' });
  assert.ok(bad instanceof CelerityError);
});

await test('jsonRoundTrip is parse(stringify(value)) with errors rooted at the given path', () => {
  const copy = jsonRoundTrip([new Point(1, 2), new Map([[1, new Date(0)]])]) as unknown[];
  assert.ok(copy[0] instanceof Point);
  throwsCelerity(() => jsonRoundTrip([1, { f: () => 0 }], { path: 'args' }), { code: 'ERR_UNCLONEABLE', path: 'args[1].f' });
  class Stray {}
  throwsCelerity(() => jsonRoundTrip({ best: new Stray() }, { path: 'result' }), { code: 'ERR_UNREGISTERED_CLASS', path: 'result.best' });
  assert.deepEqual(jsonRoundTrip({ s: new Stray() }, { strict: false, path: 'result' }), { s: {} });
});
