/**
 * Asks a thread for the names of the tasks module's tasks, so that a workflow naming a task that
 * does not exist is refused before any of it runs. The main thread never imports the tasks module
 * itself (its side effects and dependencies belong to the threads), so a thread answers.
 * @module
 */
import { Job } from './job.js';
import type { Core } from './core.js';
import { failureError } from '../errors.js';
import { FLAG_LIST_TASKS, RESULT_FAILURE, RESULT_KIND, RESULT_OK, RESULT_VALUE, type ResultMessage } from '../protocol/messages.js';

/** One question to the pool: "which tasks are there?". It counts as no run in the stats. */
export class TaskListing extends Job<ReadonlySet<string>> {
  constructor(core: Core) {
    super(core, 0);
    // Asked for a workflow the app accepted, which it finishes while closing.
    const refusal = core.state === 'closing' ? undefined : core.refusal();
    if (refusal !== undefined) {
      this.reject(refusal);
      return;
    }
    core.active.enter(this);
    // Ahead of every waiting run: the workflow that asks waits for nothing else.
    this.priority = 1;
    this.post('', { value: [], wire: false }, FLAG_LIST_TASKS, undefined);
  }

  protected onAnswer(result: ResultMessage): void {
    if (!this.markSettled()) return;
    const names = result[RESULT_VALUE];
    if (result[RESULT_KIND] === RESULT_OK && Array.isArray(names)) {
      this.resolve(new Set(names.filter((name): name is string => typeof name === 'string')));
      return;
    }
    const record = result[RESULT_FAILURE];
    this.reject(record === undefined ? new Error('a thread did not list the tasks module\'s tasks') : failureError(record));
  }

  protected onLost(error: Error): void {
    if (this.markSettled()) this.reject(error);
  }

  override abort(error: Error): void {
    if (this.markSettled()) this.reject(error);
  }
}
