/**
 * The named properties of arrays (`list.total = 3`): structured clone carries them, so the
 * encoders and the JSON writer must too, without paying for a list of every index to find them.
 * @module
 */

import { inspect, types } from 'node:util';

/** Arrays up to this length are simply listed: their keys cost less than one look through `inspect`. */
const LISTED_LENGTH = 32;

/**
 * `inspect` with no elements shown: what remains after `[ ... n more items` are the array's
 * enumerable own non-index properties, which V8 finds without making a string per index.
 */
const KEYS_ONLY = { depth: 0, maxArrayLength: 0, maxStringLength: 0, customInspect: false, showHidden: false, getters: false, showProxy: false, breakLength: Infinity } as const;

/**
 * The enumerable own string keys of `array` that are not indices, in the order they were made;
 * `undefined` when it has none (nearly always). Costs a constant for a long ordinary array
 * without named keys, where `Object.keys` would cost more than writing its elements.
 */
export function namedKeys(array: readonly unknown[]): string[] | undefined {
  const length = array.length;
  // An ordinary array with no named keys shows exactly this; anything else (named or symbol keys,
  // another prototype, a proxy, another version's wording) is listed, so a change can only cost time.
  if (length > LISTED_LENGTH && !types.isProxy(array) && inspect(array, KEYS_ONLY) === `[ ... ${String(length)} more items ]`) return undefined;
  const keys = Object.keys(array);
  // Own keys list array indices first, ascending, then every other string key in creation order.
  let first = keys.length;
  while (first > 0 && !isArrayIndex(keys[first - 1] as string)) first--;
  return first === keys.length ? undefined : keys.slice(first);
}

/** Whether `key` is an array index: the canonical text of an integer from 0 to 2³² − 2. */
export function isArrayIndex(key: string): boolean {
  const n = Number(key);
  return Number.isInteger(n) && n >= 0 && n < 2 ** 32 - 1 && String(n) === key;
}
