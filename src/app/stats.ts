/**
 * The app's counters and timing summaries. Times are kept in fixed-size reservoirs (a uniform
 * random sample of every value seen), so memory stays flat however many runs an app serves, while
 * the mean stays exact.
 * @module
 */

/** A timing summary, in milliseconds. */
export interface TimeSummary {
  /** The mean of every value recorded. */
  readonly mean: number;
  /** The median (estimated from a uniform sample). */
  readonly p50: number;
  /** The 99th percentile (estimated from a uniform sample). */
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
  /** Runs waiting for a thread (including those waiting to retry). */
  readonly queued: number;
  /** Runs handed to a thread and not yet settled. */
  readonly running: number;
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

/** How many values a reservoir keeps. */
const RESERVOIR_SIZE = 1024;

/**
 * A fixed-size uniform sample of a stream of numbers, plus its exact count and sum. Once full it
 * follows Li's "Algorithm L": it draws how many values to skip before the next replacement, so
 * recording a value usually costs an addition, not a random draw. @internal
 */
export class Reservoir {
  private readonly samples = new Float64Array(RESERVOIR_SIZE);
  private count = 0;
  private sum = 0;
  /** The count at which the next value replaces a random sample. */
  private nextReplace = 0;
  /** Algorithm L's running weight. */
  private weight = 1;

  /** Records one value. */
  add(value: number): void {
    const count = ++this.count;
    this.sum += value;
    if (count <= RESERVOIR_SIZE) {
      this.samples[count - 1] = value;
      if (count === RESERVOIR_SIZE) this.scheduleNext();
      return;
    }
    if (count < this.nextReplace) return;
    this.samples[Math.floor(Math.random() * RESERVOIR_SIZE)] = value;
    this.scheduleNext();
  }

  private scheduleNext(): void {
    this.weight *= Math.exp(Math.log(Math.random()) / RESERVOIR_SIZE);
    this.nextReplace = this.count + Math.floor(Math.log(Math.random()) / Math.log(1 - this.weight)) + 1;
  }

  /** The total of every value recorded. */
  get total(): number {
    return this.sum;
  }

  /** Mean, median and 99th percentile. All zero before the first value. */
  summary(): TimeSummary {
    if (this.count === 0) return { mean: 0, p50: 0, p99: 0 };
    const sorted = this.samples.slice(0, Math.min(this.count, RESERVOIR_SIZE)).sort();
    return { mean: this.sum / this.count, p50: rank(sorted, 0.5), p99: rank(sorted, 0.99) };
  }
}

/** Nearest-rank percentile of a sorted, non-empty sample. */
function rank(sorted: Float64Array, quantile: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[index] ?? 0;
}
