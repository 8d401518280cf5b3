/**
 * The counters behind `app.stats()`: runs by outcome, where the unsettled ones are (queued or
 * running), and the timings of answered tries.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { TimeHistogram, type AppStats } from './stats.js';

/** Where a run is, for the `queued` / `running` counters. */
export const PLACE_NONE = 0;
/** Waiting for a thread (or for its next try). */
export const PLACE_QUEUED = 1;
/** Handed to a thread. */
export const PLACE_RUNNING = 2;

/** An app's counters and timings. */
export class Counters {
  submitted = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  queued = 0;
  running = 0;
  /** Task messages handed to a thread in a batch of several (see `batches.ts`). */
  batched = 0;
  /** Recent task run time, ms (a moving average): the balancer queues tasks behind others only while it is short. */
  recentRunMs = Infinity;
  private readonly runTime = new TimeHistogram();
  private readonly waitTime = new TimeHistogram();
  private readonly codecTime = new TimeHistogram();
  private readonly startedAt = performance.now();

  /** When each queued job (a run, a map chunk, a queue job) began to wait; in that order (a Map keeps it). */
  private readonly waiting = new Map<object, number>();
  /** Callers of {@link drained} waiting for the queue to empty. */
  private drainWaiters: (() => void)[] = [];

  /** Moves job `who`, standing for `weight` runs, between the queued / running counters. */
  move(weight: number, from: number, to: number, who: object): void {
    if (from === PLACE_QUEUED) {
      this.queued -= weight;
      this.waiting.delete(who);
      if (this.queued === 0 && this.drainWaiters.length > 0) this.drain();
    } else if (from === PLACE_RUNNING) {
      this.running -= weight;
    }
    if (to === PLACE_QUEUED) {
      this.queued += weight;
      this.waiting.set(who, performance.now());
    } else if (to === PLACE_RUNNING) {
      this.running += weight;
    }
  }

  /** Whether runs wait for a thread (or a worker): submitting more now only lengthens the queue. */
  get needsDrain(): boolean {
    return this.queued > 0;
  }

  /** Resolves once no run waits (at once if none does). */
  drained(): Promise<void> {
    if (this.queued === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.drainWaiters.push(resolve);
    });
  }

  /** Wakes every {@link drained} caller: the queue emptied. */
  private drain(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }

  /** How long the longest-waiting queued run has waited so far, ms (0 when none waits). */
  private oldestWait(): number {
    for (const since of this.waiting.values()) return performance.now() - since;
    return 0;
  }

  /** Records a task's timings (ms). */
  times(run: number, wait: number, codec: number): void {
    this.recentRunMs = this.recentRunMs === Infinity ? run : this.recentRunMs * 0.9 + run * 0.1;
    this.runTime.add(run);
    this.waitTime.add(wait < 0 ? 0 : wait);
    this.codecTime.add(codec);
  }

  /** A snapshot, for a pool of `maxThreads` of which `threads` are alive now. */
  snapshot(maxThreads: number, threads: number): AppStats {
    const elapsed = performance.now() - this.startedAt;
    const capacity = elapsed * maxThreads;
    return {
      submitted: this.submitted,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      queued: this.queued,
      oldestWait: this.oldestWait(),
      running: this.running,
      batched: this.batched,
      threads,
      utilization: capacity > 0 ? Math.min(1, this.runTime.total / capacity) : 0,
      runTime: this.runTime.summary(),
      waitTime: this.waitTime.summary(),
      codecTime: this.codecTime.summary(),
    };
  }
}
