/**
 * Shared by the JSON wire tests: registered classes, a structural comparison that checks
 * prototypes and object identity (shared objects and cycles must map one to one), and a helper
 * to expect a `CelerityError`.
 */
import assert from 'node:assert/strict';
import { CelerityError, register, type Serialisable } from 'celerity';

/** A small value class. */
export class Point implements Serialisable<{ x: number; y: number }> {
  static built = 0;
  static {
    register(this, { id: 'test.json.Point', aliases: ['test.json.OldPoint'] });
  }
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  toSerialisable(): { x: number; y: number } {
    return { x: this.x, y: this.y };
  }
  static fromSerialisable(data: { x: number; y: number }): Point {
    Point.built++;
    return new Point(data.x, data.y);
  }
}

/** A class whose data holds other registered instances and a Date. */
export class Segment implements Serialisable<{ from: Point; to: Point; at: Date }> {
  static {
    register(this, { id: 'test.json.Segment' });
  }
  constructor(
    readonly from: Point,
    readonly to: Point,
    readonly at: Date,
  ) {}
  toSerialisable(): { from: Point; to: Point; at: Date } {
    return { from: this.from, to: this.to, at: this.at };
  }
  static fromSerialisable(data: { from: Point; to: Point; at: Date }): Segment {
    return new Segment(data.from, data.to, data.at);
  }
}

/** A class whose `toSerialisable()` returns its content as it is: an instance, a Map, a number, anything. */
export class Box implements Serialisable {
  static {
    register(this, { id: 'test.json.Box' });
  }
  constructor(readonly content: unknown) {}
  toSerialisable(): unknown {
    return this.content;
  }
  static fromSerialisable(data: unknown): Box {
    return new Box(data);
  }
}

/** A registered Error subclass: travels by the error protocol. */
export class RouteError extends Error {
  static {
    register(this, { id: 'test.json.RouteError' });
  }
  constructor(
    message: string,
    readonly stop: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RouteError';
  }
}

/** The root of error paths when none is given. */
export const ROOT = 'value';

/** What a thrown `CelerityError` is expected to carry; `undefined` fields are not checked. */
export interface Expected {
  code: string;
  path?: string;
  classId?: string;
  message?: RegExp;
}

/** Runs `fn`, expecting it to throw a CelerityError matching `expected`; returns the error. */
export function throwsCelerity(fn: () => unknown, expected: Expected): CelerityError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof CelerityError, `expected a CelerityError ${expected.code}, got ${String(thrown)}`);
  assert.equal(thrown.code, expected.code, thrown.message);
  if (expected.path !== undefined) assert.equal(thrown.path, expected.path, thrown.message);
  if (expected.classId !== undefined) assert.equal(thrown.classId, expected.classId, thrown.message);
  if (expected.message !== undefined) assert.match(thrown.message, expected.message);
  return thrown;
}

const ERROR_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

const TYPED_TAGS = new Set([
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
]);

/** A description of any value for messages; never throws (null-prototype objects have no toString). */
function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return `[object ${tag(value)}]`;
  return typeof value === 'symbol' ? value.toString() : String(value);
}

function tag(value: object): string {
  return Object.prototype.toString.call(value).slice(8, -1);
}

