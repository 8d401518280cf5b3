/**
 * The JSON writer's leaves: values written as text with an annotation saying what they were
 * (dates, regular expressions, boxed primitives, buffers and typed-array views). Typed arrays are
 * written as superjson writes them (a list of numbers) when that loses nothing; other views keep
 * their bytes in base64. A view over a buffer met before refers to it, so shared memory stays shared.
 * @module
 */
import { className, isUsableView } from '../codec/builtins.js';
import type { RegistryEntry } from '../codec/registry.js';
import { brokenViewError, TO_JSON, uncloneableError } from '../errors.js';
import { Buffer } from 'node:buffer';
import { superjsonTypedArrays, toBase64, viewName } from './bytes.js';
import { isoText } from './date.js';
import { Ext, sharedAnnotation, type Annotation, type ExtType, type JsonValue } from './format.js';
import { ReferenceWriter } from './references.js';

// Leaf annotations never gain children, so one (frozen) array each serves every occurrence.
const DATE: Annotation = sharedAnnotation(['Date']);
/** A RegExp, written as its source text. */
export const REGEXP: Annotation = sharedAnnotation(['regexp']);
/** An ArrayBuffer. */
const BUFFER: ExtType = sharedAnnotation([Ext.Buffer]);
/** A SharedArrayBuffer. */
const SHARED_BUFFER: ExtType = sharedAnnotation([Ext.Buffer, 'shared']);

/** superjson's annotation of each typed array it knows (by name); floats may hold what JSON cannot. */
const SUPERJSON_TYPED = new Map<string, { annotation: Annotation; float: boolean }>(
  [...superjsonTypedArrays()].map((name) => [name, { annotation: sharedAnnotation([['typed-array', name]]), float: name.startsWith('Float') }]),
);

/** Writes the leaves of one stringify call; the walk builds on it. */
export class LeafWriter extends ReferenceWriter {
  /** The registered classes by prototype (to name an instance in a cycle error). */
  protected readonly byPrototype: ReadonlyMap<object, RegistryEntry>;

  /** Whether the typed arrays superjson knows are written in its form (a list of numbers). */
  private readonly typedAsNumbers: boolean;

  constructor(byPrototype: ReadonlyMap<object, RegistryEntry>, typedAsNumbers: boolean) {
    super();
    this.byPrototype = byPrototype;
    this.typedAsNumbers = typedAsNumbers;
  }

  protected date(value: Date): JsonValue {
    return this.leaf(value, DATE, isoText(value));
  }

  /** A value with no children: remembered (for identity), annotated as superjson would, written as `json`. */
  protected leaf(value: object, annotation: Annotation, json: JsonValue): JsonValue {
    this.done(this.enter(value));
    this.put(annotation);
    return json;
  }

  /** A value with no children that superjson has no form for, annotated with one of celerity's own. */
  private extLeaf(value: object, type: ExtType, json: JsonValue): JsonValue {
    this.done(this.enter(value));
    this.putExt(type);
    return json;
  }

  protected wrapper(value: object, type: string, text: string): JsonValue {
    return this.extLeaf(value, [Ext.Wrapper, type], text);
  }

  /** A buffer, annotated as what it is: shared, resizable (with how far it may grow), or plain. */
  protected buffer(value: ArrayBufferLike): JsonValue {
    const max = resizableMax(value);
    const type: ExtType = isShared(value) ? SHARED_BUFFER : max === undefined ? BUFFER : [Ext.Buffer, 'resizable', String(max)];
    return this.extLeaf(value, type, toBase64(value, 0, value.byteLength));
  }

  protected view(value: ArrayBufferView): JsonValue {
    const name = viewName(value);
    if (name === undefined) throw uncloneableError(className(value), TO_JSON);
    if (!isUsableView(value)) throw brokenViewError(name, TO_JSON);
    const buffer = value.buffer;
    const shared = isShared(buffer);
    const known = this.ids.get(buffer);
    const id = this.enter(value);
    const whole = value.byteOffset === 0 && value.byteLength === buffer.byteLength && resizableMax(buffer) === undefined;
    const buffered = Buffer.isBuffer(value);
    if (known === undefined && (whole || buffered)) {
      // Compact form: the view's own elements. One over a whole buffer lets the buffer be shared; a
      // Node Buffer sends only its own bytes, never the pool it may sit in (and superjson cannot
      // read one back, so it keeps base64).
      if (whole) this.enterBufferOf(buffer, id);
      this.done(id);
      const typed = shared || buffered || !this.typedAsNumbers ? undefined : SUPERJSON_TYPED.get(name);
      const numbers = typed === undefined ? undefined : numberList(value as Float64Array, typed.float);
      if (typed !== undefined && numbers !== undefined) {
        this.put(typed.annotation);
        return numbers;
      }
      this.putExt(shared ? [Ext.View, name, 'shared'] : [Ext.View, name]);
      return toBase64(buffer, value.byteOffset, value.byteLength);
    }
    // Full form: the buffer (written here, or referred to when it was met before), the offset and
    // the length, so the view arrives over the whole buffer, as structured clone delivers it.
    this.current = id;
    this.putExt(shared ? [Ext.View, name, 'shared'] : [Ext.View, name]);
    const depth = this.depth;
    this.segments[depth] = 0;
    this.depth = depth + 1;
    this.hidden++;
    const bufferJson = known === undefined ? this.buffer(buffer) : this.reference(known, buffer, this.byPrototype);
    this.hidden--;
    this.depth = depth;
    this.leave(id);
    const length = value instanceof DataView ? value.byteLength : (value as Uint8Array).length;
    return [bufferJson, value.byteOffset, length];
  }
}

/**
 * The elements of a typed array as a list of numbers, as superjson writes them; `undefined` when
 * a float array holds a number JSON cannot write (NaN, ±Infinity, -0), which the list would lose.
 */
function numberList(view: Float64Array, float: boolean): number[] | undefined {
  const length = view.length;
  const list = new Array<number>(length);
  for (let i = 0; i < length; i++) {
    const n = view[i] as number;
    if (float && (n - n !== 0 || (n === 0 && 1 / n < 0))) return undefined;
    list[i] = n;
  }
  return list;
}

/** The `maxByteLength` of a resizable ArrayBuffer, or `undefined` for any other buffer. */
export function resizableMax(buffer: ArrayBufferLike): number | undefined {
  const resizable = buffer as { resizable?: boolean; maxByteLength?: number };
  return resizable.resizable === true ? resizable.maxByteLength : undefined;
}

function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}

/** The text of a number in a wrapper object; `String` would lose the sign of -0. */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}
