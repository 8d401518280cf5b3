/**
 * The start-cell protocol: who was first, a thread starting a task or the main thread taking it
 * back. Each task handed to a thread gets one cell of a shared `Int32Array`
 * (`BootData.starts`) under a lease, which the task message carries in `TASK_SLOT`. A
 * compare-and-swap on the cell decides the race, so the main thread knows whether a task it lost
 * with its thread ever started, and never stops a thread for a task that has not begun.
 *
 * A cell is {@link SLOT_PENDING} while its task waits; the thread sets it to
 * {@link SLOT_STARTED} as it starts the task and to {@link SLOT_FINISHED} once it has answered;
 * or the main thread sets it first to {@link SLOT_CANCELLED} or {@link SLOT_WITHDRAWN}, and the
 * thread then skips the task.
 *
 * A lease is the cell's index plus a multiple of the number of cells, a new one each time the
 * cell is handed out (the thread finds its cell as the lease modulo the number of cells). The
 * thread never touches a finished cell again, so when none is free the main thread takes back a
 * finished cell before its holder has given it back: the pool reads answers on its own port and
 * hands out new tasks before the answer events that give cells back are read. The old lease then
 * reads as finished, and giving it back, cancelling or stopping under it do nothing.
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

/** The main thread's side: hands out cells under leases, reads them, and takes tasks back. */
export class StartCells {
  /** The shared memory, for `BootData.starts`. */
  readonly buffer: SharedArrayBuffer;
  private readonly cells: Int32Array;
  private readonly free: number[] = [];
  /** The thread each cell in use was handed to (0 when free: thread ids start at 1). */
  private readonly threads: Int32Array;
  /** The last lease each cell was handed out under (-1 before the first). */
  private readonly leases: Float64Array;
  /** Where the next search for a finished cell to take back starts. */
  private sweep = 0;
  /** Threads known to have started a task (from the cells they gave back), oldest first; bounded. */
  private readonly started = new Set<number>();
  /** The thread added to {@link started} last: most cells given back repeat it. */
  private lastStarted = 0;

  /** Makes `count` cells, all free. */
  constructor(count: number) {
    this.buffer = new SharedArrayBuffer(4 * count);
    this.cells = new Int32Array(this.buffer);
    this.threads = new Int32Array(count);
    this.leases = new Float64Array(count).fill(-1);
    for (let cell = count - 1; cell >= 0; cell--) this.free.push(cell);
  }

  /** Whether a cell can be had without taking a finished one back. */
  get available(): boolean {
    return this.free.length > 0;
  }

  /**
   * A lease on a cell for a task handed to `thread`, the cell set to pending: a free cell, or a
   * finished one taken back from its holder; -1 if every cell holds a task that is not over.
   */
  take(thread: number): number {
    const cell = this.free.pop() ?? this.takeBackFinished();
    if (cell === -1) return -1;
    Atomics.store(this.cells, cell, SLOT_PENDING);
    this.threads[cell] = thread;
    const count = this.cells.length;
    const previous = this.leases[cell] as number;
    // A new lease for each task, so whatever the last holder still does under its own is void.
    const lease = previous < 0 || previous + count > Number.MAX_SAFE_INTEGER ? cell : previous + count;
    this.leases[cell] = lease;
    return lease;
  }

  /** Gives back the cell of `lease` once its task is over (answered by event, or settled by the pool); no-op for a lease no longer held. */
  release(lease: number): void {
    if (!this.holds(lease)) return;
    const cell = lease % this.cells.length;
    this.noteIfStarted(cell);
    this.threads[cell] = 0;
    this.free.push(cell);
  }

  /** The next cell, round the array, whose task has finished although its holder still has it; -1 if none. */
  private takeBackFinished(): number {
    const count = this.cells.length;
    for (let step = 0; step < count; step++) {
      const cell = (this.sweep + step) % count;
      if (this.threads[cell] !== 0 && Atomics.load(this.cells, cell) === SLOT_FINISHED) {
        this.sweep = (cell + 1) % count;
        this.noteIfStarted(cell);
        return cell;
      }
    }
    return -1;
  }

  private holds(lease: number): boolean {
    const cell = lease % this.cells.length;
    return lease >= 0 && this.threads[cell] !== 0 && this.leases[cell] === lease;
  }

  private noteIfStarted(cell: number): void {
    const thread = this.threads[cell] as number;
    if (thread !== this.lastStarted && Atomics.load(this.cells, cell) > SLOT_PENDING) this.noteStarted(thread);
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

  /** The state of the cell of `lease`: a task without one counts as started, one whose cell was given or taken back as finished. */
  state(lease: number): number {
    if (lease < 0) return SLOT_STARTED;
    return this.holds(lease) ? Atomics.load(this.cells, lease % this.cells.length) : SLOT_FINISHED;
  }

  /** Marks the task of `lease` cancelled unless it has started; returns whether it had not. */
  cancelBeforeStart(lease: number): boolean {
    return this.holds(lease) && Atomics.compareExchange(this.cells, lease % this.cells.length, SLOT_PENDING, SLOT_CANCELLED) === SLOT_PENDING;
  }

  /**
   * Called when the task of `lease`, on `thread`, has not answered its cancel in time: withdraws
   * the tasks waiting behind it there (so none can start there any more), then returns whether
   * the thread must be stopped, that is, whether that task is still running.
   */
  mustStop(thread: number, lease: number): boolean {
    const own = lease < 0 ? -1 : lease % this.cells.length;
    for (let other = 0; other < this.threads.length; other++) {
      if (other !== own && this.threads[other] === thread) Atomics.compareExchange(this.cells, other, SLOT_PENDING, SLOT_WITHDRAWN);
    }
    return lease < 0 || this.state(lease) === SLOT_STARTED;
  }
}

/**
 * The thread's side, as it is about to start the task of `lease`: claims its cell, or withdraws
 * the task when `retiring` (so that the main thread posts it again elsewhere). Returns whether
 * the task may run; `false` when it was cancelled or withdrawn first.
 */
export function claimStart(cells: Int32Array, lease: number, retiring: boolean): boolean {
  if (lease < 0) return true;
  const claimed = Atomics.compareExchange(cells, lease % cells.length, SLOT_PENDING, retiring ? SLOT_WITHDRAWN : SLOT_STARTED);
  return !retiring && claimed !== SLOT_CANCELLED && claimed !== SLOT_WITHDRAWN;
}

/** The thread's side, once the task of `lease` has answered (a skipped task's cell keeps what the main thread wrote). */
export function markFinished(cells: Int32Array, lease: number): void {
  if (lease >= 0) Atomics.compareExchange(cells, lease % cells.length, SLOT_STARTED, SLOT_FINISHED);
}
