/**
 * Every codec error code, each with the exact accessor path of the value at
 * fault (and the class id where one is involved).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CelerityError, decode, encode, missingClasses, register, RemoteError, wireClasses, type Wire } from 'celerity';
import { Box, Line, Point, ROOT, roundTrip, throwsCelerity, wiresFromWorker } from './codec-support.js';

/** A class nobody registers. */
class Stranger {
  readonly n = 1;
}

/** A class whose data is whatever `target` holds, so tests can point it back at itself. */
class Loop {
  static {
    register(this, { id: 'test.Loop' });
  }
  target: unknown;
  toSerialisable(): unknown {
    return this.target;
  }
  static fromSerialisable(data: unknown): Loop {
    const loop = new Loop();
    loop.target = data;
    return loop;
  }
}

/** A linked node: its data holds the next node. */
class Node {
  static {
    register(this, { id: 'test.Node' });
  }
  next: Node | undefined;
  toSerialisable(): { next: Node | undefined } {
    return { next: this.next };
  }
  static fromSerialisable(data: { next: Node | undefined }): Node {
    const node = new Node();
    node.next = data.next;
    return node;
  }
}

/** Throws what it was given from toSerialisable(). */
class Faulty {
  static {
    register(this, { id: 'test.Faulty' });
  }
  constructor(readonly thrown: unknown) {}
  toSerialisable(): never {
    throw this.thrown;
  }
  static fromSerialisable(): Faulty {
    return new Faulty(undefined);
  }
}

/** Encodes fine; fromSerialisable() throws, recording what it threw. */
class Fragile {
  static thrown: unknown[] = [];
  static {
    register(this, { id: 'test.Fragile' });
  }
  toSerialisable(): number {
    return 1;
  }
  static fromSerialisable(): Fragile {
    const error = new Error('cannot rebuild');
    Fragile.thrown.push(error);
    throw error;
  }
}

function stop(n: number): Point {
  return new Point(n, n);
}

