/**
 * The engine behind an app: it makes the Piscina pool and the parts that serve it (the balancer,
 * the threads' lifecycle, the start cells, the transport of messages, the list of unsettled runs,
 * the counters) and runs the app's lifecycle: open, closing, closed, destroyed.
 *
 * Runs (`run.ts`) and map chunks (`map.ts`) drive it; the public `App` (`app.ts`) is a thin face
 * over it.
 * @module
 */
import { Piscina } from 'piscina';
import { closedError, closeTimeoutError, destroyedError } from '../errors.js';
import { mainEntryUrl } from '../protocol/class-loader.js';
import { BATCH_MAX, BOOT_KEY, FLAG_SKIP, PROTOCOL_VERSION, type BootData, type ResultMessage, type TaskMessage } from '../protocol/messages.js';
import { retireSlotsFor } from '../protocol/retire-slots.js';
import { StartCells } from '../protocol/start-cells.js';
import { registeredModules } from '../codec/registry.js';
import { ActiveList } from './active.js';
import { Balancer, TASKS_PER_THREAD } from './balancer.js';
import { Batches } from './batches.js';
import { Counters } from './counters.js';
import type { ResolvedOptions } from './options.js';
import type { AppStats } from './stats.js';
import { ThreadLifecycle } from './threads.js';
import { TaskListing } from './task-list.js';
import { PriorityTaskQueue } from './task-queue.js';
import { Transport } from './transport.js';

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;

/** The app's lifecycle. */
export type CoreState = 'open' | 'closing' | 'closed' | 'destroyed';

