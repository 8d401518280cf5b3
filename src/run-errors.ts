/**
 * The errors a run can end with that do not come from its task: cancellation, timeout, thread
 * death, a full queue, a closed or destroyed app. One factory each, so messages stay consistent.
 * @module
 */
import { CelerityError, type CelerityErrorCode } from './errors.js';
import type { FailureRecord } from './protocol.js';

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

/**
 * Translates a rejection from the pool (never a task's own error: tasks answer through the
 * protocol) into what the caller sees.
 */
export function poolError(error: unknown): CelerityError {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
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

/** Rebuilds a failure the worker reported (unknown task, bad arguments, unencodable result ...). */
export function failureError(record: FailureRecord): CelerityError {
  const details: { path?: string; classId?: string } = {};
  if (record.path !== undefined) details.path = record.path;
  if (record.classId !== undefined) details.classId = record.classId;
  const error = new CelerityError(record.code as CelerityErrorCode, record.message, details);
  if (record.stack !== undefined) error.stack = record.stack;
  return error;
}
