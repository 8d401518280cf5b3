/**
 * The error protocol: how any Error travels without methods of its own. An error becomes a record
 * of its `name`, `message`, `stack`, `cause`, own enumerable properties and (AggregateError)
 * `errors`; on arrival it is rebuilt as an instance of its registered class, without running that
 * class's constructor, or as a {@link RemoteError} when the class is unknown there.
 * @module
 */
import { RemoteError } from '../errors.js';
import type { ClassLike } from './registry.js';
import { ownValue } from './own-property.js';

/** The data an error travels as. The encoder converts `cause`, `errors` and `props` in place. */
export interface ErrorRecord {
  name: string;
  /** Absent when the error has no own `message` data property (as structured clone leaves it). */
  message?: string;
  stack?: string;
  /** Present (possibly `undefined`) only when the error had an own `cause`. */
  cause?: unknown;
  hasCause?: 1;
  errors?: unknown[];
  props?: Record<string, unknown>;
}

/** Whether `value` has the shape of a record {@link errorToRecord} makes (its nested values aside). */
export function isErrorRecord(value: unknown): value is ErrorRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  const field = (key: string): unknown => ownValue(record, key);
  const message = field('message');
  if (typeof field('name') !== 'string' || (message !== undefined && typeof message !== 'string')) return false;
  const stack = field('stack');
  const hasCause = field('hasCause');
  const errors = field('errors');
  const props = field('props');
  return (
    (stack === undefined || typeof stack === 'string') &&
    (hasCause === undefined || hasCause === 1) &&
    (errors === undefined || Array.isArray(errors)) &&
    (props === undefined || (typeof props === 'object' && props !== null && !Array.isArray(props)))
  );
}

/** Keys that the record carries in their own fields, never among `props`. */
const OWN_FIELDS = new Set(['name', 'message', 'stack', 'cause', 'errors']);

/** Takes an error apart into a fresh record (its nested values still raw). */
export function errorToRecord(error: Error): ErrorRecord {
  const record: ErrorRecord = { name: safeString(() => error.name, 'Error') };
  // As structured clone reads them: `message` and `cause` only as own data properties (a getter is
  // not run), a message that is not a string as its text.
  const message = Object.getOwnPropertyDescriptor(error, 'message');
  if (message !== undefined && 'value' in message) record.message = messageText(message.value);
  const stack = safeString(() => error.stack, '');
  if (stack !== '') record.stack = stack;
  const cause = Object.getOwnPropertyDescriptor(error, 'cause');
  if (cause !== undefined && 'value' in cause) {
    record.hasCause = 1;
    record.cause = cause.value;
  }
  if (error instanceof AggregateError && Array.isArray(error.errors)) record.errors = (error.errors as unknown[]).slice();
  let props: Record<string, unknown> | undefined;
  for (const key of Object.keys(error)) {
    if (OWN_FIELDS.has(key)) continue;
    props ??= Object.create(null) as Record<string, unknown>;
    define(props, key, (error as unknown as Record<string, unknown>)[key], true);
  }
  if (props !== undefined) record.props = props;
  return record;
}

/** A message's text: a string as it is, anything else as `String()` gives it (`''` if that throws). */
function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return String(value);
  } catch {
    return '';
  }
}

function safeString(read: () => unknown, fallback: string): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : fallback;
  } catch {
    return fallback;
  }
}

const NATIVE_ERRORS: readonly ErrorConstructor[] = [TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError as unknown as ErrorConstructor, Error];

/** The nearest built-in error constructor on `cls`'s prototype chain: the one that can make its instances. */
function nativeBase(cls: ClassLike): ErrorConstructor {
  for (const base of NATIVE_ERRORS) if (cls === base || cls.prototype instanceof base) return base;
  return Error;
}

/**
 * Rebuilds an error from its record. `cls` is the registered class, or `undefined` when the id is
 * unknown in this thread (the result is then a {@link RemoteError}).
 */
export function recordToError(record: ErrorRecord, cls: ClassLike | undefined): Error {
  let error: Error;
  if (cls === undefined) {
    error = new RemoteError(record.name, record.message);
  } else if (typeof DOMException === 'function' && cls === DOMException) {
    error = new DOMException(record.message, record.name);
  } else {
    // Reflect.construct makes a genuine native error with the class's prototype, without running
    // the class's own constructor (which may want arguments we do not have).
    const base = nativeBase(cls);
    error = Reflect.construct(base, base === (AggregateError as unknown) ? [[], record.message] : [record.message], cls as unknown as ErrorConstructor) as Error;
    if (error.name !== record.name) define(error, 'name', record.name, false);
  }
  if (record.stack !== undefined) define(error, 'stack', record.stack, false);
  if (record.hasCause === 1) define(error, 'cause', record.cause, false);
  if (record.errors !== undefined) define(error, 'errors', record.errors, false);
  if (record.props !== undefined) {
    for (const key of Object.keys(record.props)) define(error, key, record.props[key], true);
  }
  return error;
}

/** Defines an own data property; safe for keys such as `__proto__`. */
function define(target: object, key: string, value: unknown, enumerable: boolean): void {
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable });
}
