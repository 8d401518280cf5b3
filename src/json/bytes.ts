/**
 * Binary data in JSON text: ArrayBuffers and views as base64 of their bytes.
 *
 * Bytes are written in the machine's own order, as they sit in memory: little-endian on every
 * platform Node ships prebuilt binaries for, so texts move between those machines unchanged.
 * @module
 */
import { Buffer } from 'node:buffer';

/** A constructor of typed arrays or DataViews, as far as rebuilding one needs. */
type ViewConstructor = new (buffer: ArrayBufferLike, byteOffset?: number, length?: number) => ArrayBufferView;

/** The view constructors a text may name, by name (bytes per element beside each). */
const VIEWS = new Map<string, readonly [ViewConstructor, number]>([
  ['Int8Array', [Int8Array, 1]],
  ['Uint8Array', [Uint8Array, 1]],
  ['Uint8ClampedArray', [Uint8ClampedArray, 1]],
  ['Int16Array', [Int16Array, 2]],
  ['Uint16Array', [Uint16Array, 2]],
  ['Int32Array', [Int32Array, 4]],
  ['Uint32Array', [Uint32Array, 4]],
  ['Float32Array', [Float32Array, 4]],
  ['Float64Array', [Float64Array, 8]],
  ['BigInt64Array', [BigInt64Array, 8]],
  ['BigUint64Array', [BigUint64Array, 8]],
  ['DataView', [DataView, 1]],
]);
const float16 = (globalThis as { Float16Array?: ViewConstructor }).Float16Array;
if (float16 !== undefined) VIEWS.set('Float16Array', [float16, 2]);

/** The name a view travels under: its built-in type, so a Node Buffer arrives as a Uint8Array. */
export function viewName(view: ArrayBufferView): string | undefined {
  const tag = Object.prototype.toString.call(view).slice(8, -1);
  return VIEWS.has(tag) ? tag : undefined;
}

/** The constructor and element size for a view name from a text, or `undefined`. */
export function viewConstructor(name: unknown): readonly [ViewConstructor, number] | undefined {
  return typeof name === 'string' ? VIEWS.get(name) : undefined;
}

/** The typed arrays superjson writes as lists of numbers (`["typed-array", name]`), by name. */
const SUPERJSON_TYPED_ARRAYS = new Set(['Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'Float32Array', 'Float64Array']);

/** The names of the typed arrays superjson writes as lists of numbers. */
export function superjsonTypedArrays(): ReadonlySet<string> {
  return SUPERJSON_TYPED_ARRAYS;
}

/** The constructor of a typed array superjson writes as a list of numbers, by name, or `undefined`. */
export function typedArrayConstructor(name: unknown): NumberArrayConstructor | undefined {
  return typeof name === 'string' && SUPERJSON_TYPED_ARRAYS.has(name) ? (VIEWS.get(name)?.[0] as unknown as NumberArrayConstructor) : undefined;
}

/** The constructor of a typed array of numbers (not bigints), as the JSON reader uses it. */
export type NumberArrayConstructor = new (length: number) => ArrayBufferView & { buffer: ArrayBufferLike; set(list: ArrayLike<number>): void };

/** Base64 of `length` bytes of `buffer` from `offset`. */
export function toBase64(buffer: ArrayBufferLike, offset: number, length: number): string {
  return Buffer.from(buffer, offset, length).toString('base64');
}

/**
 * A fresh buffer holding the bytes of a base64 string, or `undefined` when the string is not the
 * base64 the writer makes. The bytes are copied: `Buffer.from` may hand out a slice of its shared
 * pool. Checked by writing the bytes back, not by a regular expression: this runs deep inside the
 * reader's walk, where compiling one can abort the process (see `codec/path.ts`).
 */
export function fromBase64(text: unknown, shared: boolean): ArrayBuffer | SharedArrayBuffer | undefined {
  if (typeof text !== 'string' || text.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) return undefined;
  const buffer = shared ? new SharedArrayBuffer(bytes.length) : new ArrayBuffer(bytes.length);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
