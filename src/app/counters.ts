/**
 * The counters behind `app.stats()`: runs by outcome, where the unsettled ones are (queued or
 * running), and the timings of answered tries.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { Reservoir, type AppStats } from './stats.js';

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
  /** Recent task run time, ms (a moving average): the balancer queues tasks behind others only while it is short. */
  recentRunMs = Infinity;
  private readonly runTime = new Reservoir();
  private readonly waitTime = new Reservoir();
  private readonly codecTime = new Reservoir();
  private readonly startedAt = performance.now();

  /** Moves `weight` runs between the queued / running counters. */
  move(weight: number, from: number, to: number): void {
    if (from === PLACE_QUEUED) this.queued -= weight;
    else if (from === PLACE_RUNNING) this.running -= weight;
    if (to === PLACE_QUEUED) this.queued += weight;
    else if (to === PLACE_RUNNING) this.running += weight;
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
      running: this.running,
      threads,
      utilization: capacity > 0 ? Math.min(1, this.runTime.total / capacity) : 0,
      runTime: this.runTime.summary(),
      waitTime: this.waitTime.summary(),
      codecTime: this.codecTime.summary(),
    };
  }
}
