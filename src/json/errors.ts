/**
 * The errors of the JSON wire, worded for text rather than for threads; codes match the codec's.
 * @module
 */
import { CelerityError, celerityError } from '../errors.js';
import { TO_JSON, uncloneableError, unregisteredError } from '../value-errors.js';

/** `ERR_UNCLONEABLE` for a value that JSON text cannot carry. */
export function notWritable(kind: string): CelerityError {
  return uncloneableError(kind, TO_JSON);
}

/** `ERR_UNREGISTERED_CLASS` for an instance of a class the registry does not know. */
export function unregisteredClass(value: object): CelerityError {
  return unregisteredError(value, TO_JSON);
}

/** `ERR_CYCLE` for a container met again from inside the data of an instance it holds. */
export function containerCycle(): CelerityError {
  return celerityError(
    'ERR_CYCLE',
    "A Serialisable's data leads back to a container that holds the instance itself; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable()",
  );
}

/** A short JSON-like rendering of a value from a text, for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: unknown;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') return typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** `ERR_BAD_JSON`: the text (or its parsed form) is not what `stringify` writes. */
export function badJson(message: string, cause?: unknown): CelerityError {
  return new CelerityError('ERR_BAD_JSON', `parse: ${message}`, cause === undefined ? {} : { cause });
}
