/**
 * One job as its submitter sees it: a {@link TaskRun} that the queue app's event reader moves
 * through its states (queued, running, retrying) and settles exactly once, with the decoded
 * result, the error of the job's last attempt, or a cancel.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { abortError, CelerityError, RemoteError } from '../errors.js';
import type { JsonWire } from '../json/format.js';
import { QueueHandle } from './queue-handle.js';
import { callBack } from '../app/callback.js';
import { readError, readProgress, readResult } from './job-format.js';

/** What a run needs from its app. */
export interface RunOwner {
  /** The run settled: stop routing its events. */
  settled(run: QueueRun<unknown>, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void;
  /** Cancel the job in Redis (the run has already settled as cancelled). */
  cancelJob(id: string): void;
  /** The run moved between queued and running, for the stats. */
  moved(run: object, place: 'queued' | 'running'): void;
  /** The run's job (a workflow's root) failed because a part did: find that part and fail the run with its error. */
  explainFailure(run: QueueRun<unknown>, reason: string): void;
}

/** BullMQ's reason for a parent failed by its child, with the child's key. */
export const CHILD_FAILED = /^child (.+) failed$/;

/** What follows one job's events: the queue app hands each event of job `id` to its watchers. */
export interface JobWatcher {
  /** A worker took the job up. */
  active(): void;
  /** The job waits again (after a failed attempt, or sent back to the queue). */
  waiting(): void;
  /** A progress value, as stored. */
  progress(stored: unknown): void;
  /** The job completed with this stored return value. */
  completed(stored: unknown): void;
  /** The job failed for good; `stored` is the error record kept with the job, when read. */
  failed(reason: string, stored?: unknown): void;
  /** The job was removed by someone else. */
  removed(): void;
  /** The job is gone from Redis without its end having reached this process (see `recheck.ts`). */
  lost(error: Error): void;
}

/** A job this process submitted or attached to. */
export class QueueRun<R> extends QueueHandle<R> implements JobWatcher {
  readonly id: string;
  /** The error record of the latest failed attempt (see `job-format.ts`). */
  private lastError: { attempt: number; error: JsonWire } | undefined;
  private readonly createdAt = performance.now();
  private activeAt: number | undefined;
  /** Time spent encoding and decoding here, ms. */
  codecTime = 0;

  constructor(
    id: string,
    private readonly owner: RunOwner,
    private readonly onProgress: ((value: unknown) => void) | undefined,
  ) {
    super();
    this.id = id;
  }

  override cancel(reason?: unknown): void {
    if (this.done) return;
    super.cancel(reason);
    this.owner.cancelJob(this.id);
  }

  /** A worker took the job up. */
  active(): void {
    if (this.done) return;
    this.current = 'running';
    this.activeAt ??= performance.now();
    this.owner.moved(this, 'running');
  }

  /** The job waits again after a failed attempt (or went back to the queue). */
  waiting(): void {
    if (this.done) return;
    if (this.current === 'running') this.current = 'retrying';
    this.owner.moved(this, 'queued');
  }

  /** A progress value, as stored; an attempt's error is kept for the end. */
  progress(stored: unknown): void {
    if (this.done) return;
    const decoded = this.decode(() => readProgress(stored));
    if (decoded === undefined) return;
    const read = decoded.value;
    if (read.kind === 'error') {
      if (this.lastError === undefined || read.attempt >= this.lastError.attempt) this.lastError = read;
      return;
    }
    callBack(this.onProgress, [read.value], `onProgress of job ${this.id}`);
  }

  /** The job completed with this stored return value. */
  completed(stored: unknown): void {
    if (this.done) return;
    const decoded = this.decode(() => readResult(stored));
    if (decoded !== undefined) this.end('succeeded', decoded.value);
  }

  /**
   * The job failed for good; `reason` is BullMQ's `failedReason`, `stored` the error record kept
   * with the job, if read; `explained` once the part that failed a workflow was looked for.
   */
  failed(reason: string, stored?: unknown, explained = false): void {
    if (this.done) return;
    if (stored !== undefined) {
      this.progress(stored);
      // Reading the stored record may have failed the run.
      if (this.done as boolean) return;
    }
    if (!explained && this.lastError === undefined && CHILD_FAILED.test(reason)) {
      this.owner.explainFailure(this as QueueRun<unknown>, reason);
      return;
    }
    const started = performance.now();
    const error = this.lastError === undefined ? reasonError(reason) : readError(this.lastError.error);
    this.codecTime += performance.now() - started;
    if (error instanceof CelerityError && error.code === 'ERR_TASK_CANCELLED') this.end('cancelled', error);
    else this.end('failed', error);
  }

  /** The job was removed by someone else while this run waited for it. */
  removed(): void {
    if (this.done) return;
    this.end('cancelled', abortError(new Error(`job ${this.id} was removed from the queue`)));
  }

  /** The job is gone from Redis, and how it ended never reached this process. */
  lost(error: Error): void {
    this.fail(error);
  }

  /** Ends the run with an error of this process's own (closing, destroyed, Redis unavailable ...). */
  fail(error: unknown): void {
    if (this.done) return;
    this.end('failed', error);
  }

  /** Runs a decode, counting its time; one that throws fails the run, and `undefined` comes back. */
  private decode<T>(read: () => T): { value: T } | undefined {
    const started = performance.now();
    try {
      const value = read();
      this.codecTime += performance.now() - started;
      return { value };
    } catch (error) {
      this.codecTime += performance.now() - started;
      this.fail(error);
      return undefined;
    }
  }

  protected end(state: 'succeeded' | 'failed' | 'cancelled', outcome: unknown): void {
    this.done = true;
    this.current = state;
    const now = performance.now();
    const timings = this.activeAt === undefined ? undefined : { wait: this.activeAt - this.createdAt, run: now - this.activeAt, codec: this.codecTime };
    this.owner.settled(this as QueueRun<unknown>, state, timings);
    if (state === 'succeeded') this.resolve(outcome as R);
    else this.reject(outcome);
  }
}

/** The error for a job that failed without an error record (stalled too often, failed by other code ...). */
function reasonError(reason: string): Error {
  if (/stalled/i.test(reason)) return new CelerityError('ERR_WORKER_EXITED', `The job's worker stopped before the job finished, too many times: ${reason}`);
  return new RemoteError('Error', reason);
}
