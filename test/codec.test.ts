/**
 * The codec: registered instances at any depth, identity, cycles through plain
 * containers, copy-on-write, `__proto__`-like keys, `strict: false`, and the wire through a real
 * message port.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { decode, encode, isWire, register, type Wire } from 'celerity';
import { assertNotMutated, assertSameGraph, Box, defineOwn, Line, ownValue, Point, roundTrip } from './codec-support.js';

/** A class that carries every built-in leaf type structured clone copies, beside an instance. */
class Sample {
  static {
    register(this, { id: 'test.Sample' });
  }
  constructor(readonly data: Record<string, unknown>) {}
  toSerialisable(): Record<string, unknown> {
    return this.data;
  }
  static fromSerialisable(data: Record<string, unknown>): Sample {
    return new Sample(data);
  }
}

function leaves(): Record<string, unknown> {
  const buffer = new ArrayBuffer(16);
  new Uint8Array(buffer).set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
  return {
    date: new Date(1_700_000_000_123),
    invalidDate: new Date(Number.NaN),
    regexp: /a+(b|c)*/giu,
    big: 123_456_789_012_345_678_901_234_567_890n,
    negativeBig: -42n,
    int8: new Int8Array([-128, 0, 127]),
    uint8: new Uint8Array([0, 255]),
    clamped: new Uint8ClampedArray([0, 128, 255]),
    int16: new Int16Array([-32768, 32767]),
    uint16: new Uint16Array([65535]),
    int32: new Int32Array([-1, 2 ** 31 - 1]),
    uint32: new Uint32Array([2 ** 32 - 1]),
    float32: new Float32Array([1.5, Number.NaN]),
    float64: new Float64Array([Math.PI, -0, Infinity]),
    bigInt64: new BigInt64Array([-(2n ** 63n), 5n]),
    bigUint64: new BigUint64Array([2n ** 64n - 1n]),
    buffer,
    view: new DataView(buffer, 4, 8),
    window: new Uint16Array(buffer, 2, 3),
    boxedNumber: new Number(3),
    boxedString: new String('hi'),
    boxedBoolean: new Boolean(false),
    numbers: [0, -0, Number.NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER],
    strings: ['', 'ünïcødé 🚀', '\u0000'],
    nothing: [null, undefined],
  };
}

await test('primitives pass through untouched', () => {
  for (const value of [0, -0, Number.NaN, 1.5, Infinity, 'text', '', true, false, null, undefined, 10n]) {
    const wire = encode(value);
    assert.ok(isWire(wire));
    assert.ok(Object.is(wire.v, value));
    assert.ok(Object.is(decode(structuredClone(wire)), value));
  }
});

await test('plain data without instances is sent as it is', () => {
  const object = { a: 1, nested: { list: [1, 2, { deep: true }], when: new Date(0) } };
  const array = [object, [1, [2, [3]]], 'x'];
  const map = new Map<unknown, unknown>([
    ['k', object],
    [{ key: 1 }, [1, 2]],
  ]);
  const set = new Set<unknown>([1, 'two', object]);
  const nullProto = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 });
  for (const value of [object, array, map, set, nullProto, leaves()]) {
    const wire = encode(value);
    assert.equal(wire.v, value, 'a subtree without instances is not copied');
    assertSameGraph(decode(structuredClone(wire)), value);
  }
});

await test('an instance at the root, and in nested arrays', () => {
  const point = roundTrip(new Point(1, 2));
  assert.ok(point instanceof Point);
  assert.deepEqual([point.x, point.y], [1, 2]);
  const nested = [[[new Point(3, 4)]], [], [[1, [new Point(5, 6)]]]];
  const copy = roundTrip(nested);
  assertSameGraph(copy, nested);
  assert.ok(copy[0]?.[0]?.[0] instanceof Point);
});

