/**
 * Safety of the JSON wire: data that looks like the format (superjson meta, celerity envelopes,
 * references) stays data, no text can pollute a prototype, and hand-crafted meta is held to the
 * shapes the writer produces.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RemoteError, deserialize, parse, serialize, stringify, type JsonWire } from 'celerity';
import { Box, Point, Segment, throwsCelerity } from './json-support.js';

/** Asserts that a value holds nothing but plain objects, arrays and JSON primitives. */
function assertPlainJson(value: unknown, path = 'value'): void {
  if (typeof value !== 'object' || value === null) {
    assert.ok(['string', 'number', 'boolean'].includes(typeof value) || value === null, `${path}: ${typeof value}`);
    return;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  assert.ok(prototype === Object.prototype || prototype === Array.prototype, `${path}: not plain`);
  for (const key of Object.keys(value)) assertPlainJson(Object.getOwnPropertyDescriptor(value, key)?.value, `${path}.${key}`);
}

/** A wire, as text, with the given json and meta. */
function text(json: unknown, meta?: unknown): string {
  return JSON.stringify(meta === undefined ? { celerity: 1, json } : { celerity: 1, json, meta });
}

function assertNoPollution(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined);
  assert.equal(Object.getPrototypeOf(probe), Object.prototype);
  assert.equal(Object.prototype.toString.call([]), '[object Array]');
  assert.equal(Object.keys(Object.prototype).length, 0);
}

const SAMPLES: unknown[] = [
  new Point(1, 2),
  { a: new Segment(new Point(0, 0), new Point(1, 1), new Date(3)), m: new Map([[new Point(2, 2), new Set([1n])]]) },
  [new Box(new Box(undefined)), NaN, new Float64Array([1, -0]), new TypeError('t', { cause: new Point(0, 1) })],
  (() => {
    const cycle: Record<string, unknown> = { p: new Point(5, 5) };
    cycle.self = cycle;
    cycle.again = cycle.p;
    return cycle;
  })(),
];

await test('a wire parsed as plain JSON and sent again comes back as that plain JSON', () => {
  for (const sample of SAMPLES) {
    const plain = JSON.parse(stringify(sample)) as unknown;
    const back = parse(stringify(plain));
    assert.deepEqual(back, plain);
    assertPlainJson(back);
  }
});

await test('property: parse(stringify(JSON.parse(stringify(x)))) is the plain parsed text, for any x', () => {
  const anything = fc.oneof(
    fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
    fc.integer().map((n) => [new Point(n, n), new Box(new Map([[n, new Date(n)]]))]),
  );
  fc.assert(
    fc.property(anything, (x) => {
      const plain = JSON.parse(stringify(x)) as unknown;
      const back = parse(stringify(plain));
      assert.deepEqual(back, plain);
      assertPlainJson(back);
    }),
    { numRuns: 500 },
  );
  assertNoPollution();
});

await test('superjson-shaped meta and celerity envelopes inside data never build classes', () => {
  const lookalikes = [
    { json: { x: 1, y: 2 }, meta: { values: [['custom', 'test.json.Point']], v: 1 } },
    { celerity: 1, json: { x: 1, y: 2 }, meta: { values: [['custom', 'test.json.Point']], v: 1 } },
    { json: [0], meta: { values: { '0': [['celerity', 'ref']] }, defs: [[0]], v: 1 } },
    [['custom', 'test.json.Point'], { x: 1, y: 2 }],
    { values: { a: ['Date'] }, a: '2020-01-01T00:00:00.000Z' },
  ];
  for (const lookalike of lookalikes) {
    const back = parse(stringify(lookalike));
    assert.deepEqual(back, lookalike);
    assertPlainJson(back);
  }
  // Hand-written: the outer envelope has no meta, so the superjson payload inside is only data.
  const crafted = text({ json: { x: 1, y: 2 }, meta: { values: [['custom', 'test.json.Point']], v: 1 } });
  assertPlainJson(parse(crafted));
  // And meta only ever applies at the paths it names: the Point below is data, the Date is not.
  const partial = text({ p: { json: { x: 1, y: 2 }, meta: { values: [['custom', 'test.json.Point']], v: 1 } }, d: '2020-01-01T00:00:00.000Z' }, { values: { d: ['Date'] }, v: 1 });
  const value = parse(partial) as { p: unknown; d: unknown };
  assertPlainJson(value.p);
  assert.ok(value.d instanceof Date);
});

