/**
 * The errors of the JSON wire, worded for text rather than for threads; codes match the codec's.
 * @module
 */
import { className } from '../builtins.js';
import { CelerityError, celerityError } from '../errors.js';

/** `ERR_UNCLONEABLE` for a value that JSON text cannot carry. */
export function notWritable(kind: string): CelerityError {
  const hint =
    kind === 'function'
      ? 'functions cannot be written as JSON; leave it out, or hold it in a registered class whose toSerialisable() omits it'
      : kind === 'symbol'
        ? 'symbols cannot be written as JSON; use a string instead'
        : `a ${kind} cannot be written as JSON; send the data it holds instead`;
  return celerityError('ERR_UNCLONEABLE', `Cannot stringify a ${kind}: ${hint}`);
}

/** `ERR_UNREGISTERED_CLASS` for an instance of a class the registry does not know. */
export function unregisteredClass(value: object): CelerityError {
  const name = className(value);
  return celerityError(
    'ERR_UNREGISTERED_CLASS',
    `Cannot stringify an instance of ${name}: the class is not registered. Give it toSerialisable() and static fromSerialisable(data), then call register(${name}, { id: '${name}', module: import.meta.url }) (or use @serialisable), or stringify with { strict: false } to send it as a plain object`,
  );
}

/** `ERR_CYCLE` for an instance (or error) met again inside its own data. */
export function instanceCycle(description: string, classId: string | undefined): CelerityError {
  return celerityError(
    'ERR_CYCLE',
    `${description} is reached again from its own data; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable() (send an id instead of the object)`,
    classId === undefined ? {} : { classId },
  );
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
