/**
 * What every handle to a run shares, on either backend: a promise of its outcome, settled from
 * inside, and the `then` / `catch` / `finally` that make the handle itself awaitable.
 * @module
 */
import { Active } from './active.js';

/** An unsettled piece of work whose outcome is a promise (the base of runs, workflows and queue jobs). */
export abstract class Settling<R> extends Active implements PromiseLike<R> {
  /** The outcome. */
  readonly promise: Promise<R>;
  /** Fulfils {@link promise}. */
  protected resolve!: (value: R) => void;
  /** Rejects {@link promise}. */
  protected reject!: (error: unknown) => void;

  constructor() {
    super();
    this.promise = new Promise<R>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Like `Promise.prototype.then`. */
  then<A = R, B = never>(onFulfilled?: ((value: R) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.promise.then(onFulfilled, onRejected);
  }

  /** Like `Promise.prototype.catch`. */
  catch<E = never>(onRejected?: ((reason: unknown) => E | PromiseLike<E>) | null): Promise<R | E> {
    return this.promise.catch(onRejected);
  }

  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<R> {
    return this.promise.finally(onFinally);
  }
}