await test('__proto__, constructor and prototype in texts are data and never reach a prototype', () => {
  const own = parse(text(JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'))) as Record<string, unknown>;
  assert.ok(Object.hasOwn(own, '__proto__'));
  assert.equal(Object.getPrototypeOf(own), Object.prototype);
  assertNoPollution();

  // Annotations that would walk into a prototype find no such own property.
  for (const path of ['__proto__', '__proto__.polluted', 'constructor.prototype', 'constructor.prototype.polluted', 'a.__proto__.polluted']) {
    throwsCelerity(() => parse(text({ a: {} }, { values: { [path]: ['undefined'] }, v: 1 })), { code: 'ERR_BAD_JSON' });
    throwsCelerity(() => parse(text({ a: {} }, { defs: [[0, ...path.split('.')]], values: { b: [['celerity', 'ref']] }, v: 1 })), { code: 'ERR_BAD_JSON' });
    assertNoPollution();
  }
  // An own __proto__ key is annotated like any other key.
  const dated = parse(text(JSON.parse('{"__proto__":{"at":"2020-01-01T00:00:00.000Z"}}'), { values: { '__proto__.at': ['Date'] }, v: 1 })) as Record<string, unknown>;
  const inner = Object.getOwnPropertyDescriptor(dated, '__proto__')?.value as { at: unknown };
  assert.ok(inner.at instanceof Date);
  assert.equal(Object.getPrototypeOf(dated), Object.prototype);
  assertNoPollution();

  // A Map whose key is "__proto__" and an object rebuilt with a null prototype stay data.
  const map = parse(text([['__proto__', { polluted: true }]], { values: ['map'], v: 1 })) as Map<string, unknown>;
  assert.deepEqual(map.get('__proto__'), { polluted: true });
  const bare = parse(text(JSON.parse('{"__proto__":{"polluted":true}}'), { values: [['celerity', 'null']], v: 1 })) as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(bare), null);
  assertNoPollution();
});

await test('hand-crafted meta is held to what the writer produces', () => {
  const bad = (json: unknown, meta: unknown): void => {
    throwsCelerity(() => parse(text(json, meta)), { code: 'ERR_BAD_JSON' });
  };
  // superjson annotations celerity never writes (class by prototype copy, symbols, errors), and a
  // URL that does not parse.
  bad({ x: 1 }, { values: [['class', 'test.json.Point']], v: 1 });
  bad('s', { values: [['symbol', 's']], v: 1 });
  bad({ name: 'E', message: 'm' }, { values: ['Error'], v: 1 });
  bad('not a url', { values: ['URL'], v: 1 });
  bad(7, { values: ['URL'], v: 1 });
  bad(1, { values: [['celerity', 'nonsense']], v: 1 });
  // References to nothing, to what comes later, or to an instance still being built.
  bad([0], { values: { '0': [['celerity', 'ref']] }, v: 1 });
  bad([0, {}], { values: { '0': [['celerity', 'ref']] }, defs: [[0, 1]], v: 1 });
  bad({ x: 0, y: 0 }, { values: [['custom', 'test.json.Point'], { x: [['celerity', 'ref']] }], defs: [[0]], v: 1 });
  // Malformed values, paths and shapes.
  bad(['x'], { values: { '0': ['bigint'] }, v: 1 });
  bad([1], { values: { '0': ['Date'] }, v: 1 });
  bad('nope', { values: ['map'], v: 1 });
  bad([[1]], { values: ['map'], v: 1 });
  bad([], { values: { '3': ['undefined'] }, v: 1 });
  bad([], { values: { '00': ['undefined'] }, v: 1 });
  bad({}, { values: { 'a\\x': ['undefined'] }, v: 1 });
  bad({ a: null }, { values: { a: ['undefined', {}, 'extra'] }, v: 1 });
  bad({ a: null }, { values: { a: [['celerity', 'hole']] }, v: 1 });
  bad('!!', { values: [['celerity', 'buffer']], v: 1 });
  bad('AAA=', { values: [['celerity', 'view', 'Float64Array']], v: 1 });
  bad(['x', 0, 1], { values: [['celerity', 'view', 'Uint8Array']], v: 1 });
  bad('AA==', { values: [['celerity', 'view', 'Function']], v: 1 });
  bad({ name: 1 }, { values: [['celerity', 'error', 'TypeError']], v: 1 });
  bad({ x: 1, y: 2 }, { values: [['custom', 'test.json.RouteError']], v: 1 });
  bad(null, { values: [['celerity', 'ref']], defs: 'x', v: 1 });
  bad(null, { values: [['celerity', 'ref']], defs: [[9]], v: 1 });
  bad(null, 'meta');
});

await test('version 2: hand-written ext and referentialEqualities are held to the shapes the writer makes', () => {
  const bad = (json: unknown, meta: unknown, ext?: unknown): void => {
    const wire: Record<string, unknown> = { celerity: 2, json };
    if (meta !== undefined) wire.meta = meta;
    if (ext !== undefined) wire.ext = ext;
    throwsCelerity(() => parse(JSON.stringify(wire)), { code: 'ERR_BAD_JSON' });
    throwsCelerity(() => deserialize(JSON.parse(JSON.stringify(wire))), { code: 'ERR_BAD_JSON' });
  };
  // celerity's annotations belong in ext, not in superjson's meta; superjson's own in meta only.
  bad([null], { values: { '0': [['celerity', 'hole']] }, v: 1 });
  bad(['2024'], undefined, { types: [[['Date'], 0]] });
  bad({ x: 1 }, undefined, { types: 'x' });
  bad({ x: 1 }, undefined, { types: [['hole', 'x']] });
  bad({ x: 1 }, undefined, { types: [[['hole'], {}]] });
  bad([null, null], undefined, { types: [[['hole'], 0], [['null'], 0]] });
  bad({ name: 'E' }, undefined, { types: [[['error', 'TypeError']]] });
  bad('2024', { values: ['Date'], v: 1 }, { types: [[['null']]] });
  bad([1], undefined, { defs: [[0, 0]], types: [[['ref'], 0]] });
  // referentialEqualities: malformed, naming a place twice or the root, a shared object not yet
  // made, a place that also has an annotation, a path through something that is not there.
  bad({ a: {}, b: null }, { referentialEqualities: { a: 'b' }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { a: ['b', 'b'] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { a: [''] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { a: [7] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { b: ['a'] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { a: ['b'] }, values: { b: ['Date'] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: { a: ['c.d'] }, v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: [], v: 1 });
  bad({ a: {}, b: null }, { referentialEqualities: [['b'], {}, {}], v: 1 });
  // Typed arrays as superjson writes them: numbers only, of a type superjson knows.
  bad(['1'], { values: [['typed-array', 'Uint8Array']], v: 1 });
  bad([1], { values: [['typed-array', 'BigInt64Array']], v: 1 });
  bad([1], { values: [['typed-array', 'DataView']], v: 1 });
  bad({ length: 1e9 }, { values: [['typed-array', 'Uint8Array']], v: 1 });
  const sparse: unknown[] = [];
  sparse.length = 2 ** 32 - 1;
  throwsCelerity(() => deserialize({ celerity: 2, json: sparse, meta: { values: [['typed-array', 'Float64Array']], v: 1 } }), { code: 'ERR_BAD_JSON' });
  // "__proto__" in a path is a key like any other: nothing is polluted.
  const read = parse('{"celerity":2,"json":{"__proto__":{"polluted":1},"b":null},"meta":{"referentialEqualities":{"__proto__":["b"]},"v":1}}') as Record<string, unknown>;
  assert.equal(read.b, Object.getOwnPropertyDescriptor(read, '__proto__')?.value);
  assertNoPollution();
});

await test('class ids in meta come only from the registry', () => {
  throwsCelerity(() => parse(text({}, { values: [['custom', '__proto__']], v: 1 })), { code: 'ERR_UNKNOWN_CLASS', classId: '__proto__', path: 'value' });
  throwsCelerity(() => parse(text({}, { values: [['custom', 'constructor']], v: 1 })), { code: 'ERR_UNKNOWN_CLASS', classId: 'constructor' });
  // An error record naming an unknown class arrives as a RemoteError, never as something else.
  const error = parse(text({ name: 'Evil', message: 'm' }, { values: [['celerity', 'error', 'test.json.Point']], v: 1 }));
  assert.ok(error instanceof RemoteError);
  assert.equal((error).name, 'Evil');
});

await test('a wire object is read from its own fields only', () => {
  const wire = Object.create({ json: 'inherited' }) as JsonWire;
  wire.celerity = 1;
  throwsCelerity(() => deserialize(wire), { code: 'ERR_BAD_JSON', message: /"json"/ });
});

await test('changing a wire that serialize returned never changes the wires it returns later', () => {
  const value = (): unknown => {
    const shared = new Point(1, 2);
    return [shared, shared, undefined, NaN, 10n, new Date(0), /a/g, new ArrayBuffer(2), Object.create(null) as object, Object.assign([1, 2, 3], { 1: undefined })];
  };
  const before = JSON.stringify(serialize(value()));
  const wire = serialize(value());
  const stack: unknown[] = [wire];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) stack.push((node as Record<string, unknown>)[key]);
    try {
      if (Array.isArray(node)) node.push('changed');
      else (node as Record<string, unknown>).changed = true;
    } catch {
      // frozen: shared by every wire, and so left alone
    }
  }
  assert.equal(JSON.stringify(serialize(value())), before);
});
