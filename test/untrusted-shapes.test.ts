/**
 * Untrusted shapes: values as deep as structured clone takes round-trip through both formats (the
 * codec follows any depth), values nested deeper than a walk can follow get a clear
 * `ERR_TOO_DEEP` (never a raw RangeError, never an abort), and a sparse array costs what its
 * elements cost, not its length.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CelerityError, decode, deserialize, encode, parse, serialize, stringify } from 'celerity';
import { Box, Point } from './codec-support.js';

/** Arrays nested `depth` deep around `inner`. */
function nestedArrays(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Objects nested `depth` deep around `inner`. */
function nestedObjects(depth: number, inner: unknown): unknown {
  let value = inner;
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

function innermost(value: unknown): unknown {
  let node = value;
  while (Array.isArray(node) || (typeof node === 'object' && node !== null && 'next' in node)) node = Array.isArray(node) ? node[0] : (node).next;
  return node;
}

function tooDeep(run: () => unknown): CelerityError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CelerityError, `not a CelerityError: ${String(error)}`);
    assert.equal(error.code, 'ERR_TOO_DEEP');
    return error;
  }
  assert.fail('no error');
}

/** The deepest nesting `make` gives that structured clone still copies on this thread's stack. */
function cloneLimit(make: (depth: number) => unknown): number {
  let low = 1;
  let high = 100_000;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    try {
      structuredClone(make(middle));
      low = middle;
    } catch {
      high = middle - 1;
    }
  }
  return low;
}

await test('values as deep as structured clone copies round-trip through both formats, the instance inside intact', () => {
  const shapes: [string, (depth: number, inner: unknown) => unknown][] = [
    ['arrays', nestedArrays],
    ['objects', nestedObjects],
  ];
  for (const [name, make] of shapes) {
    const limit = cloneLimit((depth) => make(depth, 0));
    for (const depth of [1000, limit]) {
      const value = make(depth, new Point(1, 2));
      assert.ok(innermost(decode(encode(value))) instanceof Point, `${name} ${depth} deep through the codec`);
      assert.ok(innermost(parse(stringify(value))) instanceof Point, `${name} ${depth} deep through JSON text`);
      assert.ok(innermost(deserialize(serialize(value))) instanceof Point, `${name} ${depth} deep through the JSON wire`);
    }
    // The wire holds the value a level down, beside its tables: through structured clone itself,
    // a few levels short of the limit.
    const near = limit - 10;
    assert.ok(innermost(decode(structuredClone(encode(make(near, new Point(3, 4)))))) instanceof Point, `${name} ${near} deep through structured clone`);
  }
});

await test('encode/decode and serialize/deserialize follow nesting far deeper than the stack, instances at every level', () => {
  let chain: unknown = new Point(0, 0);
  for (let i = 0; i < 20_000; i++) chain = i % 2 === 0 ? [chain] : new Box({ inside: chain, at: new Map([[i, i]]) });
  for (const value of [nestedArrays(100_000, new Point(1, 1)), nestedObjects(100_000, new Point(2, 2)), chain]) {
    for (const back of [decode(encode(value)), deserialize(serialize(value))]) {
    let node = back;
    let depth = 0;
    while (!(node instanceof Point)) {
      depth++;
      if (node instanceof Box) node = (node.content as { inside: unknown }).inside;
      else node = Array.isArray(node) ? node[0] : (node as { next: unknown }).next;
    }
    assert.ok(depth === 100_000 || depth === 20_000, `reached ${depth}`);
    }
  }
});

await test('values nested far deeper than the stack are ERR_TOO_DEEP from every entry point', () => {
  for (const value of [nestedArrays(100_000, new Point(0, 0)), nestedObjects(100_000, 1)]) {
    tooDeep(() => stringify(value));
  }
  // JSON.parse itself follows any depth; what is read back is plain data, or a clear error.
  try {
    parse(`{"celerity":1,"json":${'['.repeat(200_000)}${']'.repeat(200_000)}}`);
  } catch (error) {
    assert.ok(error instanceof CelerityError, String(error));
  }
  // Meta far deeper than its json: refused as malformed or too deep, never a raw error.
  let values: unknown = [['Date']];
  for (let i = 0; i < 100_000; i++) values = [['celerity', 'class', 'x'], { 0: values }];
  try {
    deserialize({ celerity: 1, json: [], meta: { values, v: 1 } });
    assert.fail('no error');
  } catch (error) {
    assert.ok(error instanceof CelerityError, String(error));
  }
});

/** A sparse array of length 1e8 holding four elements, one nested in a Map, inside `holder`. */
function sparseValue(): { sparse: unknown[]; holder: unknown } {
  const sparse: unknown[] = [];
  sparse.length = 1e8;
  sparse[0] = new Point(0, 0);
  sparse[5] = new Point(5, 5);
  sparse[50_000_000] = 'middle';
  sparse[99_999_999] = new Map([['far', new Point(9, 9)]]);
  return { sparse, holder: { list: sparse, again: sparse } };
}

function checkSparse(back: { list: unknown[]; again: unknown[] }, how: string): void {
  const list = back.list;
  assert.equal(list, back.again, `${how}: one array, shared`);
  assert.equal(list.length, 1e8, how);
  assert.ok(list[0] instanceof Point && list[5] instanceof Point, how);
  assert.equal(list[50_000_000], 'middle', how);
  assert.ok((list[99_999_999] as Map<string, unknown>).get('far') instanceof Point, how);
  assert.deepEqual(Object.keys(list), ['0', '5', '50000000', '99999999'], how);
}

await test('a sparse array of length 1e8 holding four elements costs what its elements cost, in both formats', () => {
  const { holder, sparse } = sparseValue();
  const trips: [string, (value: unknown) => unknown][] = [
    ['codec', (value) => decode(structuredClone(encode(value)))],
    ['JSON text', (value) => parse(stringify(value))],
    ['JSON wire', (value) => deserialize(structuredClone(serialize(value)))],
  ];
  for (const [how, trip] of trips) {
    const started = performance.now();
    const back = trip(holder) as { list: unknown[]; again: unknown[] };
    const took = performance.now() - started;
    checkSparse(back, how);
    // Walking by length took seconds (and the JSON text ran out of memory); by element, well under one.
    assert.ok(took < 1000, `${how} took ${took.toFixed(0)} ms`);
  }
  // As the root, too; and the text stays small.
  const text = stringify(sparse);
  assert.ok(text.length < 500, `${text.length} characters`);
  const root = parse(text) as unknown[];
  assert.equal(root.length, 1e8);
  assert.deepEqual(Object.keys(root), ['0', '5', '50000000', '99999999']);
  assert.ok(root[5] instanceof Point);
  assert.ok((root[99_999_999] as Map<string, unknown>).get('far') instanceof Point);
});

await test('an array with a few holes keeps its holes through JSON', () => {
  // eslint-disable-next-line no-sparse-arrays
  const few = [1, , 3, new Point(1, 1), , 6];
  const back = parse(stringify(few)) as unknown[];
  assert.equal(back.length, 6);
  assert.deepEqual(Object.keys(back), ['0', '2', '3', '5']);
  assert.ok(back[3] instanceof Point);
});
