/**
 * The `this` of a task ({@link TaskContext}): its id and attempt, its abort signal, progress
 * reports, and the buffers it asks to transfer with its result.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { encode } from '../codec/index.js';
import { EVENT_MARK, EVENT_PROGRESS, FLAG_PROGRESS, TASK_ATTEMPT, TASK_FLAGS, TASK_LABEL, TASK_RUN, TASK_SLOT, isPlainPrimitive, type ProgressEvent, type RunLabel, type TaskMessage } from '../protocol/messages.js';
import type { TaskContext } from '../protocol/tasks.js';
import { thread, type Abortable } from './boot.js';

/** The `this` of one task. */
export class Context implements TaskContext, Abortable {
  readonly i: number;
  readonly n: number;
  readonly flags: number;
  /** The task's lease on a start cell (see `start-cells.ts`), -1 for none. */
  readonly lease: number;
  /** Progress events posted. */
  sent = 0;
  /** Set once the answer is built: later progress is dropped. */
  done = false;
  buffers: ArrayBuffer[] | undefined;
  /** The id and attempt of the queue's job this task runs, if it runs one. */
  private readonly label: RunLabel | undefined;
  private controller: AbortController | undefined;
  private reason: DOMException | undefined;

  /** The context of the task `message` starts; a cancel that came before the task applies at once. */
  constructor(message: TaskMessage) {
    this.i = message[TASK_RUN];
    this.n = message[TASK_ATTEMPT];
    this.flags = message[TASK_FLAGS];
    this.lease = message[TASK_SLOT];
    this.label = message[TASK_LABEL];
    const early = thread.earlyCancels;
    if (early.size > 0) {
      const cancel = early.get(this.i);
      if (cancel !== undefined) {
        early.delete(this.i);
        if (cancel.n === this.n) this.abort(cancel.r);
      }
    }
  }

  get id(): string {
    return this.label === undefined ? String(this.i) : this.label[0];
  }

  get attempt(): number {
    return this.label === undefined ? this.n : this.label[1];
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  // The controller is made on first use: most tasks never look at their signal.
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(kind: 'cancel' | 'timeout'): void {
    if (this.reason !== undefined) return;
    this.reason = kind === 'timeout' ? new DOMException('The task timed out', 'TimeoutError') : new DOMException('The task was cancelled', 'AbortError');
    this.controller?.abort(this.reason);
  }

  progress(value: unknown): void {
    if ((this.flags & FLAG_PROGRESS) === 0 || this.done) return;
    const plain = isPlainPrimitive(value);
    const event: ProgressEvent = [EVENT_MARK, EVENT_PROGRESS, this.i, this.n, plain ? value : encode(value, { strict: thread.strict, path: 'progress' }), plain ? 0 : 1];
    parentPort?.postMessage(event);
    this.sent++;
  }

  transfer(...buffers: ArrayBuffer[]): void {
    (this.buffers ??= []).push(...buffers);
  }
}
