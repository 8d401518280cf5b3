/**
 * Every error the library raises, and the fallback class for task errors whose class is not
 * registered where they land. Every error factory lives here, so a code is worded one way
 * wherever it is raised.
 * @module
 */

/** The stable codes carried by every {@link CelerityError}. */
export type CelerityErrorCode =
  | 'ERR_UNREGISTERED_CLASS'
  | 'ERR_UNCLONEABLE'
  | 'ERR_UNKNOWN_CLASS'
  | 'ERR_MODULE_NOT_ALLOWED'
  | 'ERR_CYCLE'
  | 'ERR_TO_SERIALISABLE'
  | 'ERR_FROM_SERIALISABLE'
  | 'ERR_DUPLICATE_ID'
  | 'ERR_NOT_SERIALISABLE'
  | 'ERR_BAD_WIRE'
  | 'ERR_BAD_JSON'
  | 'ERR_TOO_DEEP'
  | 'ERR_INVALID_OPTION'
  | 'ERR_UNKNOWN_TASK'
  | 'ERR_ARGUMENT_COUNT'
  | 'ERR_INVALID_WORKFLOW'
  | 'ERR_TASK_TIMEOUT'
  | 'ERR_TASK_CANCELLED'
  | 'ERR_WORKER_EXITED'
  | 'ERR_WORKER_OUT_OF_MEMORY'
  | 'ERR_WORKER_INIT'
  | 'ERR_QUEUE_FULL'
  | 'ERR_APP_CLOSED'
  | 'ERR_APP_DESTROYED'
  | 'ERR_BROKER_UNAVAILABLE'
  | 'ERR_UNKNOWN_JOB'
  | 'ERR_MISSING_DEPENDENCY';

/** Extra facts attached to a {@link CelerityError}. */
export interface CelerityErrorDetails {
  /** Accessor-form path to the value at fault, e.g. `args[0].stops[3].at`. */
  path?: string;
  /** The registered id of the class involved, where one is. */
  classId?: string;
  /** The error that caused this one (for example what `toSerialisable()` threw). */
  cause?: unknown;
}

/**
 * The error type of the library: a stable `code`, and where a value is at fault, the `path` to it
 * and the `classId` involved.
 */
export class CelerityError extends Error {
  /** A stable, documented code such as `ERR_UNKNOWN_CLASS`. */
  readonly code: CelerityErrorCode;
  /** Accessor-form path to the value at fault, rooted at the value (`args[0].stops[3].at`). */
  path?: string;
  /** The registered class id involved, if any. */
  classId?: string;

  /** Creates an error with a code, a message and optional details. */
  constructor(code: CelerityErrorCode, message: string, details: CelerityErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.classId !== undefined) this.classId = details.classId;
  }

  static {
    Object.defineProperty(this.prototype, 'name', { value: 'CelerityError', writable: true, configurable: true });
  }
}

/**
 * A task error whose class is not registered in the receiving thread. It keeps the original
 * `name`, `message`, `stack`, `cause` and own properties (such as `code`), so nothing is lost but
 * the prototype.
 */
export class RemoteError extends Error {
  /** Creates a stand-in for an error of class `name` that could not be rebuilt as itself. */
  constructor(name: string, message?: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  }
}

/**
 * Thrown by a task to fail without further tries: a run with `retry` (in-process) or a job with
 * attempts (on the queue) ends at once with this error, as BullMQ's own `UnrecoverableError` does.
 * Subclass it to keep your own error class and still skip the retries.
 */
export class UnrecoverableError extends Error {
  static {
    Object.defineProperty(this.prototype, 'name', { value: 'UnrecoverableError', writable: true, configurable: true });
  }
}

/** Whether `error` asks for no further tries: an {@link UnrecoverableError}, or an error of that name from elsewhere. */
export function isUnrecoverable(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}

/**
 * Whether another try cannot mend `error`: the call itself is wrong (no such task, too many
 * arguments, data that cannot be read or rebuilt), whatever thread or worker takes it.
 */
export function isPermanent(error: unknown): boolean {
  if (!(error instanceof CelerityError)) return false;
  const code = error.code;
  return code === 'ERR_BAD_JSON' || code === 'ERR_UNKNOWN_TASK' || code === 'ERR_ARGUMENT_COUNT' || code === 'ERR_UNKNOWN_CLASS' || code === 'ERR_FROM_SERIALISABLE';
}

/** Builds a `CelerityError` whose message ends with the path, when one is known. */
export function celerityError(code: CelerityErrorCode, message: string, details: CelerityErrorDetails = {}): CelerityError {
  return new CelerityError(code, details.path === undefined ? message : `${message} (at ${details.path})`, details);
}

/** The message of a thrown value, for wrapping it in one of ours. */
export function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : String(thrown);
}

