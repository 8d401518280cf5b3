/**
 * The app's counters and timing summaries. Times are kept in HDR histograms, so memory stays flat
 * however many runs an app serves, percentiles are within 0.1 % of the true ones, and the mean is
 * exact.
 * @module
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

/** A timing summary, in milliseconds. */
export interface TimeSummary {
  /** The mean of every value recorded. */
  readonly mean: number;
  /** The median (from an HDR histogram: within 0.1 %, and at least 1 µs). */
  readonly p50: number;
  /** The 99th percentile (likewise). */
  readonly p99: number;
}

/** A snapshot of an app's activity, from `app.stats()`. */
export interface AppStats {
  /** Runs submitted (each `map` input counts as one run). */
  readonly submitted: number;
  /** Runs that succeeded. */
  readonly completed: number;
  /** Runs that failed (task error, timeout, thread death, encode error, app destroyed ...). */
  readonly failed: number;
  /** Runs cancelled by their caller (`cancel()`, `signal`, or a failed `map` cancelling the rest). */
  readonly cancelled: number;
  /** Runs waiting for a thread (including those waiting to retry); on a queue app, this process's jobs not yet taken by a worker. */
  readonly queued: number;
  /** How long the run waiting longest has waited so far, ms (0 when none waits): the queue's age, live. */
  readonly oldestWait: number;
  /** Runs handed to a thread and not yet settled. */
  readonly running: number;
  /**
   * Runs (tries of runs, and map chunks) that reached a thread in a batch with others: while
   * short tasks queue for busy threads, the app hands a thread several at once (each still runs
   * alone, with its own signal, timeout and answer). 0 on a queue app.
   */
  readonly batched: number;
  /** Threads alive now. */
  readonly threads: number;
  /** Share of the pool's capacity spent running tasks since the app started, 0 to 1. */
  readonly utilization: number;
  /** How long tasks ran in their thread. */
  readonly runTime: TimeSummary;
  /** How long runs waited between submission and their task starting. */
  readonly waitTime: TimeSummary;
  /** Time spent encoding and decoding arguments, results and errors (both threads together). */
  readonly codecTime: TimeSummary;
}

/**
 * The times of one kind, in constant memory: an HDR histogram (Node's `perf_hooks`, three
 * significant digits, kept in microseconds) for the percentiles, and the exact sum for the mean.
 * @internal
 */
export class TimeHistogram {
  private readonly histogram: RecordableHistogram = createHistogram();
  private count = 0;
  private sum = 0;

  /** Records one time, in ms. */
  add(ms: number): void {
    this.count++;
    this.sum += ms;
    // The histogram takes integers from 1 up: microseconds, rounded, at least 1.
    this.histogram.record(Math.max(1, Math.round(ms * 1000)));
  }

  /** The total of every time recorded, ms. */
  get total(): number {
    return this.sum;
  }

  /** Mean, median and 99th percentile, ms. All zero before the first value. */
  summary(): TimeSummary {
    if (this.count === 0) return { mean: 0, p50: 0, p99: 0 };
    return { mean: this.sum / this.count, p50: this.histogram.percentile(50) / 1000, p99: this.histogram.percentile(99) / 1000 };
  }
}
