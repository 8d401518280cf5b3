/**
 * What a single run and a map chunk share: posting a try to the pool, learning which thread took
 * it, stopping it (drop it while queued; abort its signal, then terminate its thread after the
 * grace period, while running), telling its answers from those of abandoned tries, and keeping
 * the queued / running counters right.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { queueOptionsSymbol } from 'piscina';
import { Settling } from './settling.js';
import type { Dispatchable } from './balancer.js';
import type { Core } from './core.js';
import { PLACE_NONE, PLACE_QUEUED, PLACE_RUNNING } from './counters.js';
import type { AnswerSink, EncodedArgs } from './transport.js';
import { SLOT_FINISHED, SLOT_PENDING, SLOT_STARTED, SLOT_WITHDRAWN } from '../protocol/start-cells.js';
import {
  FLAG_ANSWER_EVENT,
  FLAG_BEHIND,
  FLAG_SKIP,
  FLAG_WIRE,
  RESULT_CODEC,
  RESULT_DURATION,
  RESULT_RETIRE,
  RESULT_STARTED,
  TASK_ARGS,
  TASK_FLAGS,
  TASK_SLOT,
  type ResultMessage,
  type RunLabel,
  type TaskMessage,
} from '../protocol/messages.js';
import { destroyedError, poolError } from '../errors.js';

/** This thread's time origin, read once (the getter costs a little on every read). */
const ORIGIN = performance.timeOrigin;

/**
 * How many times one try is posted again after losing its thread before it started. Past this it
 * fails as lost: a thread that keeps dying before it runs anything would be fed the task forever.
 */
const MAX_REPOSTS = 3;

/** How long a try whose thread died just after answering by event waits for that event, ms. */
const ANSWER_EVENT_WAIT_MS = 1000;

/** @internal */
export abstract class Job<R = unknown> extends Settling<R> implements Dispatchable, AnswerSink {
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
  /** The id and attempt the task sees, when the run stands for a queue's job. */
  protected label: RunLabel | undefined;
  /** Where the job's tries go among those waiting for a thread (see `task-queue.ts`): 0 for none, else lower sooner. */
  priority = 0;
  /** Times the current try was posted again (see {@link MAX_REPOSTS}). */
  private reposts = 0;
  /** Set while the current try waits for an answer event whose thread is gone. */
  private answerWait: NodeJS.Timeout | undefined;
  /** The last try whose answer event arrived, and whether the process is held for one (see `Core.holdForAnswer`). */
  private eventAnswered = 0;
  private holding = false;

  constructor(core: Core, weight: number) {
    super();
    this.core = core;
    this.i = core.nextNumber();
    this.weight = weight;
  }

  /** Posts the next try. */
  protected post(name: string, args: EncodedArgs, flags: number, transfer: readonly ArrayBuffer[] | undefined): void {
    this.reposts = 0;
    this.send(++this.n, name, args, flags, transfer);
  }

  private send(n: number, name: string, args: EncodedArgs, flags: number, transfer: readonly ArrayBuffer[] | undefined): void {
    const wireFlags = args.wire ? flags | FLAG_WIRE : flags;
    const message: TaskMessage =
      this.label !== undefined ? [this.i, n, name, args.value, wireFlags, -1, this.label] : [this.i, n, name, args.value, wireFlags, -1];
    // The balancer finds the job here; structured clone ignores symbol keys, so it never travels.
    (message as unknown as Record<symbol, unknown>)[queueOptionsSymbol] = this;
    this.message = message;
    this.thread = 0;
    this.postedAt = performance.now();
    this.setPlace(PLACE_QUEUED);
    // Sent buffers go with the message: a try that sent some cannot be sent again.
    const resendable = transfer === undefined || transfer.length === 0;
    this.core.transport.post(message, transfer).then(
      (result) => {
        // The thread is done with this try: no grace timer may act on it (or on its cell, which
        // another try may take from now on).
        this.clearGrace(n);
        const state = this.core.cells.state(message[TASK_SLOT]);
        this.releaseCell(message);
        // Taken back before it started (its thread was retiring, or about to be stopped).
        if (state === SLOT_WITHDRAWN) {
          if (resendable && this.repost(n, false)) this.send(n, name, args, flags, transfer);
          else this.lost(n, new Error('the task was taken back from a thread being stopped before it started, and could not be sent again'));
          return;
        }
        // Answered by event (Piscina only learns that the task, or the batch it came in, is over).
        if (result === null) {
          // A batch member the thread never started, nor answered, cannot be waited for.
          if ((message[TASK_FLAGS] & FLAG_ANSWER_EVENT) === 0 || state === SLOT_PENDING) this.lost(n, new Error('the thread answered nothing'));
          else if (!this.settled && n === this.n && this.eventAnswered !== n && !this.holding) {
            this.holding = true;
            this.core.transport.holdForAnswer();
          }
          return;
        }
        this.answered(n, result);
      },
      (error: unknown) => {
        const thread = this.thread;
        this.clearGrace(n);
        const state = this.core.cells.state(message[TASK_SLOT]);
        this.releaseCell(message);
        // Its thread was lost before the task started: nothing ran, so it can run elsewhere.
        if ((state === SLOT_PENDING || state === SLOT_WITHDRAWN) && resendable && this.repost(n, !this.core.cells.startedOn(thread))) {
          this.send(n, name, args, flags, transfer);
          return;
        }
        // The thread answered by event, then died: Node delivers that event, wait for it.
        if (state === SLOT_FINISHED && (message[TASK_FLAGS] & FLAG_ANSWER_EVENT) !== 0 && !this.settled && n === this.n) {
          this.answerWait = setTimeout(() => {
            this.answerWait = undefined;
            this.lost(n, error);
          }, ANSWER_EVENT_WAIT_MS);
          return;
        }
        this.lost(n, error);
      },
    );
  }