// ---------------------------------------------------------------------------------------------
// Values that cannot travel: shared by the structured-clone codec and the JSON wire, worded for
// where the value was going.

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

/** `ERR_UNCLONEABLE` for a view that cannot be read (its buffer detached, or shrunk below it). */
export function brokenViewError(kind: string, medium: Medium): CelerityError {
  return celerityError('ERR_UNCLONEABLE', `Cannot ${medium.verb} a ${kind} whose buffer was detached or shrunk below it (structured clone refuses it too); make the view again over the buffer as it is now`);
}

/** `ERR_UNREGISTERED_CLASS` for an object no registered class claims, named as `described` says (see `describeClass`). */
export function unregisteredError(described: ClassDescription, medium: Medium): CelerityError {
  const name = described.name;
  if (name !== undefined) {
    return celerityError(
      'ERR_UNREGISTERED_CLASS',
      `Cannot ${medium.verb} an instance of ${name}: the class is not registered. Give it toSerialisable() and static fromSerialisable(data), then call register(${name}, { id: '${name}', module: import.meta.url }) (or use @serialisable), or ${medium.verb} with { strict: false } to send it as a plain object`,
    );
  }
  return celerityError(
    'ERR_UNREGISTERED_CLASS',
    `Cannot ${medium.verb} ${described.text}: no registered class has that prototype. Register its class (toSerialisable(), static fromSerialisable(data), register(TheClass, { id, module: import.meta.url })), give the value a plain prototype ({ ...value }), or ${medium.verb} with { strict: false } to send it as a plain object`,
  );
}

/** How an error message names the class of an object (see `describeClass` in codec/builtins.ts). */
export interface ClassDescription {
  /** The class's name, when the object's prototype is a named class's (or function's) prototype. */
  readonly name?: string;
  /** What the object is, for a message: `an instance of Foo`, `an object whose prototype is ...`. */
  readonly text: string;
}

/** `ERR_CYCLE` for an instance (or error, `description` says which) met again inside its own data. */
export function instanceCycleError(description: string, classId: string | undefined): CelerityError {
  return celerityError(
    'ERR_CYCLE',
    `${description} is reached again from its own data; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable() (send an id instead of the object)`,
    classId === undefined ? {} : { classId },
  );
}

/** `ERR_CYCLE` for a container met again from inside the data of an instance it holds. */
export function containerCycleError(): CelerityError {
  return celerityError(
    'ERR_CYCLE',
    "A Serialisable's data leads back to a container that holds the instance itself; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable()",
  );
}

/** `ERR_TO_SERIALISABLE`: the `toSerialisable()` of class `classId` threw `cause`. */
export function toSerialisableError(classId: string, cause: unknown): CelerityError {
  return celerityError('ERR_TO_SERIALISABLE', `${classId}.toSerialisable() threw: ${messageOf(cause)}`, { classId, cause });
}

/** `ERR_FROM_SERIALISABLE`: the `fromSerialisable()` of class `classId` threw `cause`. */
export function fromSerialisableError(classId: string, cause: unknown, path?: string): CelerityError {
  return celerityError('ERR_FROM_SERIALISABLE', `${classId}.fromSerialisable() threw: ${messageOf(cause)}`, path === undefined ? { classId, cause } : { classId, cause, path });
}

/** Whether `error` is the engine's stack overflow (`RangeError: Maximum call stack size exceeded`). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes('call stack');
}

/** `ERR_TOO_DEEP`: a value nested deeper than `operation` can follow. */
export function tooDeepError(operation: string, cause?: unknown): CelerityError {
  return new CelerityError('ERR_TOO_DEEP', `${operation}: the value is nested too deeply to convert on this thread's stack`, cause === undefined ? {} : { cause });
}

/** `ERR_BAD_JSON`: the text (or its parsed form) is not what `stringify` writes. */
export function badJsonError(message: string, cause?: unknown): CelerityError {
  return new CelerityError('ERR_BAD_JSON', `parse: ${message}`, cause === undefined ? {} : { cause });
}

// ---------------------------------------------------------------------------------------------
// How a run can end without its task's own error: cancellation, timeout, thread death, a full
// queue, a closed or destroyed app.

