/**
 * Own data properties written and read safely whatever their key: an assignment to `__proto__`
 * would call the prototype setter, and a read of it would return the prototype.
 * @module
 */

/** Sets `key` as an own, enumerable data property of `target`; `__proto__` is defined, never assigned. */
export function setOwn(target: object, key: string | number, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else (target as Record<string | number, unknown>)[key] = value;
}

/** The value of `target`'s own property `key`, never an inherited one (`undefined` when it has none). */
export function ownValue(target: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(target, key)?.value;
}

/** The value of `target`'s own property `key`, read as such even when the key is `__proto__`. */
export function getOwn(target: object, key: string | number): unknown {
  return key === '__proto__' ? Object.getOwnPropertyDescriptor(target, key)?.value : (target as Record<string | number, unknown>)[key];
}
