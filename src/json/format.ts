/**
 * The layout of celerity's JSON text: a versioned envelope around a superjson payload.
 *
 * ```json
 * {"celerity":2,"json":[{"name":"a","at":"2024-01-01T00:00:00.000Z"},null],"meta":{"values":{"0":[["custom","geo.Stop"],{"at":["Date"]}]},"referentialEqualities":{"0":["1"]},"v":1}}
 * ```
 *
 * `json` and `meta` are a superjson payload, written in superjson's own forms wherever superjson
 * has one (annotation trees keyed by dotted, escaped paths; `undefined`, `bigint`, `number`,
 * `Date`, `regexp`, `URL`, `map`, `set`, `Error`, `["typed-array", name]`; registered classes as
 * `["custom", id]`; shared objects and cycles as `referentialEqualities`), so stock superjson reads
 * the text without error and gets what its own round trip would give. What superjson has no form
 * for rides in the top-level `ext` field, which superjson never reads: annotations of celerity's
 * own (see {@link Ext}), each with the raw path of its place, and shared objects superjson could
 * not follow (inside instance data, an error's extra properties, a view's buffer) in `ext.defs`.
 *
 * Version 1 texts (everything in `meta`: celerity's annotations headed `"celerity"` in
 * `meta.values`, every shared object in `meta.defs`, errors as records with `hasCause`, typed
 * arrays in base64) are still read.
 * @module
 */

/** The version of the envelope and everything inside it; bumped whenever its meaning changes. */
export const JSON_FORMAT_VERSION = 2;

/** The versions this copy reads: its own and every earlier one. */
export type ReadableJsonVersion = 1 | 2;

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
 * One shared object superjson's `referentialEqualities` cannot carry: `[kind, ...path]`, the path
 * as raw segments from the root. Kind {@link DEF_VALUE} is the value at the path; {@link DEF_DATA}
 * is the data of the class instance at the path (what `toSerialisable()` returned);
 * {@link DEF_BUFFER} is the buffer of the view at the path. Later occurrences are `["ref"]`
 * annotations (`["celerity","ref"]` in version 1) whose json is the entry's index.
 */
export type DefEntry = [kind: number, ...path: (string | number)[]];

/** The value at the path. */
export const DEF_VALUE = 0;
/** The data a class instance at the path was written from. */
export const DEF_DATA = 1;
/** The buffer of the typed array or DataView at the path. */
export const DEF_BUFFER = 2;

/**
 * superjson's `referentialEqualities`: for each shared object, the (escaped, dotted) path of its
 * first occurrence and the paths of the others; the root's own list first when the root is shared.
 */
export type ReferentialEqualities = Record<string, string[]> | [root: string[]] | [root: string[], others: Record<string, string[]>];

/** What the `meta` field holds: superjson's meta (plus, in version 1, celerity's list of shared objects). */
export interface JsonMeta {
  /** superjson's value annotations: an annotation for the root, or annotations below it. */
  values?: Annotation | AnnotationChildren;
  /** Shared objects and cycles as superjson writes them (version 2). */
  referentialEqualities?: ReferentialEqualities;
  /** Version 1 only: every object that occurs more than once (version 2 keeps such a list in `ext.defs`). */
  defs?: DefEntry[];
  /** superjson's path syntax version (1: dots and backslashes in keys are escaped). */
  v: 1;
}

/** The type of one of celerity's own annotations: its kind (see {@link Ext}) and what it needs. */
export type ExtType = string[];

/** One of celerity's own annotations and the raw path segments of its place: `[type, ...path]`. */
export type ExtEntry = [type: ExtType, ...path: (string | number)[]];

/** What superjson has no form for, kept where superjson does not look. */
export interface JsonExt {
  /** celerity's own annotations, each with its place. */
  types?: ExtEntry[];
  /** Shared objects that `meta.referentialEqualities` cannot carry, in the order their second occurrence was met. */
  defs?: DefEntry[];
}

/** The JSON-compatible form of a value, as `serialize` returns and `deserialize` takes it. */
export interface JsonWire {
  /** Format version ({@link JSON_FORMAT_VERSION} when written by this copy; version 1 is still read). */
  celerity: ReadableJsonVersion;
  /** The value as plain JSON (superjson's `json`). */
  json: JsonValue;
  /** How to turn `json` back into the value, as superjson reads it; absent when nothing needs it. */
  meta?: JsonMeta;
  /** What superjson has no form for; absent when nothing needs it. */
  ext?: JsonExt;
}

/**
 * The native error classes a version 2 error record's `name` implies: an error of one of these,
 * still named as its class, needs no `["error", id]` beside superjson's `Error` annotation.
 */
export const NATIVE_ERROR_NAMES: ReadonlySet<string> = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError']);

/** The head of celerity's own annotations in version 1 texts (`["celerity", kind, ...]`). */
export const EXT = 'celerity';

/** Kinds of celerity's own annotations (the first element of an {@link ExtType}). */
export const Ext = {
  /** `["class",id]`: a class instance whose data needs an annotation of its own; json `[data]`. */
  Class: 'class',
  /**
   * `["error",id]`: the class of an error, beside superjson's `Error` annotation; `id` is `""` for
   * an error of no registered class. Absent when the record's name is a native error class's
   * ({@link NATIVE_ERROR_NAMES}) and the error is of that class. (Version 1: alone, always.)
   */
  Error: 'error',
  /** `["ref"]`: another occurrence of shared object number `json` (see {@link JsonExt.defs}). */
  Ref: 'ref',
  /** `["hole"]`: a missing element of an array with a few holes. */
  Hole: 'hole',
  /**
   * `["sparse"]`: an array with more holes than elements (after its first hole), written as an
   * object of its elements by index, plus `length`: `{"0":a,"99999999":b,"length":1e8}`.
   */
  Sparse: 'sparse',
  /** `["null"]`: a plain object with a null prototype. */
  NullProto: 'null',
  /**
   * `["buffer"]`: bytes in base64; `,"shared"` for a SharedArrayBuffer, `,"resizable",max` for a
   * resizable ArrayBuffer (its `maxByteLength`, as text).
   */
  Buffer: 'buffer',
  /**
   * `["view",ctor]` (`,"shared"`): base64 bytes (a view over a whole fixed buffer, or a Node Buffer),
   * or `[buffer, byteOffset, length]` with the whole buffer. Typed arrays superjson knows, over a
   * whole fixed buffer and holding only numbers JSON writes, use superjson's `typed-array` instead.
   */
  View: 'view',
  /** `["wrapper",type]`: a Number, String, Boolean or BigInt object; json is its text. */
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

/**
 * `path.split('.')`, written out: `split` costs about 300 ns a path here against 80 for this, and
 * its segments are slower keys in the plan's index (a thousand elements' paths, `"0.0"` to
 * `"0.999"`, took 0.4 ms to split and file against 0.13).
 */
function splitAtDots(path: string): string[] {
  const segments: string[] = [];
  let from = 0;
  for (;;) {
    const dot = path.indexOf('.', from);
    if (dot < 0) {
      segments.push(from === 0 ? path : path.slice(from));
      return segments;
    }
    segments.push(path.slice(from, dot));
    from = dot + 1;
  }
}

/** Splits a superjson (v1) path into its raw segments; `undefined` when the escaping is invalid. */
export function parsePath(path: string): string[] | undefined {
  if (!path.includes('\\')) return splitAtDots(path);
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