await test('instances in plain and null-prototype objects', () => {
  const inner = Object.create(null) as Record<string, unknown>;
  inner.p = new Point(1, 1);
  inner.plain = { n: 1 };
  const value = { a: { b: { c: new Point(2, 2) } }, inner, list: [{ p: new Point(3, 3) }] };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.equal(Object.getPrototypeOf(copy.inner), null, 'the null prototype is kept through the clone');
  assert.ok(copy.inner.p instanceof Point);
  const root = Object.create(null) as Record<string, unknown>;
  root.p = new Point(4, 4);
  const rootCopy = roundTrip(root);
  assert.equal(Object.getPrototypeOf(rootCopy), null);
  assertSameGraph(rootCopy, root);
  assert.equal(Object.getPrototypeOf(decode(encode(root))), null, 'without a clone, the prototype stays null');
});

await test('instances as Map keys and values, and as Set members', () => {
  const key = new Point(1, 0);
  const map = new Map<unknown, unknown>([
    ['first', 1],
    [key, 'point key'],
    ['value', new Point(2, 0)],
    [new Point(3, 0), new Point(4, 0)],
    ['last', { nested: new Map([[new Point(5, 0), new Set([new Point(6, 0)])]]) }],
  ]);
  const set = new Set<unknown>(['a', new Point(7, 0), { p: new Point(8, 0) }, 'z']);
  const value = { map, set };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  const keys = [...copy.map.keys()];
  assert.equal(keys[0], 'first', 'entry order is kept');
  assert.ok(keys[1] instanceof Point);
  assert.equal(copy.map.get(keys[1]), 'point key');
  const members = [...copy.set];
  assert.equal(members[0], 'a');
  assert.ok(members[1] instanceof Point);
  assert.equal(members[3], 'z');
});

await test('class data holding classes, at any depth', () => {
  const a = new Point(0, 0);
  const line = new Line(a, new Point(3, 4), 'diagonal');
  const value = { lines: [line, new Line(new Point(1, 1), a)], nested: new Box(new Box([new Line(a, a)])) };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.ok(copy.lines[0] instanceof Line);
  assert.ok(copy.lines[0].to instanceof Point);
  assert.equal(copy.lines[0].label, 'diagonal');
});

await test('class data that is another instance directly', () => {
  const point = new Point(1, 2);
  for (const value of [new Box(point), new Box(new Box(new Box(point))), [new Box(point), point], { m: new Map([[new Box(point), new Box(point)]]) }]) {
    const copy = roundTrip(value);
    assertSameGraph(copy, value);
  }
  const copy = roundTrip(new Box(new Box(point)));
  assert.ok(copy instanceof Box);
  assert.ok(copy.content instanceof Box);
  assert.ok(copy.content.content instanceof Point);
});

await test('class data of every shape: primitives, containers, and built-in leaf types', () => {
  for (const content of [null, undefined, 0, 'text', 12n, [], {}, new Map(), new Set(), new Date(5), [1, [2]], new Uint8Array([1, 2])]) {
    const copy = roundTrip(new Box(content));
    assert.ok(copy instanceof Box);
    assertSameGraph(copy, new Box(content));
  }
  const data = { ...leaves(), point: new Point(1, 2), inMap: new Map([['k', new Point(3, 4)]]) };
  const value = { sample: new Sample(data), beside: leaves() };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.ok(copy.sample.data.date instanceof Date);
  assert.ok(copy.sample.data.view instanceof DataView);
  assert.equal((copy.sample.data.window as Uint16Array).buffer, copy.sample.data.buffer, 'views keep sharing their buffer');
});

await test('sparse arrays keep their holes', () => {
  const value: unknown[] = [];
  value[1] = new Point(1, 1);
  value[4] = 'x';
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.equal(copy.length, 5);
  assert.equal(0 in copy, false);
  assert.equal(3 in copy, false);
});

await test('an instance reached twice decodes to one object, wherever it is', () => {
  const point = new Point(9, 9);
  const value = {
    a: point,
    b: [point, { again: point }],
    map: new Map<unknown, unknown>([
      [point, point],
      ['k', point],
    ]),
    set: new Set([point]),
    line: new Line(point, point),
    box: new Box(point),
  };
  const before = Point.built;
  const copy = roundTrip(value);
  assert.equal(Point.built - before, 1, 'fromSerialisable runs once per instance');
  assertSameGraph(copy, value);
  const one = copy.a;
  assert.ok(one instanceof Point);
  assert.equal(copy.b[0], one);
  assert.equal([...copy.map.keys()][0], one);
  assert.equal(copy.map.get(one), one);
  assert.equal(copy.map.get('k'), one);
  assert.equal([...copy.set][0], one);
  assert.equal(copy.line.from, one);
  assert.equal(copy.line.to, one);
  assert.equal(copy.box.content, one);
});

