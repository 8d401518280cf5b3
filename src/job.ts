/**
 * What a single run and a map chunk share: posting a try to the pool, learning which thread took
 * it, stopping it (drop it while queued; abort its signal, then terminate its thread after the
 * grace period, while running), telling its answers from those of abandoned tries, and keeping
 * the queued / running counters right.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { queueOptionsSymbol } from 'piscina';
import { Active, PLACE_NONE, PLACE_QUEUED, PLACE_RUNNING, type Core, type Dispatchable } from './core.js';
import { FLAG_SKIP, FLAG_WIRE, RESULT_CODEC, RESULT_DURATION, RESULT_RETIRE, RESULT_STARTED, TASK_ARGS, TASK_FLAGS, type ResultMessage, type TaskMessage } from './protocol.js';
import type { EncodedArgs } from './core.js';
import { destroyedError, poolError } from './run-errors.js';

/** This thread's time origin, read once (the getter costs a little on every read). */
const ORIGIN = performance.timeOrigin;

/** @internal */
export abstract class Job extends Active implements Dispatchable {
  protected readonly core: Core;
  /** Run number: the task's id on both sides. */
  readonly i: number;
  /** How many runs this counts as in the stats (a map chunk counts each input). */
  protected weight: number;
  /** Current try, 1-based; 0 before the first. */
  protected n = 0;
  /** `threadId` of the thread holding the current try, 0 while it is queued or over. */
  protected thread = 0;
  /** Where the job is for the counters. */
  private place = PLACE_NONE;
  /** Set once the caller has been answered. */
  protected settled = false;
  /** The current try's message, while it may still be in the pool's queue. */
  private message: TaskMessage | undefined;
  /** When the current try was posted (`performance.now()`). */
  protected postedAt = 0;
  /** Grace timers of stopped tries, by try number. */
  private graces: Map<number, NodeJS.Timeout> | undefined;

  constructor(core: Core, weight: number) {
    super();
    this.core = core;
    this.i = core.nextNumber();
    this.weight = weight;
  }

  /** Posts the next try. */
  protected post(name: string, args: EncodedArgs, flags: number, transfer: readonly ArrayBuffer[] | undefined): void {
    const n = ++this.n;
    const message: TaskMessage =
      args.modules === undefined ? [this.i, n, name, args.value, args.wire ? flags | FLAG_WIRE : flags] : [this.i, n, name, args.value, args.wire ? flags | FLAG_WIRE : flags, args.modules];
    // The balancer finds the job here; structured clone ignores symbol keys, so it never travels.
    (message as unknown as Record<symbol, unknown>)[queueOptionsSymbol] = this;
    this.message = message;
    this.thread = 0;
    this.postedAt = performance.now();
    this.setPlace(PLACE_QUEUED);
    this.core.post(message, transfer).then(
      (result) => {
        this.answered(n, result);
      },
      (error: unknown) => {
        this.lost(n, error);
      },
    );
  }

  /** Called by the load balancer as the pool hands the current try to a thread. */
  dispatched(thread: number): void {
    if (this.settled || this.thread !== 0) return;
    this.thread = thread;
    this.setPlace(PLACE_RUNNING);
  }

  private answered(n: number, result: ResultMessage): void {
    const retire = result[RESULT_RETIRE];
    if (retire !== 0) this.core.retire(retire);
    this.clearGrace(n);
    if (this.settled || n !== this.n) return; // an abandoned try
    this.thread = 0;
    this.message = undefined;
    this.onAnswer(result);
  }

  private lost(n: number, error: unknown): void {
    this.clearGrace(n);
    if (this.settled || n !== this.n) return;
    this.thread = 0;
    this.message = undefined;
    this.onLost(this.core.state === 'destroyed' ? destroyedError() : poolError(error));
  }

  /** The current try answered (the job is unsettled). */
  protected abstract onAnswer(result: ResultMessage): void;

  /** The pool failed the current try: its thread died, the queue was full ... (the job is unsettled). */
  protected abstract onLost(error: Error): void;

  /** Ends the job at once with `error` (destroy, close timeout); counted as failed. */
  abstract override abort(error: Error): void;

  /**
   * Stops the current try: a queued one is turned into a no-op the thread answers at once; a
   * running one has its task's signal aborted, and its thread terminated if it has not answered
   * after `cancelGrace`. Nothing else is touched: other runs keep their threads.
   */
  protected stop(kind: 'cancel' | 'timeout'): void {
    const message = this.message;
    if (message === undefined) return;
    this.message = undefined;
    const thread = this.thread;
    if (thread === 0) {
      // Still in the pool's queue: it will reach a thread as a no-op, and its data can go now.
      message[TASK_FLAGS] |= FLAG_SKIP;
      message[TASK_ARGS] = null;
      return;
    }
    this.thread = 0;
    this.core.control(thread, this.i, this.n, kind);
    const n = this.n;
    const timer = setTimeout(() => {
      this.graces?.delete(n);
      this.core.terminate(thread);
    }, this.core.options.cancelGrace);
    timer.unref();
    (this.graces ??= new Map()).set(n, timer);
  }

  private clearGrace(n: number): void {
    const graces = this.graces;
    if (graces === undefined) return;
    const timer = graces.get(n);
    if (timer !== undefined) {
      clearTimeout(timer);
      graces.delete(n);
    }
  }

  /** Moves the job between the queued / running counters. */
  protected setPlace(place: number): void {
    if (place === this.place) return;
    this.core.move(this.weight, this.place, place);
    this.place = place;
  }

  /** Marks the job settled and leaves the counters; returns `false` if it already was. */
  protected markSettled(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.setPlace(PLACE_NONE);
    this.core.leave(this);
    return true;
  }

  /** Records the timings of an answered try. */
  protected recordTimes(result: ResultMessage, mainCodec: number): void {
    this.core.times(result[RESULT_DURATION], result[RESULT_STARTED] - (ORIGIN + this.postedAt), result[RESULT_CODEC] + mainCodec);
  }
}
