/**
 * Both sides of the loop meet values that may or may not be promises: what a task returns, and
 * what a decode returns when it first has to import a class's module.
 * @module
 */

/** Whether `value` is a promise or another object with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