await test('an instance shared by a Map key and an array element is one object', () => {
  const point = new Point(1, 2);
  const value = [new Map([[point, 'v']]), [point]] as const;
  const copy = roundTrip(value);
  const key = [...copy[0].keys()][0];
  assert.ok(key instanceof Point);
  assert.equal(copy[1][0], key);
});

await test('a plain container reached twice stays one object', () => {
  const shared = { p: new Point(1, 2), list: [new Point(3, 4)] };
  const sharedMap = new Map([['p', new Point(5, 6)]]);
  const sharedSet = new Set([new Point(7, 8)]);
  const value = { a: shared, b: [shared, sharedMap, sharedSet], c: { m: sharedMap, s: sharedSet }, d: shared.list };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.equal(copy.b[0], copy.a);
  assert.equal(copy.c.m, copy.b[1]);
  assert.equal(copy.d, copy.a.list);
});

await test("a container an instance's data shares with the rest of the value stays one object", () => {
  const shared = { p: new Point(1, 2) };
  const plain = { n: 1 };
  const cases: [string, unknown][] = [
    ['data first', { box: new Box(shared), also: shared }],
    ['plain first', { also: shared, box: new Box(shared) }],
    ['two instances, one data', [new Box(shared), new Box(shared)]],
    ['data without instances', [new Box(plain), new Box(plain), plain]],
    ['data is an array', { box: new Box([new Point(0, 0)]), list: [] as unknown[] }],
  ];
  const last = cases[4]?.[1] as { box: Box; list: unknown[] };
  last.list = last.box.content as unknown[];
  for (const [name, value] of cases) {
    const copy = roundTrip(value);
    assert.doesNotThrow(() => {
      assertSameGraph(copy, value);
    }, name);
  }
});

await test('cycles through plain containers survive', () => {
  const object: Record<string, unknown> = { n: 1 };
  object.self = object;
  const array: unknown[] = [1];
  array.push(array);
  const mutual: Record<string, unknown> = {};
  const list: unknown[] = [mutual];
  mutual.list = list;
  const map = new Map<unknown, unknown>();
  map.set('me', map);
  map.set(map, 'key is the map');
  const set = new Set<unknown>();
  set.add(set);
  const nullProto = Object.create(null) as Record<string, unknown>;
  nullProto.self = nullProto;
  for (const value of [object, array, mutual, map, set, nullProto, { all: [object, array, mutual, map, set, nullProto] }]) {
    const wire = encode(value);
    assert.equal(wire.v, value, 'a cyclic subtree without instances is not copied');
    const copy = decode(structuredClone(wire));
    assertSameGraph(copy, value);
  }
  const copy = roundTrip(map);
  assert.equal(copy.get('me'), copy);
  assert.equal(copy.get(copy), 'key is the map');
});

await test('cycles whose containers also hold instances survive', () => {
  const point = new Point(1, 2);
  const object: Record<string, unknown> = { point };
  object.self = object;
  const array: unknown[] = [point];
  array.push(array);
  const map = new Map<unknown, unknown>([[point, point]]);
  map.set('me', map);
  map.set(map, new Point(3, 4));
  const set = new Set<unknown>([point]);
  set.add(set);
  const a: Record<string, unknown> = { name: 'a' };
  const b: Record<string, unknown> = { name: 'b', a, line: new Line(point, new Point(5, 6)) };
  a.b = b;
  a.list = [b, new Box(point)];
  const value = { object, array, map, set, a, plain: { loop: [] as unknown[] } };
  value.plain.loop.push(value.plain);
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  assert.equal(copy.object.self, copy.object);
  assert.ok(copy.object.point instanceof Point);
  assert.equal(copy.array[0], copy.object.point);
  assert.equal(copy.map.get('me'), copy.map);
  assert.ok(copy.map.get(copy.map) instanceof Point);
  assert.ok(copy.set.has(copy.set));
  assert.equal((copy.a.b as Record<string, unknown>).a, copy.a);
});

