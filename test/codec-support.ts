/**
 * Shared by the codec tests: a few registered classes, a structural comparison that checks
 * prototypes and object identity, and helpers to expect a `CelerityError`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { CelerityError, decode, deserialize, encode, register, serialize, type Serialisable, type Wire } from 'celerity';

/** A small value class, registered with an id and a module URL. */
export class Point implements Serialisable<{ x: number; y: number }> {
  static built = 0;
  static {
    register(this, { id: 'geo.Point', module: import.meta.url });
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

/** A class whose data holds other registered instances. */
export class Line implements Serialisable<{ from: Point; to: Point; label: string }> {
  static {
    register(this, { id: 'geo.Line' });
  }
  constructor(
    readonly from: Point,
    readonly to: Point,
    readonly label = '',
  ) {}
  toSerialisable(): { from: Point; to: Point; label: string } {
    return { from: this.from, to: this.to, label: this.label };
  }
  static fromSerialisable(data: { from: Point; to: Point; label: string }): Line {
    return new Line(data.from, data.to, data.label);
  }
}

/** A class whose `toSerialisable()` returns its content as it is: another instance, a container, anything. */
export class Box implements Serialisable {
  static {
    register(this, { id: 'test.Box' });
  }
  constructor(readonly content: unknown) {}
  toSerialisable(): unknown {
    return this.content;
  }
  static fromSerialisable(data: unknown): Box {
    return new Box(data);
  }
}

/** The root of error paths when none is given. */
export const ROOT = 'value';

/** `decode(structuredClone(encode(value)))`: the trip a value makes to a thread and back. */
export function roundTrip<T>(value: T): T {
  return decode(structuredClone(encode(value))) as T;
}

/** `deserialize(JSON.parse(JSON.stringify(serialize(value))))`: the trip a value makes as JSON text. */
export function jsonRoundTrip<T>(value: T): T {
  return deserialize(JSON.parse(JSON.stringify(serialize(value))) as never) as T;
}

/** Both trips, by the name of the call that writes the value. */
export const TRIPS = [
  ['encode', roundTrip],
  ['serialize', jsonRoundTrip],
] as const;

/** What a thrown `CelerityError` is expected to carry; `undefined` fields are not checked. */
export interface Expected {
  code: string;
  path?: string;
  classId?: string;
  message?: RegExp;
}

/** Asserts that `error` is a CelerityError matching `expected`, and returns it. */
export function checkCelerityError(error: unknown, expected: Expected): CelerityError {
  assert.ok(error instanceof CelerityError, `expected a CelerityError, got ${show(error)}`);
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'CelerityError');
  assert.equal(error.code, expected.code, error.message);
  if (expected.path !== undefined) assert.equal(error.path, expected.path, error.message);
  if (expected.classId !== undefined) assert.equal(error.classId, expected.classId, error.message);
  if (expected.message !== undefined) assert.match(error.message, expected.message);
  return error;
}

/** Runs `fn`, expects it to throw a CelerityError matching `expected`, and returns the error. */
export function throwsCelerity(fn: () => unknown, expected: Expected): CelerityError {
  let thrown: unknown;
  let threw = false;
  try {
    fn();
  } catch (error) {
    thrown = error;
    threw = true;
  }
  assert.ok(threw, `expected ${expected.code} to be thrown`);
  return checkCelerityError(thrown, expected);
}

/** A short description of any value for assertion messages (never throws). */
export function show(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (typeof value === 'object' && value !== null) return Object.prototype.toString.call(value);
  if (typeof value === 'function') return `function ${value.name}`;
  return typeof value === 'bigint' ? `${value}n` : String(value);
}

function tag(value: object): string {
  return Object.prototype.toString.call(value);
}

/**
 * Asserts that `actual` is a faithful copy of `expected`: same prototypes at every depth, same own
 * enumerable properties (including `__proto__` keys), Map entries and Set members in order, typed
 * arrays and buffers byte for byte, and the same identity structure (an object shared or cyclic in
 * `expected` is shared or cyclic in the same way in `actual`).
 */
export function assertSameGraph(actual: unknown, expected: unknown): void {
  const pairs = new Map<object, object>();
  const reverse = new Map<object, object>();
  const walk = (a: unknown, e: unknown, path: string): void => {
    if (typeof e !== 'object' || e === null || typeof a !== 'object' || a === null) {
      assert.ok(Object.is(a, e), `${path}: ${show(a)} is not ${show(e)}`);
      return;
    }
    const known = pairs.get(e);
    if (known !== undefined) {
      assert.ok(known === a, `${path}: identity differs (expected the object met before)`);
      return;
    }
    assert.ok(!reverse.has(a), `${path}: one object stands for two distinct originals`);
    pairs.set(e, a);
    reverse.set(a, e);
    assert.equal(Object.getPrototypeOf(a), Object.getPrototypeOf(e), `${path}: prototypes differ`);
    assert.equal(tag(a), tag(e), `${path}: kinds differ`);
    if (e instanceof Date) {
      assert.equal((a as Date).getTime(), e.getTime(), `${path}: dates differ`);
    } else if (e instanceof RegExp) {
      const r = a as RegExp;
      assert.equal(r.source, e.source, `${path}: regexp sources differ`);
      assert.equal(r.flags, e.flags, `${path}: regexp flags differ`);
      assert.equal(r.lastIndex, e.lastIndex, `${path}: regexp lastIndex differs`);
    } else if (e instanceof ArrayBuffer) {
      assert.deepEqual(new Uint8Array(a as ArrayBuffer), new Uint8Array(e), `${path}: buffers differ`);
    } else if (ArrayBuffer.isView(e)) {
      const view = a as ArrayBufferView;
      assert.equal(view.byteOffset, e.byteOffset, `${path}: byteOffset differs`);
      assert.equal(view.byteLength, e.byteLength, `${path}: byteLength differs`);
      walk(view.buffer, e.buffer, `${path}.buffer`);
    } else if (e instanceof Map) {
      const actualEntries = [...(a as Map<unknown, unknown>)];
      const expectedEntries = [...e];
      assert.equal(actualEntries.length, expectedEntries.length, `${path}: Map sizes differ`);
      expectedEntries.forEach(([key, value], i) => {
        const entry = actualEntries[i] as [unknown, unknown];
        walk(entry[0], key, `${path}.keys()[${i}]`);
        walk(entry[1], value, `${path}.values()[${i}]`);
      });
    } else if (e instanceof Set) {
      const actualMembers = [...(a as Set<unknown>)];
      const expectedMembers = [...e];
      assert.equal(actualMembers.length, expectedMembers.length, `${path}: Set sizes differ`);
      expectedMembers.forEach((member, i) => {
        walk(actualMembers[i], member, `${path}.values()[${i}]`);
      });
    } else if (e instanceof Error) {
      const err = a as Error;
      assert.equal(err.name, e.name, `${path}: error names differ`);
      assert.equal(err.message, e.message, `${path}: error messages differ`);
      assert.equal(err.stack, e.stack, `${path}: error stacks differ`);
      assert.equal(Object.hasOwn(err, 'cause'), Object.hasOwn(e, 'cause'), `${path}: cause presence differs`);
      if (Object.hasOwn(e, 'cause')) walk(err.cause, e.cause, `${path}.cause`);
      if (e instanceof AggregateError) walk((err as AggregateError).errors, e.errors, `${path}.errors`);
    } else if (e instanceof Boolean || e instanceof Number || e instanceof String) {
      assert.ok(Object.is(a.valueOf(), e.valueOf()), `${path}: boxed primitives differ`);
    }
    if (Array.isArray(e)) {
      const arr = a as unknown[];
      assert.equal(arr.length, e.length, `${path}: lengths differ`);
      for (let i = 0; i < e.length; i++) {
        assert.equal(i in arr, i in e, `${path}[${i}]: hole differs`);
      }
    }
    const expectedKeys = Object.keys(e).filter((key) => !(e instanceof Error) || !['name', 'message', 'stack', 'cause', 'errors'].includes(key));
    const actualKeys = Object.keys(a).filter((key) => !(a instanceof Error) || !['name', 'message', 'stack', 'cause', 'errors'].includes(key));
    if (ArrayBuffer.isView(e)) return;
    assert.deepEqual(actualKeys, expectedKeys, `${path}: own keys differ`);
    for (const key of expectedKeys) {
      const next = Array.isArray(e) && /^\d+$/.test(key) ? `${path}[${key}]` : `${path}[${JSON.stringify(key)}]`;
      walk(ownValue(a, key), ownValue(e, key), next);
    }
  };
  walk(actual, expected, ROOT);
}

/** The value of an own property, `__proto__` included (read without the accessor). */
export function ownValue(target: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(target, key)?.value;
}

/** Defines an own, enumerable data property, even for keys such as `__proto__`. */
export function defineOwn<T extends object>(target: T, key: string, value: unknown): T {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  return target;
}

/** The wires the worker fixture produced with classes this thread does not know. */
export interface WorkerWires {
  alias: Wire;
  unknown: Wire;
  unknownInMap: Wire;
  error: Wire;
  errorInData: Wire;
  sideEffectModule: string;
}

let fromWorker: Promise<WorkerWires> | undefined;

/** The fixture worker's wires (the worker runs once per test file; each call gets its own copy). */
export async function wiresFromWorker(): Promise<WorkerWires> {
  fromWorker ??= (async () => {
    const worker = new Worker(new URL('./fixtures/codec-worker.js', import.meta.url));
    try {
      const [message] = (await once(worker, 'message')) as [WorkerWires];
      return message;
    } finally {
      await worker.terminate();
    }
  })();
  return structuredClone(await fromWorker);
}

/**
 * A record of everything reachable from `root` (through own enumerable properties, Map entries and
 * Set members): each object's prototype, extensibility and contents, compared by identity. Take one
 * before and one after an operation to prove the operation changed nothing.
 */
export function stateOf(root: unknown): Map<object, unknown[]> {
  const state = new Map<object, unknown[]>();
  const queue: unknown[] = [root];
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head];
    if (typeof node !== 'object' || node === null || state.has(node)) continue;
    const facts: unknown[] = [Object.getPrototypeOf(node), Object.isExtensible(node)];
    for (const key of Reflect.ownKeys(node)) {
      const descriptor = Object.getOwnPropertyDescriptor(node, key) ?? {};
      const value: unknown = descriptor.value;
      facts.push(key, value, Reflect.get(descriptor, 'get') as unknown, Reflect.get(descriptor, 'set') as unknown, descriptor.enumerable, descriptor.writable);
      queue.push(value);
    }
    if (node instanceof Map) {
      for (const [key, value] of node) {
        facts.push('map entry', key, value);
        queue.push(key, value);
      }
    } else if (node instanceof Set) {
      for (const member of node) {
        facts.push('set member', member);
        queue.push(member);
      }
    }
    state.set(node, facts);
  }
  return state;
}

/** Asserts that two {@link stateOf} records are identical. */
export function assertSameState(after: Map<object, unknown[]>, before: Map<object, unknown[]>): void {
  assert.equal(after.size, before.size, 'the set of reachable objects changed');
  for (const [node, facts] of before) {
    const now = after.get(node);
    assert.ok(now !== undefined, 'an object is no longer reachable');
    assert.equal(now.length, facts.length, 'an object gained or lost properties or entries');
    facts.forEach((fact, i) => {
      assert.ok(Object.is(now[i], fact), `an object changed (fact ${i}: ${show(now[i])} was ${show(fact)})`);
    });
  }
}

/** Runs `operation` on `value` and asserts that `value` is exactly as it was. */
export function assertNotMutated(value: unknown, operation: (value: unknown) => unknown): void {
  const before = stateOf(value);
  const snapshot = structuredClone(value);
  operation(value);
  assertSameState(stateOf(value), before);
  assert.deepStrictEqual(structuredClone(value), snapshot);
}
