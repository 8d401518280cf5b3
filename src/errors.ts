/**
 * Every error the library raises, and the fallback class for task errors whose class is not
 * registered where they land. Error factories live here so messages stay consistent.
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
  | 'ERR_INVALID_OPTION'
  | 'ERR_UNKNOWN_TASK'
  | 'ERR_TASK_TIMEOUT'
  | 'ERR_TASK_CANCELLED'
  | 'ERR_WORKER_EXITED'
  | 'ERR_WORKER_OUT_OF_MEMORY'
  | 'ERR_WORKER_INIT'
  | 'ERR_QUEUE_FULL'
  | 'ERR_APP_CLOSED'
  | 'ERR_APP_DESTROYED';

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
  constructor(name: string, message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, 'name', { value: name, writable: true, configurable: true, enumerable: false });
  }
}

/** Builds a `CelerityError` whose message ends with the path, when one is known. */
export function celerityError(code: CelerityErrorCode, message: string, details: CelerityErrorDetails = {}): CelerityError {
  return new CelerityError(code, details.path === undefined ? message : `${message} (at ${details.path})`, details);
}