await test("a cycle inside an instance's data that does not pass through the instance survives", () => {
  const loop: Record<string, unknown> = { point: new Point(1, 2) };
  loop.self = loop;
  const box = new Box({ loop, list: [loop] });
  const copy = roundTrip({ box, loop });
  assertSameGraph(copy, { box, loop });
  assert.ok(copy.box instanceof Box);
  const data = copy.box.content as { loop: Record<string, unknown>; list: unknown[] };
  assert.equal(data.loop.self, data.loop);
  assert.equal(data.list[0], data.loop);
  assert.equal(copy.loop, data.loop);
});

await test('encode never mutates its input', () => {
  const point = new Point(1, 2);
  const shared = { p: point };
  const rich = {
    point,
    list: [point, shared, [new Line(point, new Point(3, 4))]],
    map: new Map<unknown, unknown>([
      [point, shared],
      ['box', new Box(new Box(point))],
    ]),
    set: new Set<unknown>([point, shared]),
    nullProto: Object.assign(Object.create(null) as Record<string, unknown>, { p: point }),
    sample: new Sample({ inner: { p: point }, at: new Date(0) }),
    shared,
  };
  assertNotMutated(rich, (value) => encode(value));

  const cyclic: Record<string, unknown> = { point, list: [] as unknown[], map: new Map<unknown, unknown>() };
  cyclic.self = cyclic;
  (cyclic.list as unknown[]).push(cyclic, new Set([cyclic, point]));
  (cyclic.map as Map<unknown, unknown>).set(cyclic, cyclic);
  (cyclic.map as Map<unknown, unknown>).set(point, new Box({ back: shared }));
  assertNotMutated(cyclic, (value) => encode(value));

  // Nothing the round trip does touches the input either, even decoding without a clone.
  assertNotMutated(rich, (value) => decode(encode(value)));
  assertNotMutated(cyclic, (value) => decode(encode(value)));
});

await test('encode works on deeply frozen input', () => {
  const freeze = <T>(value: T): T => {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const key of Reflect.ownKeys(value)) freeze((value as Record<PropertyKey, unknown>)[key]);
    }
    return value;
  };
  const point = freeze(new Point(1, 2));
  const value = freeze({ list: [point, { nested: [point] }], box: new Box(freeze({ p: point })) });
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  const cyclic: Record<string, unknown> = { point };
  cyclic.self = cyclic;
  freeze(cyclic);
  assertSameGraph(roundTrip(cyclic), cyclic);
});

await test('subtrees without instances are not copied', () => {
  const rows = Array.from({ length: 50 }, (_, i) => ({ i, tags: ['a', 'b'] }));
  const meta = { when: new Date(0), deep: { list: [1, 2, 3] } };
  const plainMap = new Map([['a', { n: 1 }]]);
  const plainSet = new Set([{ n: 2 }]);
  const member = { n: 3 };
  const value = {
    rows,
    meta,
    point: new Point(1, 2),
    list: [rows, new Point(3, 4), meta],
    map: new Map<unknown, unknown>([
      ['plain', meta],
      ['point', new Point(5, 6)],
      [plainMap, plainSet],
    ]),
    set: new Set<unknown>([member, new Point(7, 8)]),
    box: new Box({ meta, p: new Point(9, 9) }),
  };
  const wire = encode(value);
  const v = wire.v as typeof value;
  assert.notEqual(v, value, 'the container that holds an instance is copied');
  assert.equal(v.rows, rows);
  assert.equal(v.meta, meta);
  assert.equal(v.list[0], rows);
  assert.equal(v.list[2], meta);
  assert.equal(v.map.get('plain'), meta);
  assert.equal(v.map.get(plainMap), plainSet, 'plain Map keys and values are kept');
  assert.ok([...v.set].includes(member), 'plain Set members are kept');
  // Class data travels as an object here (a row when a wire has many instances: see codec-rows).
  assert.equal((v.box as unknown as { meta: unknown }).meta, meta, 'plain parts of class data are kept');

  // The same holds in the cycle-aware walk.
  const loop: Record<string, unknown> = { rows };
  loop.self = loop;
  const cyclic: Record<string, unknown> = { loop, point: new Point(0, 0), meta };
  cyclic.self = cyclic;
  const cyclicWire = encode(cyclic);
  const cv = cyclicWire.v as Record<string, unknown>;
  assert.notEqual(cv, cyclic);
  assert.equal(cv.self, cv);
  assert.equal(cv.loop, loop);
  assert.equal(cv.meta, meta);
});

