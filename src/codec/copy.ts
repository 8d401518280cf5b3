/**
 * Shallow copies the encoders make of a container when something inside it is replaced, so that
 * the input is never mutated.
 * @module
 */

import { isArrayIndex, namedKeys } from './array-named-keys.js';
import { getOwn, setOwn } from './own-property.js';

/** A shallow copy of a plain object, keeping a null prototype and own `__proto__` keys as data. */
export function copyObject(source: Record<string, unknown>): Record<string, unknown> {
  // Spread defines properties (it never calls the `__proto__` setter), so such keys stay data.
  return Object.getPrototypeOf(source) === null ? Object.assign(Object.create(null) as Record<string, unknown>, source) : { ...source };
}

/** A new Map holding the first `count` entries of `source`. */
export function copyMapPrefix(source: Map<unknown, unknown>, count: number): Map<unknown, unknown> {
  const copy = new Map<unknown, unknown>();
  if (count === 0) return copy;
  for (const [key, value] of source) {
    copy.set(key, value);
    if (copy.size === count) break;
  }
  return copy;
}

/** A new Set holding the first `count` members of `source`. */
export function copySetPrefix(source: Set<unknown>, count: number): Set<unknown> {
  const copy = new Set<unknown>();
  if (count === 0) return copy;
  for (const member of source) {
    copy.add(member);
    if (copy.size === count) break;
  }
  return copy;
}

/**
 * The indices at or after `from` that `source` has, in order. For the rest of an array found to
 * have a hole: a sparse array's length may be far beyond its elements (`length = 1e8` holding
 * three), and walking it by length would cost what structured clone does not.
 */
export function presentIndices(source: readonly unknown[], from: number): number[] {
  const indices: number[] = [];
  // Object.keys lists an array's indices first, ascending, then its named properties (among them
  // integer-like keys from 2³² − 1 up, which are not indices).
  for (const key of Object.keys(source)) {
    if (!isArrayIndex(key)) break;
    const index = Number(key);
    if (index >= from) indices.push(index);
  }
  return indices;
}

/** The index of the first hole of `source`, or its length when it has none. */
export function firstHole(source: readonly unknown[]): number {
  for (let i = 0; i < source.length; i++) if (source[i] === undefined && !(i in source)) return i;
  return source.length;
}

/**
 * A copy of an array's elements and named properties; for a sparse one (`sparse`, or found so
 * here), made from the elements it has, as `slice` walks the whole length.
 */
export function copyArray(source: readonly unknown[], sparse: boolean): unknown[] {
  let copy: unknown[];
  // A long array not yet known to be sparse may still have a hole past where the walk is.
  if (!sparse && (source.length < 65_536 || firstHole(source) === source.length)) {
    copy = source.slice();
  } else {
    copy = [];
    copy.length = source.length;
    for (const index of presentIndices(source, 0)) copy[index] = source[index];
  }
  // Neither slice nor the indices bring named properties.
  const named = namedKeys(source);
  if (named !== undefined) for (const key of named) setOwn(copy, key, getOwn(source, key));
  return copy;
}
