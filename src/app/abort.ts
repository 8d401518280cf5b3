/**
 * Following a caller's `AbortSignal`: the one way runs, workflows and maps on either backend
 * start and stop listening to it.
 * @module
 */

/**
 * Calls `stop(reason)` when `signal` aborts. If it already has, calls it at once and returns
 * `undefined`; otherwise returns the function that stops listening (call it once settled).
 */
export function onAbort(signal: AbortSignal, stop: (reason: unknown) => void): (() => void) | undefined {
  if (signal.aborted) {
    stop(signal.reason);
    return undefined;
  }
  const listener = (): void => {
    stop(signal.reason);
  };
  signal.addEventListener('abort', listener, { once: true });
  return () => {
    signal.removeEventListener('abort', listener);
  };
}
