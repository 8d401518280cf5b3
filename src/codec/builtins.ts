/**
 * What the codec does with objects that are neither plain containers nor registered instances:
 * the built-in types structured clone copies as they are, the ones it refuses, and errors.
 * @module
 */
import { KeyObject, X509Certificate } from 'node:crypto';
import { BlockList, SocketAddress } from 'node:net';
import type { ClassDescription } from '../errors.js';

/** Built-in object kinds the codec treats specially (see {@link classifyBuiltIn}). */
export const BuiltInKind = {
  /** Structured clone copies it faithfully; the codec leaves it alone. */
  Leaf: 0,
  /** A Map (or subclass) to walk. */
  Map: 1,
  /** A Set (or subclass) to walk. */
  Set: 2,
  /** An Error: travels by the error protocol. */
  Error: 3,
  /** Structured clone refuses it (WeakMap, Promise, ...). */
  Uncloneable: 4,
  /** An instance of some class the registry does not know. */
  Unregistered: 5,
  /** A view whose buffer was detached or shrunk below it: structured clone refuses it. */
  BrokenView: 6,
} as const;

/** One of the {@link BuiltInKind} values. */
export type BuiltInKind = (typeof BuiltInKind)[keyof typeof BuiltInKind];

const globalNames = ['Blob', 'File', 'MessagePort', 'BroadcastChannel', 'CryptoKey', 'ImageData'] as const;

/** Prototypes of built-in types that structured clone copies as themselves. */
const LEAF_PROTOTYPES = new Set<object>([
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  SharedArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  BigInt.prototype,
  KeyObject.prototype,
  X509Certificate.prototype,
  BlockList.prototype,
  SocketAddress.prototype,
]);
for (const name of globalNames) {
  const ctor = (globalThis as Record<string, unknown>)[name];
  if (typeof ctor === 'function') LEAF_PROTOTYPES.add(ctor.prototype as object);
}

/** Prototypes of built-in types structured clone refuses with a DataCloneError. */
const UNCLONEABLE_PROTOTYPES = new Set<object>([
  WeakMap.prototype,
  WeakSet.prototype,
  WeakRef.prototype,
  Promise.prototype,
  FinalizationRegistry.prototype,
]);

/** Classifies an object whose prototype is neither plain nor registered. */
export function classifyBuiltIn(value: object, prototype: object | null): BuiltInKind {
  if (prototype !== null && LEAF_PROTOTYPES.has(prototype)) return BuiltInKind.Leaf;
  if (ArrayBuffer.isView(value)) return isUsableView(value) ? BuiltInKind.Leaf : BuiltInKind.BrokenView;
  if (prototype !== null && UNCLONEABLE_PROTOTYPES.has(prototype)) return BuiltInKind.Uncloneable;
  if (isError(value)) return BuiltInKind.Error;
  if (value instanceof Map) return BuiltInKind.Map;
  if (value instanceof Set) return BuiltInKind.Set;
  if (value instanceof Promise || value instanceof WeakMap || value instanceof WeakSet) return BuiltInKind.Uncloneable;
  const tag = Object.prototype.toString.call(value);
  // Leaf types from another realm (a vm context) are still cloned faithfully.
  if (tag === '[object Date]' || tag === '[object RegExp]' || tag === '[object ArrayBuffer]') return BuiltInKind.Leaf;
  return BuiltInKind.Unregistered;
}

const typedArrayAt = (Object.getPrototypeOf(Int8Array.prototype) as { at: (this: unknown, index: number) => unknown }).at;

/**
 * Whether a view can be read: not over a detached buffer, nor out of the bounds of a resizable
 * buffer that shrank (such a view reports length 0 at offset 0, so only its own checks tell).
 */
export function isUsableView(view: ArrayBufferView): boolean {
  try {
    // Both throw for a view that cannot be read.
    if (view instanceof DataView) return view.byteLength >= 0;
    typedArrayAt.call(view, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether a value is an Error, including errors from another realm. */
export function isError(value: object): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}

/** A readable name for the class of an object, for error messages. */
export function className(value: object): string {
  const ctor = (value as { constructor?: unknown }).constructor;
  return typeof ctor === 'function' && ctor.name !== '' ? ctor.name : 'an anonymous class';
}

/**
 * What an object that no registered class claims is, for an error message: an instance of its
 * class when its prototype is a class's (or a constructor function's) own `prototype`; otherwise
 * what its prototype is, since its inherited `constructor` (often `Object`) would name the wrong
 * class.
 */
export function describeClass(value: object): ClassDescription {
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === null) return { text: 'an object with a null prototype' };
  const ctor: unknown = Object.getOwnPropertyDescriptor(prototype, 'constructor')?.value;
  if (typeof ctor === 'function' && (ctor as { prototype?: unknown }).prototype === prototype) {
    return ctor.name === '' ? { text: 'an instance of an anonymous class' } : { name: ctor.name, text: `an instance of ${ctor.name}` };
  }
  const above = Object.getPrototypeOf(prototype) as object | null;
  const what = above === Object.prototype ? 'a plain object' : above === null ? 'a null-prototype object' : `an instance of ${className(prototype)}`;
  return { text: `an object whose prototype is not a class's prototype (its prototype is ${what})` };
}
