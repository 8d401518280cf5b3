/**
 * The JSON writer's leaves: values written as text with an annotation saying what they were
 * (dates, regular expressions, boxed primitives, buffers and typed-array views). A view over a
 * buffer met before refers to it, so shared memory stays shared.
 * @module
 */
import { className, isUsableView } from '../codec/builtins.js';
import type { RegistryEntry } from '../codec/registry.js';
import { brokenViewError, TO_JSON, uncloneableError } from '../errors.js';
import { Buffer } from 'node:buffer';
import { toBase64, viewName } from './bytes.js';
import { isoText } from './date.js';
import { EXT, Ext, sharedAnnotation, type Annotation, type AnnotationType, type JsonValue } from './format.js';
import { ReferenceWriter } from './references.js';

// Leaf annotations never gain children, so one (frozen) array each serves every occurrence.
const DATE: Annotation = sharedAnnotation(['Date']);
/** A RegExp, written as its source text. */
export const REGEXP: Annotation = sharedAnnotation(['regexp']);
/** An ArrayBuffer. */
const BUFFER: Annotation = sharedAnnotation([[EXT, Ext.Buffer]]);
/** A SharedArrayBuffer. */
const SHARED_BUFFER: Annotation = sharedAnnotation([[EXT, Ext.Buffer, 'shared']]);

/** Writes the leaves of one stringify call; the walk builds on it. */
export class LeafWriter extends ReferenceWriter {
  /** The registered classes by prototype (to name an instance in a cycle error). */
  protected readonly byPrototype: ReadonlyMap<object, RegistryEntry>;

  constructor(byPrototype: ReadonlyMap<object, RegistryEntry>) {
    super();
    this.byPrototype = byPrototype;
  }

  protected date(value: Date): JsonValue {
    return this.leaf(value, DATE, isoText(value));
  }

  /** A value with no children: remembered (for identity), annotated, written as `json`. */
  protected leaf(value: object, annotation: Annotation, json: JsonValue): JsonValue {
    this.done(this.enter(value));
    this.put(annotation);
    return json;
  }

  protected wrapper(value: object, type: string, text: string): JsonValue {
    return this.leaf(value, [[EXT, Ext.Wrapper, type]], text);
  }

  /** A buffer, annotated as what it is: shared, resizable (with how far it may grow), or plain. */
  protected buffer(value: ArrayBufferLike): JsonValue {
    const max = resizableMax(value);
    const annotation: Annotation = isShared(value) ? SHARED_BUFFER : max === undefined ? BUFFER : [[EXT, Ext.Buffer, 'resizable', String(max)]];
    return this.leaf(value, annotation, toBase64(value, 0, value.byteLength));
  }

  protected view(value: ArrayBufferView): JsonValue {
    const name = viewName(value);
    if (name === undefined) throw uncloneableError(className(value), TO_JSON);
    if (!isUsableView(value)) throw brokenViewError(name, TO_JSON);
    const buffer = value.buffer;
    const type: AnnotationType = isShared(buffer) ? [EXT, Ext.View, name, 'shared'] : [EXT, Ext.View, name];
    const known = this.ids.get(buffer);
    const id = this.enter(value);
    const whole = value.byteOffset === 0 && value.byteLength === buffer.byteLength && resizableMax(buffer) === undefined;
    if (known === undefined && (whole || Buffer.isBuffer(value))) {
      // Compact form: the view's own bytes. One over a whole buffer lets the buffer be shared; a Node
      // Buffer sends only its own bytes, never the pool it may sit in.
      if (whole) this.enterBufferOf(buffer, id);
      this.done(id);
      this.put([type]);
      return toBase64(buffer, value.byteOffset, value.byteLength);
    }
    // Full form: the buffer (written here, or referred to when it was met before), the offset and
    // the length, so the view arrives over the whole buffer, as structured clone delivers it.
    this.current = id;
    const depth = this.openOwner();
    this.segments[depth] = 0;
    this.depth = depth + 1;
    const bufferJson = known === undefined ? this.buffer(buffer) : this.reference(known, buffer, this.byPrototype);
    this.depth = depth;
    this.close(type);
    this.leave(id);
    const length = value instanceof DataView ? value.byteLength : (value as Uint8Array).length;
    return [bufferJson, value.byteOffset, length];
  }
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
