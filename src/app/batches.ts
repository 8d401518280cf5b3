/**
 * Dispatch batching: while short tasks queue for busy threads, the runs posted meanwhile travel
 * to a thread together, as one pool task carrying their task messages (`FLAG_BATCH`), so the pool
 * pays its per-task cost (a message, a wake-up, its bookkeeping) once for all of them.
 *
 * A run is only ever added to a batch that is still waiting in the pool's queue, and only when
 * other tasks wait there too: a run posted while a thread is free goes alone and at once, so
 * batching adds no latency. Each member keeps its own start cell and answers as an event of its
 * own (see `worker/index.ts`), so cancel, timeouts, a lost thread and retries treat it exactly as
 * a run posted alone; the batch's own answer from the pool is `null`.
 * @module
 */
import { queueOptionsSymbol, type Piscina } from 'piscina';
import { FLAG_BATCH, type ResultMessage, type TaskMessage } from '../protocol/messages.js';
import type { Dispatchable } from './balancer.js';
import type { Counters } from './counters.js';

/**
 * Runs are batched only while recent tasks ran this long at most (a moving average), ms; a batch
 * holds as many as fit in {@link BATCH_BUDGET_MS} at that pace, so a thread never holds much
 * work that another thread could have taken.
 */
const BATCH_RUN_MS = 1;

/** About how long the tasks of one batch are to run together, ms (see {@link BATCH_RUN_MS}). */
const BATCH_BUDGET_MS = 2;

/** What the batches need of a posted task message's job. */
interface Batchable extends Dispatchable {
  /** Its place among waiting tasks (0 is the default; only those are batched). */
  readonly priority: number;
}

/** One batch: the pool task that carries its members' messages. */
class Batch implements Dispatchable {
  /** Batches wait among the tasks of the default priority. */
  readonly priority = 0;
  readonly members: TaskMessage[] = [];
  /** The pool's answer for the whole batch. */
  readonly answer: Promise<ResultMessage | null>;
  /** Cleared once the pool hands the batch to a thread: it then takes no more members. */
  open = true;

  constructor(
    pool: Piscina<TaskMessage, ResultMessage | null>,
    first: TaskMessage,
    readonly limit: number,
    private readonly counters: Counters,
  ) {
    this.members.push(first);
    const message: TaskMessage = [0, 1, '', this.members, FLAG_BATCH, -1];
    // The balancer finds the batch here; structured clone ignores symbol keys.
    (message as unknown as Record<symbol, unknown>)[queueOptionsSymbol] = this;
    this.answer = pool.run(message);
  }

  /**
   * The pool hands the batch to `thread`: each member is dispatched there in turn, the first
   * where the batch goes, the others behind it, all answering by event.
   */
  dispatched(thread: number, behind: boolean): void {
    this.open = false;
    const members = this.members;
    if (members.length > 1) this.counters.batched += members.length;
    for (let index = 0; index < members.length; index++) {
      jobOf(members[index] as TaskMessage).dispatched(thread, behind || index > 0, true);
    }
  }
}

function jobOf(message: TaskMessage): Batchable {
  return (message as unknown as Record<symbol, Batchable>)[queueOptionsSymbol] as Batchable;
}

/** The batching of one app's pool. */
export class Batches {
  /** The batch that still takes members, if any. */
  private current: Batch | undefined;

  /**
   * @param pool The pool the batches go to.
   * @param waiting How many tasks wait in the pool's queue.
   * @param counters Where recent task run time is read.
   * @param enabled Off when the pool's queue is bounded (`maxQueue`), which counts pool tasks.
   * @param most The most runs in one batch: the protocol's `BATCH_MAX`, or fewer when threads retire
   *   after that many tasks (members past a retirement go back to the queue).
   */
  constructor(
    private readonly pool: Piscina<TaskMessage, ResultMessage | null>,
    private readonly waiting: () => number,
    private readonly counters: Counters,
    private readonly enabled: boolean,
    private readonly most: number,
  ) {}

  /**
   * Hands one task message to the pool, alone or in a batch; the promise is the pool's answer
   * for whatever carried it.
   */
  post(message: TaskMessage, transfer: readonly ArrayBuffer[] | undefined): Promise<ResultMessage | null> {
    const pool = this.pool;
    const runMs = this.counters.recentRunMs;
    if (!this.enabled || runMs > BATCH_RUN_MS || (transfer !== undefined && transfer.length > 0) || jobOf(message).priority !== 0) {
      // Posted alone; a batch opened before it takes no later run, so order holds among equals.
      this.current = undefined;
      return transfer === undefined ? pool.run(message) : pool.run(message, { transferList: [...transfer] });
    }
    const batch = this.current;
    if (batch !== undefined && batch.open && batch.members.length < batch.limit) {
      batch.members.push(message);
      return batch.answer;
    }
    this.current = undefined;
    // A thread is free, or about to be: go alone, at once.
    if (this.waiting() === 0) return pool.run(message);
    const limit = Math.max(1, Math.min(this.most, Math.floor(BATCH_BUDGET_MS / Math.max(runMs, 1e-3))));
    const opened = new Batch(pool, message, limit, this.counters);
    this.current = opened;
    return opened.answer;
  }
}
