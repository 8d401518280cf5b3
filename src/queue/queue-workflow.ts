/**
 * A workflow as its submitter sees it on a queue: one {@link TaskRun} that follows the events of
 * every part of the flow. It settles once: with the root's result (decoded); with the error of
 * the first part that fails for good (whose error record travels as every job's does), the other
 * parts then being cancelled; or with a cancel of the whole.
 * @module
 */
import { performance } from 'node:perf_hooks';
import { abortError, CelerityError, RemoteError } from '../errors.js';
import type { JsonWire } from '../json/format.js';
import { QueueHandle } from './queue-handle.js';
import { callBack } from '../app/callback.js';
import type { WorkflowProgress } from '../workflow/progress.js';
import { readError, readProgress, readResult } from './job-format.js';
import { CHILD_FAILED, type JobWatcher } from './queue-run.js';

/** What a workflow needs from its app. */
export interface WorkflowOwner {
  /** The workflow settled: stop routing its parts' events; `timings` for the stats. */
  settledWorkflow(run: QueueWorkflow<unknown>, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void;
  /** Cancel these parts in Redis (marked, announced, the root removed if it can be). */
  cancelParts(root: string, parts: readonly string[]): void;
  /** The workflow moved between queued and running, for the stats. */
  moved(run: object, place: 'queued' | 'running'): void;
}

/** A workflow this process submitted. */
export class QueueWorkflow<R> extends QueueHandle<R> {
  private finished = 0;
  /** The latest error record of each part that failed an attempt. */
  private readonly errors = new Map<string, { attempt: number; error: JsonWire }>();
  /** The parts not yet completed. */
  private readonly open: Set<string>;
  private readonly createdAt = performance.now();
  private activeAt: number | undefined;
  codecTime = 0;

  /**
   * @param parts every part's id; `steps` the ids of the parts that are task calls (counted by the progress).
   */
  constructor(
    readonly id: string,
    parts: readonly string[],
    private readonly steps: ReadonlySet<string>,
    private readonly owner: WorkflowOwner,
    private readonly onProgress: ((value: WorkflowProgress) => void) | undefined,
  ) {
    super();
    this.open = new Set(parts);
  }

  /** The watcher of part `id`, for the app's event routing. */
  watcher(id: string): JobWatcher {
    return {
      active: () => {
        this.partActive();
      },
      waiting: () => undefined,
      progress: (stored) => {
        this.partProgress(id, stored);
      },
      completed: (stored) => {
        this.partCompleted(id, stored);
      },
      failed: (reason, stored) => {
        this.partFailed(id, reason, stored);
      },
      removed: () => {
        if (!this.done && this.open.has(id)) this.end('cancelled', abortError(new Error(`part ${id} of workflow ${this.id} was removed from the queue`)));
      },
      // Only the root's job is looked up (its parts may be removed as they complete).
      lost: (error) => {
        this.fail(error);
      },
    };
  }

  /**
   * Ends the workflow with an error of this process's own (closing, destroyed, Redis unavailable
   * ...). Its parts go on in Redis: another process may `attach` to it.
   */
  fail(error: unknown): void {
    if (!this.done) this.end('failed', error, false);
  }

  private partActive(): void {
    if (this.done || this.current !== 'queued') return;
    this.current = 'running';
    this.activeAt = performance.now();
    this.owner.moved(this, 'running');
  }

  private partProgress(id: string, stored: unknown): void {
    if (this.done) return;
    let read;
    try {
      read = readProgress(stored);
    } catch {
      // A step's own progress value that cannot be read concerns nobody here: the workflow reports steps done.
      return;
    }
    if (read.kind !== 'error') return;
    const last = this.errors.get(id);
    if (last === undefined || read.attempt >= last.attempt) this.errors.set(id, read);
  }

  private partCompleted(id: string, stored: unknown): void {
    if (this.done || !this.open.delete(id)) return;
    if (this.steps.has(id)) {
      this.finished++;
      this.report();
    }
    if (id !== this.id) return;
    const started = performance.now();
    let value: unknown;
    try {
      value = readResult(stored);
    } catch (error) {
      this.codecTime += performance.now() - started;
      this.end('failed', error);
      return;
    }
    this.codecTime += performance.now() - started;
    this.end('succeeded', value);
  }

  private partFailed(id: string, reason: string, stored: unknown): void {
    if (this.done) return;
    if (stored !== undefined) this.partProgress(id, stored);
    const record = this.errors.get(id);
    // A parent failed by its child: that child's own failure, reported before, says what happened.
    if (record === undefined && CHILD_FAILED.test(reason) && id !== this.id) return;
    const started = performance.now();
    const error = record === undefined ? new RemoteError('Error', `part ${id} of workflow ${this.id} failed: ${reason}`) : readError(record.error);
    this.codecTime += performance.now() - started;
    if (error instanceof CelerityError && error.code === 'ERR_TASK_CANCELLED') this.end('cancelled', error);
    else this.end('failed', error);
  }

  private report(): void {
    if (this.onProgress === undefined) return;
    callBack(this.onProgress, [{ done: this.finished, total: this.steps.size }], `onProgress of workflow ${this.id}`);
  }

  /** Settles the workflow; `stopParts`: cancel in Redis the parts not done (after a cancel, or a part's failure). */
  protected end(state: 'succeeded' | 'failed' | 'cancelled', outcome: unknown, stopParts = state !== 'succeeded'): void {
    this.done = true;
    this.current = state;
    const now = performance.now();
    const timings = this.activeAt === undefined ? undefined : { wait: this.activeAt - this.createdAt, run: now - this.activeAt, codec: this.codecTime };
    this.owner.settledWorkflow(this as QueueWorkflow<unknown>, state, timings);
    // What is left of it would run for nobody (or on after the failure that ended it): stop it.
    if (stopParts && this.open.size > 0) this.owner.cancelParts(this.id, [...this.open]);
    if (state === 'succeeded') this.resolve(outcome as R);
    else this.reject(outcome);
  }
}