/** The engine of one app. */
export class Core {
  readonly options: ResolvedOptions;
  state: CoreState = 'open';
  /** The start cells of the tasks on the threads (see `start-cells.ts`). */
  readonly cells: StartCells;
  readonly threads: ThreadLifecycle;
  readonly transport: Transport;
  /** What is unsettled, for `close()` and `destroy()`. */
  readonly active = new ActiveList();
  readonly counters = new Counters();
  private readonly pool: Piscina<TaskMessage, ResultMessage | null>;
  private counter = 0;
  private names: Promise<ReadonlySet<string>> | undefined;
  /** Holds the process while a lost thread is being replaced (see the `workerDestroy` handler). */
  private hold: NodeJS.Timeout | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    // Fixed now, the same for the threads and for answers here: the tasks module, the `modules`
    // given, and the file modules of the classes registered so far. Other URLs (`data:`,
    // `http:` ...) only when given in `modules`.
    const allow = new Set([options.tasks, ...options.modules, ...registeredModules().filter((module) => module.startsWith('file:'))]);
    // The app's entry module is never imported by a thread: that would start the app again there.
    const entry = mainEntryUrl();
    if (entry !== undefined) allow.delete(entry);
    this.transport = new Transport(options, allow);
    const recycling = options.afterTasks > 0 || options.maxHeapMb > 0;
    const retire = recycling ? retireSlotsFor(options.maxThreads) : undefined;
    const retireSlots = retire === undefined ? undefined : new Int32Array(retire);
    // Four times what the threads can hold (each of its pool tasks may be a batch). Cells of
    // finished tasks are taken back when none is free, so running out would take that many
    // tasks waiting or running at once; the spare ones keep cells free between the pool reading
    // answers and the app giving their cells back. (A cell costs 4 bytes shared, 12 here.)
    this.cells = new StartCells(options.maxThreads * TASKS_PER_THREAD * BATCH_MAX * 4 + 4);
    const boot: BootData = {
      v: PROTOCOL_VERSION,
      tasks: options.tasks,
      allow: [...allow],
      entry,
      channel: this.transport.channelName,
      strict: options.strict,
      afterTasks: options.afterTasks,
      maxHeapMb: options.maxHeapMb,
      retire,
      starts: this.cells.buffer,
    };
    const doomed = new Set<number>();
    const taskQueue = new PriorityTaskQueue();
    const balancer = new Balancer(this.counters, this.cells, doomed, retireSlots);
    const poolOptions: PoolOptions = {
      filename: options.worker,
      minThreads: options.minThreads,
      maxThreads: options.maxThreads,
      idleTimeout: options.idleTimeout,
      maxQueue: options.maxQueue,
      // A thread runs one task at a time (the worker holds back a second one it is handed, see
      // the balancer), so a thread's signal, timeout and termination concern one run only.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      workerData: { [BOOT_KEY]: boot },
      // The app keeps its own timings; Piscina's histogram would only add work per task.
      recordTiming: false,
      // A task the balancer could not place goes back to the head of the queue, not the tail.
      stricterFIFO: true,
      // Waiting tasks in priority order (submit's `priority`), first come first served within one.
      taskQueue,
      loadBalancer: balancer.balance,
    };
    if (options.resourceLimits !== undefined) poolOptions.resourceLimits = options.resourceLimits;
    this.pool = new Piscina(poolOptions);
    this.threads = new ThreadLifecycle(this.pool, retireSlots, options.maxThreads, doomed, (live) => {
      balancer.forget(live);
    });
    const batchMost = options.afterTasks > 0 ? Math.min(BATCH_MAX, options.afterTasks) : BATCH_MAX;
    const batches = new Batches(this.pool, () => taskQueue.size, this.counters, options.maxQueue === Infinity, batchMost);
    this.transport.attach(this.pool, batches, (thread) => {
      this.threads.loadedEvent(thread);
    });
    // A thread that fails while it has no task (after answering, say) is replaced by the pool;
    // there is no run to fail, and an unhandled 'error' event would bring the process down.
    this.pool.on('error', () => undefined);
    // The pool's threads do not keep the process alive unless they hold a task. Between a thread
    // leaving (crash, cancel, recycle) and its replacement being ready, queued runs would be held
    // by nothing, and the process could exit with their promises pending: hold it meanwhile.
    this.pool.on('workerDestroy', () => {
      this.holdWhileReplacing();
      if (options.minThreads < options.maxThreads) setImmediate(this.kick);
    });
    this.pool.on('workerCreate', () => {
      this.releaseHold();
    });
  }

  /**
   * The pool only replaces a lost thread up to `threads.min`; above it, a new thread starts when
   * the next run is posted. With runs queued and no thread left to free up, that may never come:
   * post a no-op to make the pool start one.
   */
  private readonly kick = (): void => {
    if (this.counters.queued === 0 || (this.state !== 'open' && this.state !== 'closing')) return;
    const noop: TaskMessage = [0, 0, '', null, FLAG_SKIP, -1];
    this.pool.run(noop).catch(() => undefined);
  };

  private holdWhileReplacing(): void {
    if (this.hold !== undefined || this.state === 'destroyed' || this.state === 'closed' || this.active.size === 0) return;
    this.hold = setInterval(() => {
      if (this.active.size === 0 || this.state === 'destroyed' || this.state === 'closed') this.releaseHold();
    }, 100);
  }

  private releaseHold(): void {
    if (this.hold !== undefined) {
      clearInterval(this.hold);
      this.hold = undefined;
    }
  }

  /** Why new work is refused now (closing, closed or destroyed), or `undefined` while open. */
  refusal(): Error | undefined {
    if (this.state === 'open') return undefined;
    return this.state === 'destroyed' ? destroyedError() : closedError();
  }

  /**
   * The names of the tasks module's tasks, as a thread reports them (asked once, then kept; asked
   * again after a failure).
   */
  taskNames(): Promise<ReadonlySet<string>> {
    if (this.names === undefined) {
      const asked = new TaskListing(this).promise;
      this.names = asked;
      asked.catch(() => {
        if (this.names === asked) this.names = undefined;
      });
    }
    return this.names;
  }

  /** A new run number. */
  nextNumber(): number {
    return ++this.counter;
  }

  /** A snapshot of the counters and timings. */
  stats(): AppStats {
    const threads = this.state === 'destroyed' || this.state === 'closed' ? 0 : this.pool.threads.length;
    return this.counters.snapshot(this.options.maxThreads, threads);
  }

  /** Refuses new work, waits for what is unsettled (up to `timeout` ms), then stops the threads. */
  async close(timeout: number): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    if (!(await this.active.whenIdle(timeout))) this.active.abortAll(closeTimeoutError(timeout));
    if ((this.state as CoreState) !== 'closing') return; // destroyed meanwhile
    this.state = 'closed';
    this.releaseHold();
    await this.threads.stopAll();
    this.transport.close();
  }

  /** Rejects everything unsettled with `ERR_APP_DESTROYED` and stops the threads. */
  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    const wasClosed = this.state === 'closed';
    this.state = 'destroyed';
    this.releaseHold();
    this.active.abortAll(destroyedError());
    if (wasClosed) return;
    this.transport.close();
    await this.threads.stopAll();
  }
}
