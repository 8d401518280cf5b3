/**
 * The shape of an encoded value: what `encode` produces and `decode` consumes. Shared by both
 * sides of the codec and nothing else.
 *
 * A wire carries the value with every registered instance replaced by its data, and beside it a
 * flat list of the *places* where replacements happened. Structured clone keeps object identity
 * inside one message, so after cloning each place still points at the right container, and
 * decode visits exactly those places (innermost first) without ever walking plain data. Data
 * that merely looks like an envelope is never on that list, so it can never be decoded as one.
 * @module
 */

/** The version of the wire layout; bumped whenever its meaning changes. */
export const WIRE_VERSION = 3;

/** A property of a plain object or array: `container[key] = instance`. */
export const PLACE_PROPERTY = 0;
/** A Map value: `container.set(key, instance)`. */
export const PLACE_MAP_VALUE = 1;
/** Instances used as Map keys: the Map is rebuilt once, in order, with its boxed keys replaced. */
export const PLACE_MAP_KEYS = 2;
/** Instances held in a Set: the Set is rebuilt once, in order, with its boxed members replaced. */
export const PLACE_SET_MEMBERS = 3;
/** A null-prototype object: structured clone gives it `Object.prototype`, decode takes that away. */
export const PLACE_NULL_PROTOTYPE = 4;

/**
 * A value of a row: `d[key] = instance`. Its container in `p` is unused (`0`): the row values
 * array is the wire's `d`.
 */
export const PLACE_ROW_VALUE = 5;

/** Slots each place takes in {@link Wire.f}: kind, class, instance, key reference. */
export const FACT_SLOTS = 4;

/** Slots each instance takes in {@link Wire.r}: shape index (or -1), offset in `d`. */
export const ROW_SLOTS = 2;

/**
 * One class a wire uses: its id, the module URL that defines it (if registered with one), and
 * `1` when it travels by the error protocol.
 */
export type ClassRow = [id: string, module: string | null, isError: 0 | 1];

/**
 * The facts of a wire's places (see {@link Wire.f}): a list of numbers for a few places (structured
 * clone copies a short list faster than the smallest typed array), an Int32Array beyond.
 */
export type Facts = Int32Array | readonly number[];

/** Places up to which the facts travel as a list of numbers (see {@link Facts}). */
export const LISTED_FACT_PLACES = 16;

/**
 * An encoded value, safe for structured clone and `postMessage`. Treat it as opaque: pass it to
 * `structuredClone`, `postMessage` or `decode`, nothing else.
 */
export interface Wire {
  /** Layout version. */
  readonly w: typeof WIRE_VERSION;
  /** The value, with registered instances replaced by their data. */
  v: unknown;
  /** The container of each place, innermost first; absent when there is nothing to rebuild. */
  p?: unknown[];
  /**
   * Kind, class index, instance number and key reference of each place, beside `p`. A negative
   * class index `~i` means the data is boxed as `[data]`. A key reference `r >= 0` is the array
   * index `r`; `~i` is entry `i` of `k`. Map-keys and Set-members places find their boxes in `k`
   * as `[box, class, instance, ...]`.
   */
  f?: Facts;
  /** Place keys that are not array indices: property names (each once), Map keys, box lists. */
  k?: unknown[];
  /** The classes the places refer to, by index. */
  c?: ClassRow[];
  /** How many distinct instances the places rebuild. */
  n?: number;
  /**
   * Key lists of the rows (see `r`): instance data that is a plain object travels as its values
   * in `d`, with its keys here once per wire, because cloning property names is most of the cost
   * of cloning small objects. Absent when no data went as a row.
   */
  s?: (readonly string[])[];
  /** For each instance: the index in `s` of its data's shape and the offset of its row in `d`; -1 when its data is not a row. */
  r?: Int32Array;
  /** The values of every row, one after another. */
  d?: unknown[];
}