function named(error: CelerityError, name: string): CelerityError {
  Object.defineProperty(error, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  return error;
}

/** The rejection of a cancelled run: named `'AbortError'`, code `ERR_TASK_CANCELLED`, the reason as `cause`. */
export function abortError(reason: unknown): CelerityError {
  const error = new CelerityError('ERR_TASK_CANCELLED', 'The run was cancelled', reason === undefined ? {} : { cause: reason });
  return named(error, 'AbortError');
}

/** The rejection of a run that ran past its time limit: named `'TimeoutError'`, code `ERR_TASK_TIMEOUT`. */
export function timeoutError(ms: number): CelerityError {
  return named(new CelerityError('ERR_TASK_TIMEOUT', `The run timed out after running for ${ms} ms`), 'TimeoutError');
}

/** The rejection of a run refused because the app is closing or closed. */
export function closedError(): CelerityError {
  return new CelerityError('ERR_APP_CLOSED', 'The app is closed: it accepts no new runs');
}

/** The rejection of a run left unfinished when `close({ timeout })` ran out of time. */
export function closeTimeoutError(ms: number): CelerityError {
  return new CelerityError('ERR_APP_CLOSED', `The app closed before this run finished (close timeout of ${ms} ms)`);
}

/** The rejection of a run that was unsettled when the app was destroyed, or submitted after. */
export function destroyedError(): CelerityError {
  return new CelerityError('ERR_APP_DESTROYED', 'The app was destroyed');
}

/** `ERR_UNKNOWN_TASK` for task `name`, listing the tasks that exist. */
export function unknownTaskError(name: string, tasks: Iterable<string>): CelerityError {
  const names = [...tasks].map((task) => `"${task}"`).join(', ');
  return new CelerityError('ERR_UNKNOWN_TASK', `unknown task "${name}": the tasks module exports ${names === '' ? 'no tasks' : names}`);
}

/** `ERR_INVALID_OPTION` with the given message. */
export function invalidOption(message: string): CelerityError {
  return new CelerityError('ERR_INVALID_OPTION', message);
}

/**
 * Translates a rejection from the pool (never a task's own error: tasks answer through the
 * protocol) into what the caller sees.
 */
export function poolError(error: unknown): CelerityError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = messageOf(error);
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new CelerityError('ERR_WORKER_OUT_OF_MEMORY', `The run's thread ran out of memory (${message}); the pool replaced it`, { cause: error });
  }
  if (error instanceof Error && error.name === 'DataCloneError') {
    return new CelerityError('ERR_UNCLONEABLE', `The run's message could not be sent to a thread (${message}); a transferred buffer may already be detached`, { cause: error });
  }
  if (/queue is at limit|No task queue available/i.test(message)) {
    return new CelerityError('ERR_QUEUE_FULL', 'The app queue is full (options.maxQueue); try again later', { cause: error });
  }
  return new CelerityError('ERR_WORKER_EXITED', `The run's thread stopped before the task finished (${message}); the pool replaced it`, { cause: error });
}

/** A failure as another side reported it: the fields of a CelerityError, as plain data. */
export interface FailureFields {
  readonly code: string;
  readonly message: string;
  readonly path?: string | undefined;
  readonly classId?: string | undefined;
  readonly stack?: string | undefined;
}

/** Rebuilds a failure the worker reported (unknown task, bad arguments, unencodable result ...). */
export function failureError(record: FailureFields): CelerityError {
  const details: { path?: string; classId?: string } = {};
  if (record.path !== undefined) details.path = record.path;
  if (record.classId !== undefined) details.classId = record.classId;
  const error = new CelerityError(record.code as CelerityErrorCode, record.message, details);
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}

// ---------------------------------------------------------------------------------------------
// The queue backend.

/** `ERR_BROKER_UNAVAILABLE`: Redis could not be reached (within `ms`, when given). */
export function brokerUnavailableError(detail: string, cause?: unknown): CelerityError {
  return new CelerityError('ERR_BROKER_UNAVAILABLE', `Redis is unavailable: ${detail}`, cause === undefined ? {} : { cause });
}

/**
 * `ERR_UNKNOWN_JOB`: job `id` of queue `queue`, which a run waited on, is gone from Redis before
 * its end reached this process (removed there, or Redis lost its data).
 */
export function lostJobError(queue: string, id: string): CelerityError {
  return new CelerityError(
    'ERR_UNKNOWN_JOB',
    `Job "${id}" of queue "${queue}" is no longer in Redis and how it ended never reached this process: it was removed, or Redis lost its data (a restart without persistence, a flush)`,
  );
}

/** `ERR_UNKNOWN_JOB`: no job `id` in queue `queue` (never added, or removed after it finished). */
export function unknownJobError(queue: string, id: string): CelerityError {
  return new CelerityError(
    'ERR_UNKNOWN_JOB',
    `No job "${id}" in queue "${queue}": it was never added, or it finished and was removed (see the removeOnComplete / removeOnFail options)`,
  );
}

/** `ERR_MISSING_DEPENDENCY`: an optional package a feature needs is not installed. */
export function missingDependencyError(packages: string, feature: string, cause: unknown): CelerityError {
  return new CelerityError('ERR_MISSING_DEPENDENCY', `${feature} needs ${packages}: run npm install ${packages.replace(/ and /g, ' ')}`, { cause });
}
