/**
 * Rebuilding row data on decode: one builder per key list, made once per thread and reused.
 *
 * Where the runtime allows code generation a builder is an object literal with the row's keys,
 * which creates each object with its final shape in one step; elsewhere (`--disallow-code-
 * generation-from-strings`, a `__proto__` key, very long key lists) a loop defines the keys.
 * @module
 */
import { CelerityError } from '../errors.js';
import { setOwn } from './own-property.js';

/** Makes the object of one row: the values at `offset`, `offset + 1`, … under the shape's keys. */
export type RowBuilder = (values: readonly unknown[], offset: number) => Record<string, unknown>;

/** Builders kept per key list; past this many, further key lists get a builder that is not kept. */
const CACHE_LIMIT = 1024;
/** Key lists longer than this are built by the loop: a literal that long gains nothing. */
const LITERAL_KEY_LIMIT = 128;

const cache = new Map<string, RowBuilder>();
let codeGeneration = true;

/** The builder for a shape of the wire; anything but a list of strings is `ERR_BAD_WIRE`. */
export function rowBuilder(keys: unknown): RowBuilder {
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw new CelerityError('ERR_BAD_WIRE', 'decode: a row shape of this wire is not a list of property names');
  }
  const id = JSON.stringify(keys);
  const known = cache.get(id);
  if (known !== undefined) return known;
  const builder = literalBuilder(keys) ?? loopBuilder(keys);
  if (cache.size < CACHE_LIMIT) cache.set(id, builder);
  return builder;
}

function literalBuilder(keys: readonly string[]): RowBuilder | undefined {
  // A literal `"__proto__": v` would set the prototype instead of defining a property.
  if (!codeGeneration || keys.length > LITERAL_KEY_LIMIT || keys.includes('__proto__')) return undefined;
  // Keys are written as JSON string literals, which are JavaScript string literals too: nothing in
  // a key can escape its quotes.
  const fields = keys.map((key, i) => `${JSON.stringify(key)}: v[o + ${String(i)}]`).join(', ');
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point: a literal of these keys
    return new Function('v', 'o', `'use strict'; return { ${fields} };`) as RowBuilder;
  } catch {
    codeGeneration = false;
    return undefined;
  }
}

function loopBuilder(keys: readonly string[]): RowBuilder {
  return (values, offset) => {
    const data: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      const value = values[offset + i];
      setOwn(data, key, value);
    }
    return data;
  };
}
