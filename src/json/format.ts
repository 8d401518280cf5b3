/**
 * The layout of celerity's JSON text: a versioned envelope around a superjson payload.
 *
 * ```json
 * {"celerity":1,"json":[{"name":"a","at":"2024-01-01T00:00:00.000Z"}],"meta":{"values":{"0":[["custom","geo.Stop"],{"at":["Date"]}]},"v":1}}
 * ```
 *
 * `json` and `meta.values` follow superjson's own layout (annotation trees keyed by dotted,
 * escaped paths; the built-in annotation names `undefined`, `bigint`, `number`, `Date`, `regexp`,
 * `map`, `set`; registered classes as `["custom", id]`), so a stock SuperJSON that registers the
 * same classes reads a payload that uses nothing more. What superjson cannot express travels as
 * annotations headed `"celerity"` (see {@link Ext}), which stock superjson refuses rather than
 * misreads, and shared objects are listed in `meta.defs`.
 * @module
 */

/** The version of the envelope and everything inside it; bumped whenever its meaning changes. */
export const JSON_FORMAT_VERSION = 1;

/** Any value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * The type part of an annotation: one of superjson's names, `["custom", classId]`, or one of
 * celerity's own, `["celerity", kind, ...]`.
 */
export type AnnotationType = string | string[];

/** A node's annotation: its type, and the annotations below it keyed by relative path. */
export type Annotation = [type: AnnotationType] | [type: AnnotationType, children: AnnotationChildren];

/** Annotations below a node (or below the root), keyed by superjson paths relative to it. */
export type AnnotationChildren = Record<string, Annotation>;

/**
 * One shared object: `[kind, ...path]`, the path as raw segments from the root. Kind
 * {@link DEF_VALUE} is the value at the path; {@link DEF_DATA} is the data of the class instance at
 * the path (what `toSerialisable()` returned); {@link DEF_BUFFER} is the buffer of the view at
 * the path. Later occurrences are `["celerity","ref"]` annotations holding the entry's index.
 */
export type DefEntry = [kind: number, ...path: (string | number)[]];

/** The value at the path. */
export const DEF_VALUE = 0;
/** The data a class instance at the path was written from. */
export const DEF_DATA = 1;
/** The buffer of the typed array or DataView at the path. */
export const DEF_BUFFER = 2;

/** What the `meta` field holds: superjson's meta plus celerity's list of shared objects. */
export interface JsonMeta {
  /** superjson's value annotations: an annotation for the root, or annotations below it. */
  values?: Annotation | AnnotationChildren;
  /** Objects that occur more than once, in the order their second occurrence was met. */
  defs?: DefEntry[];
  /** superjson's path syntax version (1: dots and backslashes in keys are escaped). */
  v: 1;
}

/** The JSON-compatible form of a value, as `serialize` returns and `deserialize` takes it. */
export interface JsonWire {
  /** Format version ({@link JSON_FORMAT_VERSION}). */
  celerity: typeof JSON_FORMAT_VERSION;
  /** The value as plain JSON (superjson's `json`). */
  json: JsonValue;
  /** How to turn `json` back into the value; absent when `json` is the value. */
  meta?: JsonMeta;
}

/** The head of celerity's own annotations, and their kinds. */
export const EXT = 'celerity';

/** Kinds of celerity's own annotations (the second element of `["celerity", kind, ...]`). */
export const Ext = {
  /** `["celerity","class",id]`: a class instance whose data needs an annotation of its own; json `[data]`. */
  Class: 'class',
  /** `["celerity","error",id]`: an Error by the error protocol; `id` is `""` for an unregistered class. */
  Error: 'error',
  /** `["celerity","ref"]`: another occurrence of shared object number `json` (see `meta.defs`). */
  Ref: 'ref',
  /** `["celerity","hole"]`: a missing element of an array with a few holes. */
  Hole: 'hole',
  /**
   * `["celerity","sparse"]`: an array with more holes than elements (after its first hole),
   * written as an object of its elements by index, plus `length`: `{"0":a,"99999999":b,"length":1e8}`.
   */
  Sparse: 'sparse',
  /** `["celerity","null"]`: a plain object with a null prototype. */
  NullProto: 'null',
  /**
   * `["celerity","buffer"]`: bytes in base64; `,"shared"` for a SharedArrayBuffer, `,"resizable",max`
   * for a resizable ArrayBuffer (its `maxByteLength`, as text).
   */
  Buffer: 'buffer',
  /**
   * `["celerity","view",ctor]` (`,"shared"`): base64 bytes (a view over a whole fixed buffer, or a
   * Node Buffer), or `[buffer, byteOffset, length]` with the whole buffer.
   */
  View: 'view',
  /** `["celerity","wrapper",type]`: a Number, String, Boolean or BigInt object; json is its text. */
  Wrapper: 'wrapper',
} as const;

/**
 * An annotation shared by every wire the writer makes (a leaf's, which never gains children),
 * frozen, so that a caller who changes a wire it was given cannot change the wires made after it.
 */
export function sharedAnnotation<T extends Annotation | AnnotationType>(annotation: T): T {
  for (const part of annotation) if (Array.isArray(part)) Object.freeze(part);
  return Object.freeze(annotation);
}

/** Escapes a key for a superjson (v1) path: backslashes and dots are backslash-escaped. */
export function escapeSegment(segment: string | number): string {
  if (typeof segment === 'number') return String(segment);
  // split/join, not a regular expression: this runs deep inside a walk (see codec/path.ts).
  return segment.includes('.') || segment.includes('\\') ? segment.split('\\').join('\\\\').split('.').join('\\.') : segment;
}

/** Splits a superjson (v1) path into its raw segments; `undefined` when the escaping is invalid. */
export function parsePath(path: string): string[] | undefined {
  if (!path.includes('\\')) return path.split('.');
  const segments: string[] = [];
  let segment = '';
  for (let i = 0; i < path.length; i++) {
    const char = path.charAt(i);
    if (char === '\\') {
      const next = path.charAt(i + 1);
      if (next !== '\\' && next !== '.') return undefined;
      segment += next;
      i++;
    } else if (char === '.') {
      segments.push(segment);
      segment = '';
    } else {
      segment += char;
    }
  }
  segments.push(segment);
  return segments;
}