  /**
   * Gives back the start cell of a try the pool has settled. Another task may take the cell at
   * once, so the try's message stops being the job's current one: a cancel that comes while an
   * answer event is still on its way must not mark (or stop the thread of) whatever runs in that
   * cell now. The try is over on its thread by then; its answer, if any, still settles the job.
   */
  private releaseCell(message: TaskMessage): void {
    this.core.cells.release(message[TASK_SLOT]);
    if (this.message === message) this.message = undefined;
  }

  /**
   * Whether try `n`, lost before it started, should be posted again. A try its thread gave back,
   * or lost with a thread that had started a task (one that died of that task, or that the app
   * retired or stopped for another run's cancel or timeout: each comes after a task started),
   * goes again freely, as the app moves on. Losses to a thread that died before it started
   * anything are counted (`counted`), and past {@link MAX_REPOSTS} the try fails.
   */
  private repost(n: number, counted: boolean): boolean {
    if (this.settled || n !== this.n || this.core.state === 'destroyed' || (counted && this.reposts >= MAX_REPOSTS)) return false;
    if (counted) this.reposts++;
    this.clearGrace(n);
    return true;
  }

  /**
   * Called by the load balancer as the pool hands the current try to a thread: the try gets a
   * start cell, and its flags say whether it waits behind another task and how it answers, all
   * written into its message before the pool sends it.
   */
  dispatched(thread: number, behind: boolean, byEvent: boolean): void {
    const message = this.message;
    if (this.settled || this.thread !== 0 || message === undefined) return;
    this.thread = thread;
    message[TASK_SLOT] = this.core.cells.take(thread);
    if (behind) message[TASK_FLAGS] |= FLAG_BEHIND;
    if (byEvent) {
      message[TASK_FLAGS] |= FLAG_ANSWER_EVENT;
      this.core.transport.expectAnswer(this.i, this);
    }
    this.setPlace(PLACE_RUNNING);
  }

  /** The answer of a try posted with `FLAG_ANSWER_EVENT`. */
  onAnswerEvent(n: number, result: ResultMessage): void {
    if (n === this.n) {
      this.eventAnswered = n;
      this.stopAwaitingAnswer();
      // The thread is done with the cell (it marked it before answering): give it back now, not
      // when the pool settles the task that carried this try (a batch's settles only once all
      // its members have answered). Giving it back again then does nothing.
      const message = this.message;
      if (message !== undefined) this.core.cells.release(message[TASK_SLOT]);
    }
    this.answered(n, result);
  }

  /** Ends the current try's wait for an answer event: its routing, its hold and its timer. */
  private stopAwaitingAnswer(): void {
    this.releaseHold();
    this.core.transport.forgetAnswer(this.i);
    if (this.answerWait !== undefined) {
      clearTimeout(this.answerWait);
      this.answerWait = undefined;
    }
  }

  private answered(n: number, result: ResultMessage): void {
    const retire = result[RESULT_RETIRE];
    if (retire !== 0) this.core.threads.retire(retire);
    this.clearGrace(n);
    if (this.settled || n !== this.n) return; // an abandoned try
    this.thread = 0;
    this.message = undefined;
    this.onAnswer(result);
  }

  private lost(n: number, error: unknown): void {
    this.clearGrace(n);
    // A try whose answer event came is answered, whatever befell its thread afterwards.
    if (this.settled || n !== this.n || this.eventAnswered === n) return;
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
    // Not started yet (it waits behind another task of its thread): the thread will skip it, so
    // there is nothing to abort and no thread to stop.
    if (this.core.cells.cancelBeforeStart(message[TASK_SLOT])) return;
    this.core.transport.control(thread, this.i, this.n, kind);
    const n = this.n;
    const lease = message[TASK_SLOT];
    const timer = setTimeout(() => {
      this.graces?.delete(n);
      if (this.core.cells.mustStop(thread, lease)) this.core.threads.terminate(thread);
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

  private releaseHold(): void {
    if (!this.holding) return;
    this.holding = false;
    this.core.transport.releaseAnswerHold();
  }

  /**
   * Whether the current try's thread has started its task: read from the try's start cell, which
   * the thread marks as it starts, so no message has to say so.
   */
  protected startedOnThread(): boolean {
    const message = this.message;
    return message !== undefined && this.thread !== 0 && this.core.cells.state(message[TASK_SLOT]) >= SLOT_STARTED;
  }

  /** Moves the job between the queued / running counters. */
  protected setPlace(place: number): void {
    if (place === this.place) return;
    this.core.counters.move(this.weight, this.place, place, this);
    this.place = place;
  }

  /** Marks the job settled and leaves the counters; returns `false` if it already was. */
  protected markSettled(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.stopAwaitingAnswer();
    this.setPlace(PLACE_NONE);
    this.core.active.leave(this);
    return true;
  }

  /** Records the timings of an answered try. */
  protected recordTimes(result: ResultMessage, mainCodec: number): void {
    this.core.counters.times(result[RESULT_DURATION], result[RESULT_STARTED] - (ORIGIN + this.postedAt), result[RESULT_CODEC] + mainCodec);
  }
}
