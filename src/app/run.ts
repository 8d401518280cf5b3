/**
 * One run of one task: `app.run()` and `app.submit()`. Adds to the shared job mechanics the
 * caller's promise, the run's state, retries, the run-time limit and progress delivery.
 * @module
 */
import { performance } from 'node:perf_hooks';
import type { Core } from './core.js';
import { PLACE_QUEUED } from './counters.js';
import type { EncodedArgs, EventSink } from './transport.js';
import { abortError, timeoutError, failureError, isPermanent, isUnrecoverable, CelerityError } from '../errors.js';
import { Job } from './job.js';
import { onAbort } from './abort.js';
import { callBack } from './callback.js';
import {
  EVENT_PROGRESS,
  FLAG_PROGRESS,
  FLAG_START,
  RESULT_FAILED,
  RESULT_FAILURE,
  RESULT_KIND,
  RESULT_OK,
  RESULT_PROGRESS,
  RESULT_THREW,
  RESULT_VALUE,
  RESULT_WIRE,
  arePlainPrimitives,
  type ResultMessage,
  type RunEvent,
} from '../protocol/messages.js';
import { isThenable } from '../protocol/thenable.js';
import { backoffFactor, NO_SUBMIT_OPTIONS, resolveSubmitOptions, type ResolvedSubmitOptions, type RetryOptions, type SubmitOptions } from './options.js';

/** Where a run is in its life. */
export type RunState = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'cancelled';

/** A submitted run: a promise of its result, plus its id, its state, and a way to cancel it. */
export interface TaskRun<R> extends PromiseLike<R> {
  /** The run's id (the task sees the same string as `this.id`). */
  readonly id: string;
  /** Where the run is now. `'running'` means its thread has started the task. */
  readonly state: RunState;
  /**
   * Cancels the run: a queued run is dropped, a running task sees `this.signal` abort (its thread
   * is terminated if it has not stopped after `cancelGrace`). The run's promise rejects at once
   * with an error named `'AbortError'` (code `ERR_TASK_CANCELLED`, `reason` as its `cause`).
   * Does nothing once the run has settled.
   */
  cancel(reason?: unknown): void;
  /** Like `Promise.prototype.then`. */
  then<A = R, B = never>(onFulfilled?: ((value: R) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B>;
  /** Like `Promise.prototype.catch`. */
  catch<E = never>(onRejected?: ((reason: unknown) => E | PromiseLike<E>) | null): Promise<R | E>;
  /** Like `Promise.prototype.finally`. */
  finally(onFinally?: (() => void) | null): Promise<R>;
}

/** How long a result waits for progress events still on their way before it is delivered anyway. */
const PROGRESS_WAIT_MS = 1000;

function noop(): void {
  // intentionally empty
}

/** @internal */
export class Run<R> extends Job<R> implements TaskRun<R>, EventSink {
  private current: RunState = 'queued';
  private readonly name: string;
  private readonly options: ResolvedSubmitOptions;
  private args: EncodedArgs | undefined;
  private flags = 0;
  private mainCodec = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Progress events received for the current try. */
  private seen = 0;
  /** A result that arrived before some of its progress events. */
  private held: ResultMessage | undefined;
  /** Pending in-order delivery of progress values that needed an import to decode. */
  private chain: Promise<void> | undefined;
  /** Stops following the caller's signal. */
  private unfollow: (() => void) | undefined;
  /** Whether the current try is out (posted and not yet answered, lost or timed out). */
  private live = false;

  /**
   * @param accepted a step of work the app accepted before it began to close (a workflow's): runs while closing.
   */
  constructor(core: Core, name: string, args: unknown[], options: SubmitOptions | undefined, accepted = false) {
    super(core, 1);
    this.name = name;
    core.counters.submitted++;
    core.active.enter(this);
    const refusal = accepted && core.state === 'closing' ? undefined : core.refusal();
    if (refusal !== undefined) {
      this.options = NO_SUBMIT_OPTIONS;
      this.end('failed', refusal);
      return;
    }
    let checked: ResolvedSubmitOptions;
    try {
      checked = resolveSubmitOptions(options, core.options.timeout);
    } catch (error) {
      this.options = NO_SUBMIT_OPTIONS;
      this.end('failed', error);
      return;
    }
    this.options = checked;
    this.label = checked.label;
    this.priority = checked.priority;
    if (arePlainPrimitives(args)) {
      // Nothing for the codec to do: skip it, and its clock.
      this.args = { value: args, wire: false };
    } else {
      const started = performance.now();
      try {
        this.args = core.transport.encodeArgs(args, 'args');
      } catch (error) {
        this.end('failed', error);
        return;
      } finally {
        this.mainCodec += performance.now() - started;
      }
    }
    // The thread reports the start only when a time limit counts from it: `state` reads the
    // start cell instead (a start event per run was a message and a wake-up of this thread).
    if (checked.timeout > 0) this.flags |= FLAG_START;
    if (checked.onProgress !== undefined) this.flags |= FLAG_PROGRESS;
    if (this.flags !== 0) core.transport.track(this.i, this);
    if (checked.signal !== undefined) {
      this.unfollow = onAbort(checked.signal, (reason) => {
        this.cancel(reason);
      });
      if (this.unfollow === undefined) return;
    }
    if (checked.delay > 0) {
      // Ref'd: the caller waits for this run.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.settled) this.launch();
      }, checked.delay);
      return;
    }
    this.launch();
  }