function bytes(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Asserts that `copy` is a faithful copy of `original`: same prototypes, same data, and objects
 * mapped one to one (a shared object stays shared, a cycle stays a cycle, and no two distinct
 * objects become one). Node Buffers are expected back as Uint8Arrays, as structured clone gives.
 */
export function assertSameShape(copy: unknown, original: unknown, path = ROOT, seen = new Map<object, unknown>(), taken = new Map<unknown, object>()): void {
  if (typeof original !== 'object' || original === null) {
    if (typeof original === 'function' || typeof original === 'symbol') assert.fail(`${path}: cannot compare ${typeof original}`);
    assert.ok(Object.is(copy, original), `${path}: expected ${describe(original)}, got ${describe(copy)}`);
    return;
  }
  assert.ok(typeof copy === 'object' && copy !== null, `${path}: expected an object, got ${describe(copy)}`);
  if (seen.has(original)) {
    assert.equal(copy, seen.get(original), `${path}: a shared object was not kept as one`);
    return;
  }
  assert.ok(!taken.has(copy), `${path}: two distinct objects became one`);
  seen.set(original, copy);
  taken.set(copy, original);
  const originalTag = tag(original);
  if (ArrayBuffer.isView(original)) {
    const expectedTag = original instanceof DataView ? 'DataView' : originalTag;
    assert.equal(tag(copy), expectedTag, `${path}: view type`);
    assert.ok(ArrayBuffer.isView(copy));
    assert.deepEqual(bytes(copy), bytes(original), `${path}: view bytes`);
    if (TYPED_TAGS.has(expectedTag)) assert.equal((copy as Uint8Array).length, (original as Uint8Array).length);
    return;
  }
  assert.equal(Object.getPrototypeOf(copy), Object.getPrototypeOf(original), `${path}: prototype`);
  if (original instanceof Date) {
    assert.ok(Object.is((copy as Date).getTime(), original.getTime()), `${path}: date`);
    return;
  }
  if (original instanceof RegExp) {
    assert.equal(RegExp.prototype.toString.call(copy), original.toString(), `${path}: regexp`);
    return;
  }
  if (original instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && original instanceof SharedArrayBuffer)) {
    assert.deepEqual(new Uint8Array(copy as ArrayBuffer), new Uint8Array(original), `${path}: buffer bytes`);
    return;
  }
  if (original instanceof Map) {
    const copyEntries = [...(copy as Map<unknown, unknown>)];
    const originalEntries = [...original];
    assert.equal(copyEntries.length, originalEntries.length, `${path}: Map size`);
    originalEntries.forEach(([key, value], i) => {
      const [copyKey, copyValue] = copyEntries[i] as [unknown, unknown];
      assertSameShape(copyKey, key, `${path}.keys()[${i}]`, seen, taken);
      assertSameShape(copyValue, value, `${path}.values()[${i}]`, seen, taken);
    });
    return;
  }
  if (original instanceof Set) {
    const copyMembers = [...(copy as Set<unknown>)];
    const originalMembers = [...original];
    assert.equal(copyMembers.length, originalMembers.length, `${path}: Set size`);
    originalMembers.forEach((member, i) => {
      assertSameShape(copyMembers[i], member, `${path}.values()[${i}]`, seen, taken);
    });
    return;
  }
  if (original instanceof Error) {
    const copyError = copy as Error;
    assert.equal(copyError.name, original.name, `${path}: error name`);
    assert.equal(copyError.message, original.message, `${path}: error message`);
    assert.equal(copyError.stack, original.stack, `${path}: error stack`);
    assert.equal(Object.hasOwn(copyError, 'cause'), Object.hasOwn(original, 'cause'), `${path}: error cause presence`);
    if (Object.hasOwn(original, 'cause')) assertSameShape(copyError.cause, original.cause, `${path}.cause`, seen, taken);
    if (original instanceof AggregateError) assertSameShape((copy as AggregateError).errors, original.errors, `${path}.errors`, seen, taken);
  }
  if (['Number', 'String', 'Boolean', 'BigInt'].includes(originalTag)) {
    assert.ok(Object.is((copy as { valueOf(): unknown }).valueOf(), (original as { valueOf(): unknown }).valueOf()), `${path}: wrapped value`);
    return;
  }
  // An error's name, message and stack are compared above (the error protocol makes them non-enumerable).
  const visible = (target: object): string[] => Object.keys(target).filter((key) => !(target instanceof Error && ERROR_FIELDS.has(key)));
  const originalKeys = visible(original);
  assert.deepEqual(visible(copy), originalKeys, `${path}: keys`);
  if (Array.isArray(original)) {
    const copyArray = copy as unknown[];
    assert.equal(copyArray.length, original.length, `${path}: length`);
    for (let i = 0; i < original.length; i++) {
      assert.equal(i in copyArray, i in original, `${path}[${i}]: hole`);
      assertSameShape(copyArray[i], original[i], `${path}[${i}]`, seen, taken);
    }
    return;
  }
  for (const key of originalKeys) {
    const read = (target: object): unknown => Object.getOwnPropertyDescriptor(target, key)?.value;
    assertSameShape(read(copy), read(original), `${path}[${JSON.stringify(key)}]`, seen, taken);
  }
}
