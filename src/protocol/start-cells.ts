/**
 * The start-cell protocol: who was first, a thread starting a task or the main thread taking it
 * back. Each task handed to a thread gets one cell of a shared `Int32Array`
 * (`BootData.starts`, the index in the task message's `TASK_SLOT`). A compare-and-swap on
 * it decides the race, so the main thread knows whether a task it lost with its thread ever
 * started, and never stops a thread for a task that has not begun.
 *
 * A cell is {@link SLOT_PENDING} while its task waits; the thread sets it to
 * {@link SLOT_STARTED} as it starts the task and to {@link SLOT_FINISHED} once it has answered;
 * or the main thread sets it first to {@link SLOT_CANCELLED} or {@link SLOT_WITHDRAWN}, and the
 * thread then skips the task.
 *
 * The main thread's side is {@link StartCells}; the thread's side is {@link claimStart} and
 * {@link markFinished}.
 * @module
 */

/** A task's start cell: posted, not started. */
export const SLOT_PENDING = 0;
/** A task's start cell: the thread started it. */
export const SLOT_STARTED = 1;
/** A task's start cell: the thread answered it. */
export const SLOT_FINISHED = 2;
/** A task's start cell: cancelled before it started; the thread answers it as skipped. */
export const SLOT_CANCELLED = -1;
/**
 * A task's start cell: taken back before it started, to be posted again (its thread is about to
 * be stopped, or is retiring); the thread answers it as skipped.
 */
export const SLOT_WITHDRAWN = -2;

/** How many threads {@link StartCells.startedOn} remembers once their cells are given back. */
const STARTED_KEPT = 256;

/** The main thread's side: hands out cells, reads them, and takes tasks back. */
export class StartCells {
  /** The shared memory, for `BootData.starts`. */
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  private readonly free: number[] = [];
  /** The thread each cell in use was handed to (0 when free). */
  private readonly threads: Int32Array;
  /** Threads known to have started a task (from the cells they gave back), oldest first; bounded. */
  private readonly started = new Set<number>();
  /** The thread added to {@link started} last: most cells given back repeat it. */
  private lastStarted = 0;

  /** Makes `count` cells, all free. */
  constructor(count: number) {
    this.buffer = new SharedArrayBuffer(4 * count);
    this.cells = new Int32Array(this.buffer);
    this.threads = new Int32Array(count);
    for (let cell = count - 1; cell >= 0; cell--) this.free.push(cell);
  }

  /** Whether a cell is free. */
  get available(): boolean {
    return this.free.length > 0;
  }

  /** A free cell for a task handed to `thread`, set to pending; -1 if none is free. */
  take(thread: number): number {
    const cell = this.free.pop();
    if (cell === undefined) return -1;
    Atomics.store(this.cells, cell, SLOT_PENDING);
    this.threads[cell] = thread;
    return cell;
  }

  /** Gives back a cell once its task is over: answered by event, or settled by the pool. */
  release(cell: number): void {
    if (cell < 0) return;
    const thread = this.threads[cell] as number;
    if (thread !== this.lastStarted && Atomics.load(this.cells, cell) > SLOT_PENDING) this.noteStarted(thread);
    this.threads[cell] = 0;
    this.free.push(cell);
  }

  /**
   * Whether `thread` is known to have started a task: a cell it gave back says so, or one it
   * still holds. A thread that died without starting any may die again the same way (a tasks
   * module that ends its thread as it loads); one that started a task died of what ran there.
   */
  startedOn(thread: number): boolean {
    if (thread === 0) return false;
    if (this.started.has(thread)) return true;
    for (let cell = 0; cell < this.threads.length; cell++) {
      if (this.threads[cell] === thread && Atomics.load(this.cells, cell) > SLOT_PENDING) return true;
    }
    return false;
  }

  private noteStarted(thread: number): void {
    this.lastStarted = thread;
    this.started.delete(thread);
    this.started.add(thread);
    // Thread ids are never reused; only recent ones matter, for the tasks their death lost.
    if (this.started.size > STARTED_KEPT) this.started.delete(this.started.values().next().value as number);
  }

  /** The state of a cell (a task without one counts as started). */
  state(cell: number): number {
    return cell < 0 ? SLOT_STARTED : Atomics.load(this.cells, cell);
  }

  /** Marks the task of `cell` cancelled unless it has started; returns whether it had not. */
  cancelBeforeStart(cell: number): boolean {
    return cell >= 0 && Atomics.compareExchange(this.cells, cell, SLOT_PENDING, SLOT_CANCELLED) === SLOT_PENDING;
  }

  /**
   * Called when the task of `cell`, on `thread`, has not answered its cancel in time: withdraws
   * the tasks waiting behind it there (so none can start there any more), then returns whether
   * the thread must be stopped, that is, whether that task is still running.
   */
  mustStop(thread: number, cell: number): boolean {
    for (let other = 0; other < this.threads.length; other++) {
      if (other !== cell && this.threads[other] === thread) Atomics.compareExchange(this.cells, other, SLOT_PENDING, SLOT_WITHDRAWN);
    }
    return cell < 0 || Atomics.load(this.cells, cell) === SLOT_STARTED;
  }
}

/**
 * The thread's side, as it is about to start the task of `cell`: claims the cell, or withdraws
 * the task when `retiring` (so that the main thread posts it again elsewhere). Returns whether
 * the task may run; `false` when it was cancelled or withdrawn first.
 */
export function claimStart(cells: Int32Array, cell: number, retiring: boolean): boolean {
  if (cell < 0) return true;
  const claimed = Atomics.compareExchange(cells, cell, SLOT_PENDING, retiring ? SLOT_WITHDRAWN : SLOT_STARTED);
  return !retiring && claimed !== SLOT_CANCELLED && claimed !== SLOT_WITHDRAWN;
}

/** The thread's side, once the task of `cell` has answered (a skipped task's cell keeps what the main thread wrote). */
export function markFinished(cells: Int32Array, cell: number): void {
  if (cell >= 0) Atomics.compareExchange(cells, cell, SLOT_STARTED, SLOT_FINISHED);
}