  get id(): string {
    return String(this.i);
  }

  get state(): RunState {
    if ((this.current === 'queued' || this.current === 'retrying') && this.live && this.startedOnThread()) this.current = 'running';
    return this.current;
  }

  cancel(reason?: unknown): void {
    if (this.settled) return;
    // The caller asked for this rejection, so an unobserved one is not an unhandled error.
    this.promise.catch(noop);
    this.stop('cancel');
    this.end('cancelled', abortError(reason));
  }

  override abort(error: Error): void {
    this.end('failed', error);
  }

  private launch(): void {
    const args = this.args as EncodedArgs;
    this.seen = 0;
    this.live = true;
    this.post(this.name, args, this.flags, this.options.transfer);
  }

  onEvent(event: RunEvent): void {
    if (this.settled || event[3] !== this.n) return;
    if (event[1] === EVENT_PROGRESS) {
      this.seen++;
      this.deliverProgress(event[4], event[5] === 1);
      const held = this.held;
      if (held !== undefined && this.seen >= held[RESULT_PROGRESS]) {
        this.held = undefined;
        this.afterProgress(held);
      }
      return;
    }
    // The task started, and its time limit counts from now (`state` reads the start from the
    // task's start cell). Events of a try already over may still trickle in: ignore those.
    if (!this.live) return;
    const timeout = this.options.timeout;
    if (timeout > 0 && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.timedOut(timeout);
      }, timeout);
      this.timer.unref();
    }
  }

  private deliverProgress(raw: unknown, isWire: boolean): void {
    let value: unknown;
    try {
      value = this.core.transport.decode(raw, isWire, 'progress');
    } catch (error) {
      this.stop('cancel');
      this.end('failed', error);
      return;
    }
    if (this.chain === undefined && !isThenable(value)) {
      this.callProgress(value);
      return;
    }
    const pending = value;
    this.chain = (this.chain ?? Promise.resolve()).then(
      async () => {
        this.callProgress(await pending);
      },
      noop,
    );
    this.chain.catch((error: unknown) => {
      this.stop('cancel');
      this.end('failed', error);
    });
  }

  private callProgress(value: unknown): void {
    if (this.settled) return;
    callBack(this.options.onProgress, [value], `onProgress of run ${this.id}`);
  }

  protected onAnswer(result: ResultMessage): void {
    this.live = false;
    this.clearTimer();
    if (result[RESULT_PROGRESS] > this.seen) {
      // Progress events travel apart from the result: wait for the ones still on their way.
      this.held = result;
      // Ref'd on purpose: the thread no longer holds the process up, and the events still on
      // their way would be lost if it exited now.
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const held = this.held;
        this.held = undefined;
        if (held !== undefined && !this.settled) this.afterProgress(held);
      }, PROGRESS_WAIT_MS);
      return;
    }
    this.afterProgress(result);
  }

  private afterProgress(result: ResultMessage): void {
    this.clearTimer();
    if (this.chain !== undefined) {
      const chain = this.chain;
      this.chain = undefined;
      void chain.then(() => {
        this.finish(result);
      });
      return;
    }
    this.finish(result);
  }

  private finish(result: ResultMessage): void {
    if (this.settled) return;
    const kind = result[RESULT_KIND];
    if (kind === RESULT_OK) {
      // A plain primitive: nothing to decode, nothing to time.
      this.recordTimes(result, this.mainCodec);
      this.end('succeeded', result[RESULT_VALUE]);
      return;
    }
    const started = performance.now();
    if ((kind & ~RESULT_WIRE) === RESULT_OK || (kind & ~RESULT_WIRE) === RESULT_THREW) {
      let value: unknown;
      try {
        value = this.core.transport.decode(result[RESULT_VALUE], (kind & RESULT_WIRE) !== 0, (kind & ~RESULT_WIRE) === RESULT_OK ? 'result' : 'error');
      } catch (error) {
        this.recordTimes(result, this.mainCodec + performance.now() - started);
        this.end('failed', error);
        return;
      }
      if (isThenable(value)) {
        Promise.resolve(value).then(
          (decoded) => {
            this.decoded(result, decoded, started);
          },
          (error: unknown) => {
            this.recordTimes(result, this.mainCodec + performance.now() - started);
            this.end('failed', error);
          },
        );
        return;
      }
      this.decoded(result, value, started);
      return;
    }
    this.recordTimes(result, this.mainCodec);
    const record = result[RESULT_FAILURE];
    this.end('failed', kind === RESULT_FAILED && record !== undefined ? failureError(record) : abortError(undefined));
  }

  private decoded(result: ResultMessage, value: unknown, started: number): void {
    this.recordTimes(result, this.mainCodec + performance.now() - started);
    if ((result[RESULT_KIND] & ~RESULT_WIRE) === RESULT_OK) {
      this.end('succeeded', value);
      return;
    }
    this.failedTry(value);
  }

  protected onLost(error: Error): void {
    this.live = false;
    this.clearTimer();
    this.failedTry(error);
  }

  private timedOut(ms: number): void {
    if (this.settled) return;
    this.live = false;
    this.stop('timeout');
    this.failedTry(timeoutError(ms));
  }

  /** A try failed: retry if the options allow it, fail the run otherwise. */
  private failedTry(error: unknown): void {
    if (this.settled) return;
    const retry = this.options.retry;
    if (retry === undefined || this.n >= retry.attempts || this.core.state === 'destroyed' || !this.wantsRetry(retry, error)) {
      this.end('failed', error);
      return;
    }
    this.current = 'retrying';
    this.setPlace(PLACE_QUEUED);
    const delay = (retry.delay ?? 0) * backoffFactor(retry.backoff) ** (this.n - 1);
    // A ref'd timer: the caller is waiting on this run, so the process must stay up for it.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.settled) this.launch();
    }, delay);
  }

  private wantsRetry(retry: RetryOptions, error: unknown): boolean {
    if (error instanceof CelerityError && (error.code === 'ERR_APP_DESTROYED' || error.code === 'ERR_APP_CLOSED' || error.code === 'ERR_QUEUE_FULL')) return false;
    if (isUnrecoverable(error) || isPermanent(error)) return false;
    if (retry.when === undefined) return true;
    try {
      return retry.when(error);
    } catch {
      return false;
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Settles the run, exactly once. */
  private end(state: 'succeeded', value: unknown): void;
  private end(state: 'failed' | 'cancelled', error: unknown): void;
  private end(state: 'succeeded' | 'failed' | 'cancelled', outcome: unknown): void {
    if (!this.markSettled()) return;
    this.current = state;
    this.clearTimer();
    this.held = undefined;
    if (this.flags !== 0) this.core.transport.untrack(this.i);
    this.unfollow?.();
    this.args = undefined;
    if (state === 'succeeded') {
      this.core.counters.completed++;
      this.resolve(outcome as R);
    } else {
      if (state === 'cancelled') this.core.counters.cancelled++;
      else this.core.counters.failed++;
      this.reject(outcome);
    }
  }
}
