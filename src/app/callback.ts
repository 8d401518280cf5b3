/**
 * Calling back into the caller's code (`onProgress`, `onJob` ...): what such a callback throws
 * must not fail the run it reports on, nor be lost, so it becomes a process warning naming it.
 * @module
 */
import { messageOf } from '../errors.js';

/** Calls `callback(...args)` if given; what it throws is emitted as a warning naming `what`. */
export function callBack<A extends unknown[]>(callback: ((...args: A) => void) | undefined, args: A, what: string): void {
  if (callback === undefined) return;
  try {
    callback(...args);
  } catch (error) {
    warnThrew(what, error);
  }
}

/** Emits the warning for `what` having thrown `error`. */
export function warnThrew(what: string, error: unknown): void {
  process.emitWarning(`celerity: ${what} threw: ${messageOf(error)}`);
}
