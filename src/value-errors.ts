/**
 * The errors about a value that cannot travel, shared by the structured-clone codec and the JSON
 * wire: the same codes and advice, worded for where the value was going.
 * @module
 */
import { className } from './builtins.js';
import { celerityError, type CelerityError } from './errors.js';

/** Where a value was going, as the messages put it. */
export interface Medium {
  /** The operation, as in "Cannot encode ..." or "Cannot stringify ...". */
  readonly verb: string;
  /** What cannot happen to such a value, e.g. "sent to another thread". */
  readonly fate: string;
}

/** The structured-clone codec: values go to another thread. */
export const TO_THREAD: Medium = { verb: 'encode', fate: 'sent to another thread' };
/** The JSON wire: values become text. */
export const TO_JSON: Medium = { verb: 'stringify', fate: 'written as JSON' };

/** `ERR_UNCLONEABLE` for a value of the given kind (`function`, `symbol` or a class name). */
export function uncloneableError(kind: string, medium: Medium): CelerityError {
  const hint =
    kind === 'function'
      ? `functions cannot be ${medium.fate}; leave it out, or hold it in a registered class whose toSerialisable() omits it`
      : kind === 'symbol'
        ? `symbols cannot be ${medium.fate}; use a string instead`
        : `a ${kind} cannot be ${medium.fate}; send the data it holds instead`;
  return celerityError('ERR_UNCLONEABLE', `Cannot ${medium.verb} a ${kind}: ${hint}`);
}

/** `ERR_UNREGISTERED_CLASS` for an instance of a class the registry does not know. */
export function unregisteredError(value: object, medium: Medium): CelerityError {
  const name = className(value);
  return celerityError(
    'ERR_UNREGISTERED_CLASS',
    `Cannot ${medium.verb} an instance of ${name}: the class is not registered. Give it toSerialisable() and static fromSerialisable(data), then call register(${name}, { id: '${name}', module: import.meta.url }) (or use @serialisable), or ${medium.verb} with { strict: false } to send it as a plain object`,
  );
}

/** `ERR_CYCLE` for an instance (or error, `description` says which) met again inside its own data. */
export function instanceCycleError(description: string, classId: string | undefined): CelerityError {
  return celerityError(
    'ERR_CYCLE',
    `${description} is reached again from its own data; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable() (send an id instead of the object)`,
    classId === undefined ? {} : { classId },
  );
}
