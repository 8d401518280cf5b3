/**
 * What a job and a workflow share as their submitter sees them on a queue: the state, whether
 * they have settled, and the cancel that settles them at once.
 * @module
 */
import { abortError } from '../errors.js';
import type { RunState, TaskRun } from '../app/run.js';
import { Settling } from '../app/settling.js';

function noop(): void {
  // a rejection the caller asked for
}

/** A job or workflow this process submitted or attached to. */
export abstract class QueueHandle<R> extends Settling<R> implements TaskRun<R> {
  abstract readonly id: string;
  protected current: RunState = 'queued';
  protected done = false;

  get state(): RunState {
    return this.current;
  }

  /** Whether it has settled. */
  get settled(): boolean {
    return this.done;
  }

  /** Settles it as cancelled (an `AbortError` with `reason` as its cause); each kind then stops its work in Redis. */
  cancel(reason?: unknown): void {
    if (this.done) return;
    // The caller asked for this rejection, so an unobserved one is not an unhandled error.
    this.promise.catch(noop);
    this.end('cancelled', abortError(reason));
  }

  /** Ends it with an error of this process's own (closing, destroyed, Redis unavailable ...). */
  abstract fail(error: unknown): void;

  override abort(error: Error): void {
    this.fail(error);
  }

  /** Settles it, exactly once. */
  protected abstract end(state: 'succeeded' | 'failed' | 'cancelled', outcome: unknown): void;
}
