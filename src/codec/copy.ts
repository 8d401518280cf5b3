/**
 * Shallow copies the encoders make of a container when something inside it is replaced, so that
 * the input is never mutated.
 * @module
 */

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