await test('__proto__, constructor and prototype keys are plain data and never pollute', () => {
  const text = '{"__proto__": {"polluted": true, "list": [1]}, "constructor": {"prototype": {"polluted": true}}, "prototype": {"polluted": true}}';
  const plain = JSON.parse(text) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(plain), Object.prototype);

  const withInstance = JSON.parse(text) as Record<string, unknown>;
  withInstance.point = new Point(1, 2);
  (ownValue(withInstance, '__proto__') as Record<string, unknown>).inner = new Point(3, 4);
  (withInstance.constructor as { prototype: Record<string, unknown> }).prototype.p = new Point(5, 6);

  const directly = defineOwn({ other: 1 }, '__proto__', new Point(7, 8));
  const nullProto = defineOwn(Object.create(null) as object, '__proto__', { p: new Point(9, 9) });
  const cyclic = defineOwn(JSON.parse(text) as Record<string, unknown>, 'point', new Point(0, 1));
  cyclic.self = cyclic;
  const inData = new Box(JSON.parse('{"__proto__": {"polluted": true}, "x": 1}'));
  const mapKey = new Map<unknown, unknown>([
    ['__proto__', new Point(1, 1)],
    ['constructor', { prototype: new Point(2, 2) }],
  ]);

  for (const value of [plain, withInstance, directly, nullProto, cyclic, inData, mapKey, [withInstance, directly, nullProto]]) {
    const copy = roundTrip(value);
    assertSameGraph(copy, value);
    if (typeof copy === 'object' && !Array.isArray(copy) && !(copy instanceof Map) && !(copy instanceof Box)) {
      assert.ok(Object.hasOwn(copy, '__proto__'), 'the __proto__ key is an own property');
    }
  }
  const copy = roundTrip(directly);
  assert.ok(ownValue(copy, '__proto__') instanceof Point);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  const fromData = roundTrip(inData);
  assert.ok(Object.hasOwn(fromData.content as object, '__proto__'));
  assert.equal(Object.getPrototypeOf(fromData.content), Object.prototype);

  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).p, undefined);
  assert.equal((Object.prototype as Record<string, unknown>).inner, undefined);
});

await test('strict: false sends an unregistered instance as structured clone would', () => {
  class Loose {
    readonly kind = 'loose';
    constructor(
      readonly point: Point,
      readonly n: number,
    ) {}
    get derived(): number {
      return this.n * 2;
    }
  }
  const value = { loose: new Loose(new Point(1, 2), 3), list: [new Loose(new Point(3, 4), 5)] };
  assert.equal((encode(value, { strict: false }).v as typeof value).loose.n, 3);
  const wire = structuredClone(encode(value, { strict: false }));
  const cloned = decode(wire) as { loose: Record<string, unknown>; list: Record<string, unknown>[] };
  assert.equal(Object.getPrototypeOf(cloned.loose), Object.prototype);
  assert.deepEqual(Object.keys(cloned.loose), Object.keys(value.loose));
  assert.equal(cloned.loose.kind, 'loose');
  assert.equal(cloned.loose.n, 3);
  assert.equal(cloned.loose.derived, undefined);
  assert.ok(cloned.loose.point instanceof Point, 'registered instances inside are still rebuilt');
  assert.ok(cloned.list[0]?.point instanceof Point);
});

await test('the wire crosses a real message port', async () => {
  const { port1, port2 } = new MessageChannel();
  try {
    const point = new Point(1, 2);
    const value = { line: new Line(point, point), map: new Map([[point, new Set([point])]]), when: new Date(1) };
    const received = once(port2, 'message');
    port1.postMessage(encode(value));
    const [wire] = (await received) as [Wire];
    const copy = decode(wire) as typeof value;
    assertSameGraph(copy, value);
    assert.equal(copy.line.from, [...copy.map.keys()][0]);
  } finally {
    port1.close();
    port2.close();
  }
});