await test('CelerityError carries code, path and class id, and ends its message with the path', () => {
  const error = throwsCelerity(() => encode({ a: [new Stranger()] }), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.a[0]' });
  assert.ok(error instanceof Error);
  assert.ok(error.message.endsWith('(at value.a[0])'));
  assert.equal(typeof error.stack, 'string');
  const cycle = new Node();
  cycle.next = cycle;
  throwsCelerity(() => encode(cycle), { code: 'ERR_CYCLE', classId: 'test.Node' });
});

await test('ERR_UNREGISTERED_CLASS names the class, says how to register it, and points at it', () => {
  const value = { stops: [stop(0), stop(1), stop(2), { at: new Stranger() }] };
  const error = throwsCelerity(() => encode(value, { path: 'args' }), { code: 'ERR_UNREGISTERED_CLASS', path: 'args.stops[3].at' });
  assert.match(error.message, /Stranger/);
  assert.match(error.message, /register\(Stranger/);
  assert.match(error.message, /strict: false/);
  throwsCelerity(() => encode(value), { code: 'ERR_UNREGISTERED_CLASS', path: `${ROOT}.stops[3].at` });
  throwsCelerity(() => encode([value], { path: 'args' }), { code: 'ERR_UNREGISTERED_CLASS', path: 'args[0].stops[3].at' });
  throwsCelerity(() => encode(new Stranger(), { path: 'result' }), { code: 'ERR_UNREGISTERED_CLASS', path: 'result' });
});

await test('error paths use accessor form for every kind of container', () => {
  const bad = (): Stranger => new Stranger();
  const cases: [unknown, string][] = [
    [new Stranger(), 'value'],
    [[1, [2, bad()]], 'value[1][1]'],
    [{ 'a b': { 0: bad() } }, 'value["a b"]["0"]'],
    [{ $ok: { _also: bad() } }, 'value.$ok._also'],
    [new Map([['k', bad()]]), 'value.get("k")'],
    [new Map<unknown, unknown>([[1, 'one'], [2, { deep: [bad()] }]]), 'value.get(2).deep[0]'],
    [new Map([[3n, bad()]]), 'value.get(3n)'],
    [new Map<unknown, unknown>([['a', 1], [bad(), 2]]), 'value.keys()[1]'],
    [new Set([1, 2, bad()]), 'value.values()[2]'],
    [{ m: new Map([['s', new Set([{ x: bad() }])]]) }, 'value.m.get("s").values()[0].x'],
    [{ box: new Box({ inner: [bad()] }) }, 'value.box.inner[0]'],
    [{ line: new Box(new Box([0, bad()])) }, 'value.line[1]'],
    [{ e: Object.assign(new Error('x'), { detail: { bad: bad() } }) }, 'value.e.detail.bad'],
    [{ e: new Error('x', { cause: bad() }) }, 'value.e.cause'],
    [{ e: new AggregateError([new Error('ok'), bad()], 'x') }, 'value.e.errors[1]'],
  ];
  for (const [value, path] of cases) {
    throwsCelerity(() => encode(value), { code: 'ERR_UNREGISTERED_CLASS', path });
  }
});

await test('error paths are exact in cyclic values too', () => {
  const object: Record<string, unknown> = { list: [stop(1), new Stranger()] };
  object.self = object;
  throwsCelerity(() => encode(object), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.list[1]' });
  const map = new Map<unknown, unknown>();
  map.set('me', map);
  map.set('bad', { x: [new Stranger()] });
  throwsCelerity(() => encode({ map }, { path: 'args' }), { code: 'ERR_UNREGISTERED_CLASS', path: 'args.map.get("bad").x[0]' });
  const set = new Set<unknown>();
  set.add(set);
  set.add(new Stranger());
  throwsCelerity(() => encode(set), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.values()[1]' });
  const keyed = new Map<unknown, unknown>();
  keyed.set(keyed, 1);
  keyed.set(new Stranger(), 2);
  throwsCelerity(() => encode(keyed), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.keys()[1]' });
  const fn = (): void => undefined;
  throwsCelerity(() => encode(Object.assign(object, { list: [fn] })), { code: 'ERR_UNCLONEABLE', path: 'value.list[0]' });
});

await test('strict: false lets unregistered instances through', () => {
  const value = { stops: [stop(0), { at: new Stranger() }] };
  const copy = decode(structuredClone(encode(value, { strict: false }))) as { stops: [Point, { at: Record<string, unknown> }] };
  assert.ok(copy.stops[0] instanceof Point);
  assert.deepEqual(copy.stops[1].at, { n: 1 });
  // strict: false does not make uncloneable values cloneable.
  throwsCelerity(() => encode({ f: Math.max }, { strict: false }), { code: 'ERR_UNCLONEABLE', path: 'value.f' });
});

await test('ERR_UNCLONEABLE: functions, symbols, WeakMap, WeakSet, WeakRef, Promise', () => {
  const fn = (): number => 1;
  const cases: [unknown, string, RegExp][] = [
    [fn, 'value', /function/],
    [{ fn }, 'value.fn', /function/],
    [[1, Symbol('s')], 'value[1]', /symbol/],
    [{ weak: new WeakMap() }, 'value.weak', /WeakMap/],
    [{ weak: new WeakSet() }, 'value.weak', /WeakSet/],
    [{ ref: new WeakRef({}) }, 'value.ref', /WeakRef/],
    [{ later: Promise.resolve(1) }, 'value.later', /Promise/],
    [new Map([['f', fn]]), 'value.get("f")', /function/],
    [new Map([[fn, 1]]), 'value.keys()[0]', /function/],
    [new Set([1, Symbol.iterator]), 'value.values()[1]', /symbol/],
    [{ box: new Box({ handler: fn }) }, 'value.box.handler', /function/],
    [{ line: [new Box(fn)] }, 'value.line[0]', /function/],
    [new Error('x', { cause: fn }), 'value.cause', /function/],
  ];
  for (const [value, path, message] of cases) {
    throwsCelerity(() => encode(value), { code: 'ERR_UNCLONEABLE', path, message });
  }
  throwsCelerity(() => encode({ a: [fn] }, { path: 'args' }), { code: 'ERR_UNCLONEABLE', path: 'args.a[0]' });
  // What the codec refuses, structured clone refuses too.
  for (const [value] of cases) assert.throws(() => structuredClone(value));
});

await test("ERR_CYCLE: an instance reached again from its own data", () => {
  const node = new Node();
  node.next = node;
  throwsCelerity(() => encode({ node }), { code: 'ERR_CYCLE', path: 'value.node.next', classId: 'test.Node', message: /test\.Node/ });
  const a = new Node();
  const b = new Node();
  a.next = b;
  b.next = a;
  throwsCelerity(() => encode([a], { path: 'args' }), { code: 'ERR_CYCLE', path: 'args[0].next.next', classId: 'test.Node' });
  const self = new Loop();
  self.target = self;
  throwsCelerity(() => encode({ self }), { code: 'ERR_CYCLE', path: 'value.self', classId: 'test.Loop' });
  const deep = new Loop();
  deep.target = { list: [new Map([['k', deep]])] };
  throwsCelerity(() => encode(deep), { code: 'ERR_CYCLE', path: 'value.list[0].get("k")', classId: 'test.Loop' });
});

await test('ERR_CYCLE: an instance whose data leads back to a plain container that holds it', () => {
  const viaObject = new Loop();
  const holder = { loop: viaObject };
  viaObject.target = { back: holder };
  throwsCelerity(() => encode(holder), { code: 'ERR_CYCLE', path: 'value.loop.back', classId: 'test.Loop' });

  const viaArray = new Loop();
  const list: unknown[] = [viaArray];
  viaArray.target = [list];
  throwsCelerity(() => encode({ list }, { path: 'args' }), { code: 'ERR_CYCLE', path: 'args.list[0][0]', classId: 'test.Loop' });

  const viaMap = new Loop();
  const map = new Map([['loop', viaMap]]);
  viaMap.target = map;
  throwsCelerity(() => encode(map), { code: 'ERR_CYCLE', path: 'value.get("loop")', classId: 'test.Loop' });

  const viaSet = new Loop();
  const set = new Set([viaSet]);
  viaSet.target = { set };
  throwsCelerity(() => encode([set]), { code: 'ERR_CYCLE', path: 'value[0].values()[0].set', classId: 'test.Loop' });

  // The same in a value that also has harmless cycles.
  const mixed: Record<string, unknown> = {};
  mixed.self = mixed;
  const loop = new Loop();
  mixed.loop = loop;
  loop.target = { up: mixed };
  throwsCelerity(() => encode(mixed), { code: 'ERR_CYCLE', path: 'value.loop.up', classId: 'test.Loop' });

  // A cycle through plain containers next to an instance is fine.
  const fine: Record<string, unknown> = { loop: new Loop() };
  fine.self = fine;
  const copy = roundTrip(fine);
  assert.equal(copy.self, copy);
  assert.ok(copy.loop instanceof Loop);
});

await test('ERR_TO_SERIALISABLE keeps what toSerialisable() threw as the cause', () => {
  const original = new RangeError('no data today');
  const error = throwsCelerity(() => encode({ items: [1, 2, new Faulty(original)] }, { path: 'result' }), {
    code: 'ERR_TO_SERIALISABLE',
    path: 'result.items[2]',
    classId: 'test.Faulty',
    message: /no data today/,
  });
  assert.equal(error.cause, original);
  const fromString = throwsCelerity(() => encode(new Map([['k', new Faulty('plain string')]])), {
    code: 'ERR_TO_SERIALISABLE',
    path: 'value.get("k")',
    message: /plain string/,
  });
  assert.equal(fromString.cause, 'plain string');
  throwsCelerity(() => encode(new Line(new Point(0, 0), new Faulty(original) as unknown as Point)), {
    code: 'ERR_TO_SERIALISABLE',
    path: 'value.to',
  });
});

await test('ERR_FROM_SERIALISABLE keeps what fromSerialisable() threw as the cause, with the path', () => {
  const cases: [unknown, string][] = [
    [new Fragile(), 'value'],
    [{ a: [1, new Fragile()] }, 'value.a[1]'],
    [new Map([['k', new Fragile()]]), 'value.get("k")'],
    [{ m: new Map<unknown, unknown>([['a', 1], [new Fragile(), 2]]) }, 'value.m.keys()[1]'],
    [new Set([1, new Fragile()]), 'value.values()[1]'],
    [{ box: new Box({ inner: new Fragile() }) }, 'value.box.inner'],
    [{ point: new Point(1, 2), later: { deep: new Fragile() } }, 'value.later.deep'],
  ];
  for (const [value, path] of cases) {
    Fragile.thrown = [];
    const wire = structuredClone(encode(value));
    const error = throwsCelerity(() => decode(wire), { code: 'ERR_FROM_SERIALISABLE', path, classId: 'test.Fragile', message: /cannot rebuild/ });
    assert.equal(Fragile.thrown.length, 1);
    assert.equal(error.cause, Fragile.thrown[0]);
  }
  const wire = structuredClone(encode({ a: new Fragile() }));
  throwsCelerity(() => decode(wire, { path: 'result' }), { code: 'ERR_FROM_SERIALISABLE', path: 'result.a' });
});

await test('encode and decode report the same path for the same place, boxes of instance data included', () => {
  const shapes: [(bad: unknown) => unknown, string][] = [
    [(bad) => bad, 'value'],
    [(bad) => new Box(bad), 'value'],
    [(bad) => ({ b: new Box(bad) }), 'value.b'],
    [(bad) => ({ b: new Box(new Box(bad)) }), 'value.b'],
    [(bad) => [new Box([1, new Box(bad)])], 'value[0][1]'],
    [(bad) => new Map([['k', new Box(bad)]]), 'value.get("k")'],
    [(bad) => new Set([new Box(bad)]), 'value.values()[0]'],
    [(bad) => new Set([1, new Box({ inner: bad })]), 'value.values()[1].inner'],
    [(bad) => new Map([[new Box([bad]), 1]]), 'value.keys()[0][0]'],
    [(bad) => new Map([[new Box(new Box(bad)), 1]]), 'value.keys()[0]'],
    [(bad) => ({ e: Object.assign(new Error('x'), { detail: new Box(bad) }) }), 'value.e.detail'],
  ];
  for (const [shape, path] of shapes) {
    throwsCelerity(() => encode(shape(new Stranger())), { code: 'ERR_UNREGISTERED_CLASS', path });
    const wire = structuredClone(encode(shape(new Fragile())));
    throwsCelerity(() => decode(wire), { code: 'ERR_FROM_SERIALISABLE', path, classId: 'test.Fragile' });
  }
});

await test('ERR_UNKNOWN_CLASS: decode meets an id this thread has not registered, and imports nothing', async () => {
  const wires = await wiresFromWorker();
  const sideEffect = (): unknown => (globalThis as { celerityCodecSideEffect?: number }).celerityCodecSideEffect;
  assert.deepEqual(missingClasses(wires.unknown), [{ id: 'worker.Only', module: wires.sideEffectModule, isError: false }]);
  const error = throwsCelerity(() => decode(structuredClone(wires.unknown)), {
    code: 'ERR_UNKNOWN_CLASS',
    path: 'value.list[1]',
    classId: 'worker.Only',
    message: /worker\.Only/,
  });
  assert.ok(error.message.includes(wires.sideEffectModule), 'the message names the module that registers it');
  throwsCelerity(() => decode(structuredClone(wires.unknown), { path: 'result' }), { code: 'ERR_UNKNOWN_CLASS', path: 'result.list[1]' });
  throwsCelerity(() => decode(wires.unknownInMap), { code: 'ERR_UNKNOWN_CLASS', path: 'value.get("k").values()[0]', classId: 'worker.Only' });
  assert.equal(sideEffect(), undefined, 'decode never imports a module');
});

await test('an error class unknown to this thread arrives as a RemoteError keeping everything but the prototype', async () => {
  const wires = await wiresFromWorker();
  assert.deepEqual(wireClasses(wires.error), [
    { id: 'worker.ValidationError', module: wires.sideEffectModule, isError: true },
    { id: 'TypeError', module: undefined, isError: true },
  ]);
  const { stack } = decode(wires.errorInData) as { stack: string };
  const error = decode(wires.error);
  assert.ok(error instanceof RemoteError);
  assert.ok(error instanceof Error);
  assert.ok(!(error instanceof CelerityError));
  assert.equal(error.name, 'ValidationError');
  assert.equal(error.message, 'bad email');
  assert.equal(error.stack, stack);
  assert.match(String(error), /^ValidationError: bad email/);
  const props = error as unknown as { code: string; field: string };
  assert.equal(props.code, 'E_INVALID');
  assert.equal(props.field, 'email');
  assert.ok(error.cause instanceof TypeError);
  assert.equal(error.cause.message, 'not a string');
  assert.equal((globalThis as { celerityCodecSideEffect?: number }).celerityCodecSideEffect, undefined);
});

await test('ERR_BAD_WIRE: decode refuses what encode did not make', () => {
  // Enough points that some travel as rows.
  const wire = encode({ p: Array.from({ length: 40 }, (_, i) => new Point(i, 2)) });
  const garbage: unknown[] = [
    undefined,
    null,
    42,
    'text',
    true,
    Symbol('s'),
    () => wire,
    [],
    {},
    { v: 1 },
    { w: '1', v: 1 },
    { w: 0, v: 1 },
    { w: 1, v: 1 },
    { w: 2, v: 1 },
    { w: 4, v: 1 },
    { ...wire, p: 'places' },
    { ...wire, f: 'facts' },
    { ...wire, c: 'classes' },
    { ...wire, n: '1' },
    { ...wire, r: Array.from(wire.r ?? []) },
    { ...wire, d: 'values' },
    { ...wire, s: 'shapes' },
    new Map([['w', 1]]),
  ];
  for (const value of garbage) {
    throwsCelerity(() => decode(value as Wire), { code: 'ERR_BAD_WIRE' });
    throwsCelerity(() => wireClasses(value as Wire), { code: 'ERR_BAD_WIRE' });
  }
  // Facts as a list must be 32-bit integers (wireClasses reads only the class table).
  for (const facts of [Array.from(wire.f ?? [], (fact, i) => (i === 0 ? fact + 0.5 : fact)), Array.from(wire.f ?? [], (fact, i) => (i === 1 ? String(fact) : fact))]) {
    throwsCelerity(() => decode({ ...wire, f: facts } as unknown as Wire), { code: 'ERR_BAD_WIRE', message: /fact/ });
  }
  throwsCelerity(() => decode({ w: 99, v: 1 } as unknown as Wire), { code: 'ERR_BAD_WIRE', message: /version 99/ });
  // Rows whose shape is not a list of names, or a row place without a row index.
  assert.ok(wire.r !== undefined, 'the point travels as a row');
  throwsCelerity(() => decode(structuredClone({ ...wire, s: [[1, 2]] }) as unknown as Wire), { code: 'ERR_BAD_WIRE', message: /row shape/ });
  throwsCelerity(() => decode(structuredClone({ ...wire, s: ['xy'] }) as unknown as Wire), { code: 'ERR_BAD_WIRE', message: /row shape/ });
});
