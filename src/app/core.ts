/**
 * The engine behind an app: the Piscina pool, the load balancer that tells each run which thread
 * took it, the control channel to the threads, the table of runs waiting for worker events, the
 * counters behind `stats()`, and the lifecycle (close, destroy).
 *
 * Runs (`run.ts`) and map chunks (`map.ts`) drive it; the public `App` (`app.ts`) is a thin face
 * over it.
 * @module
 */
import { BroadcastChannel, type Worker } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Piscina, queueOptionsSymbol } from 'piscina';
import { decodeWithImports, mainEntryUrl, type Allowlist } from '../protocol/class-loader.js';
import { encode, wireClasses, type Wire } from '../codec/index.js';
import { jsonRoundTrip } from '../json/index.js';
import { registeredModules } from '../codec/registry.js';
import type { ResolvedOptions } from './options.js';
import {
  BOOT_KEY,
  FLAG_SKIP,
  PROTOCOL_VERSION,
  SLOT_CANCELLED,
  SLOT_PENDING,
  SLOT_STARTED,
  SLOT_WITHDRAWN,
  arePlainPrimitives,
  EVENT_ANSWER,
  EVENT_LOADED,
  isWorkerEvent,
  type BootData,
  type ControlMessage,
  type ResultMessage,
  type TaskMessage,
  type RunEvent,
} from '../protocol/messages.js';
import { Reservoir, type AppStats } from './stats.js';
import { closedError, closeTimeoutError, destroyedError } from '../errors.js';

type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;
type Balancer = NonNullable<PoolOptions['loadBalancer']>;
type PoolTask = Parameters<Balancer>[0];
type PoolWorker = Parameters<Balancer>[1][number];

/** Where a run is, for the `queued` / `running` counters. */
export const PLACE_NONE = 0;
/** Waiting for a thread (or for its next try). */
export const PLACE_QUEUED = 1;
/** Handed to a thread. */
export const PLACE_RUNNING = 2;

/**
 * Something unsettled that `destroy()` (or a timed-out `close()`) must end. The core keeps these
 * in an intrusive list (the links live on the items), which costs less per run than a Set.
 */
export abstract class Active {
  /** @internal */
  activePrev: Active | undefined = undefined;
  /** @internal */
  activeNext: Active | undefined = undefined;
  /** @internal */
  activeListed = false;

  /** Ends it at once with this error; its thread, if any, is being stopped by the caller. */
  abstract abort(error: Error): void;
}

/** What the pool's load balancer tells a run when it hands it to a thread. */
export interface Dispatchable {
  /**
   * The run's current try was given to the thread with this `threadId`; `behind`: after the task
   * that thread runs now; `byEvent`: its answer is to come as an `AnswerEvent`.
   */
  dispatched(thread: number, behind: boolean, byEvent: boolean): void;
}

/** What receives the answer of a try posted with `FLAG_ANSWER_EVENT`. */
export interface AnswerSink {
  /** The answer of try `n`. */
  onAnswerEvent(n: number, answer: ResultMessage): void;
}

/** What the balancer remembers of a thread's latest task. */
interface ThreadNote {
  /** When it was handed over (`performance.now()`). */
  at: number;
  /** Whether its answer comes as an event (only then may a task wait behind it). */
  byEvent: boolean;
}

/** What receives the start and progress events of one run. */
export interface EventSink {
  /** A worker event for this run number. */
  onEvent(event: RunEvent): void;
}

/** An argument list ready to post, and the modules the receiving thread may need for it. */
export interface EncodedArgs {
  /** The plain list itself (all primitives), or its {@link Wire}. */
  readonly value: Wire | readonly unknown[];
  /** Whether `value` is a {@link Wire}. */
  readonly wire: boolean;
  readonly modules: readonly string[] | undefined;
}

/** The app's lifecycle. */
export type CoreState = 'open' | 'closing' | 'closed' | 'destroyed';

/** @internal */
export class Core {
  readonly options: ResolvedOptions;
  readonly pool: Piscina<TaskMessage, ResultMessage | null>;
  state: CoreState = 'open';
  private readonly channel: BroadcastChannel;
  private readonly retireSlots: Int32Array | undefined;
  /** Modules the threads were told about at start-up. */
  private readonly bootAllow: ReadonlySet<string>;
  /** Modules this thread may import to decode answers. */
  private readonly allow: Allowlist;
  private counter = 0;
  private readonly sinks = new Map<number, EventSink>();
  /** Threads being terminated: the balancer gives them nothing. */
  private readonly doomed = new Set<number>();
  /** Threads whose worker module has loaded, and what waits for others to (see {@link whenLoaded}). */
  private readonly loaded = new Set<number>();
  private readonly loadWaiters = new Map<number, (() => void)[]>();
  /** The start cells of the tasks on the threads (see `BootData.starts`), and the free ones. */
  private readonly starts: Int32Array;
  private readonly freeStarts: number[] = [];
  /** The thread each start cell in use was handed to (0 when free). */
  private readonly startThreads: Int32Array;
  /** Recent task run time, ms (a moving average): tasks wait behind others only while it is short. */
  private recentRunMs = Infinity;
  private readonly threadNotes = new Map<number, ThreadNote>();
  /** Tries whose answer comes as an event, by run number. */
  private readonly answerSinks = new Map<number, AnswerSink>();
  private answerHolds = 0;
  private answerHold: NodeJS.Timeout | undefined;
  /** Head of the list of unsettled items, and its length. */
  private activeHead: Active | undefined;
  private activeCount = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly startedAt = performance.now();

  submitted = 0;
  completed = 0;
  failed = 0;
  cancelled = 0;
  queued = 0;
  running = 0;
  readonly runTime = new Reservoir();
  readonly waitTime = new Reservoir();
  readonly codecTime = new Reservoir();

  constructor(options: ResolvedOptions) {
    this.options = options;
    const allow = new Set([options.tasks, ...options.modules, ...registeredModules()]);
    // The app's entry module is never imported by a thread: that would start the app again there.
    const entry = mainEntryUrl();
    if (entry !== undefined) allow.delete(entry);
    this.bootAllow = allow;
    this.allow = allow;
    const channelName = `celerity:${randomUUID()}`;
    this.channel = new BroadcastChannel(channelName);
    this.channel.unref();
    const recycling = options.afterTasks > 0 || options.maxHeapMb > 0;
    const retire = recycling ? new SharedArrayBuffer(4 * (options.maxThreads * 2 + 9)) : undefined;
    this.retireSlots = retire === undefined ? undefined : new Int32Array(retire);
    // Twice what the threads can hold: the pool frees a thread's slot as it reads an answer, a
    // little before the run gives the cell back, and may hand that slot on meanwhile.
    const cells = options.maxThreads * TASKS_PER_THREAD * 2 + 4;
    const starts = new SharedArrayBuffer(4 * cells);
    this.starts = new Int32Array(starts);
    this.startThreads = new Int32Array(cells);
    for (let cell = cells - 1; cell >= 0; cell--) this.freeStarts.push(cell);
    const boot: BootData = {
      v: PROTOCOL_VERSION,
      tasks: options.tasks,
      allow: [...allow],
      entry,
      channel: channelName,
      strict: options.strict,
      afterTasks: options.afterTasks,
      maxHeapMb: options.maxHeapMb,
      retire,
      starts,
    };
    const poolOptions: PoolOptions = {
      filename: options.worker,
      minThreads: options.minThreads,
      maxThreads: options.maxThreads,
      idleTimeout: options.idleTimeout,
      maxQueue: options.maxQueue,
      // A thread runs one task at a time (the worker holds back a second one it is handed, see
      // `balance`), so a thread's signal, timeout and termination concern one run only.
      concurrentTasksPerWorker: TASKS_PER_THREAD,
      workerData: { [BOOT_KEY]: boot },
      // The app keeps its own timings; Piscina's histogram would only add work per task.
      recordTiming: false,
      // A task the balancer could not place goes back to the head of the queue, not the tail.
      stricterFIFO: true,
      loadBalancer: this.balance,
    };
    if (options.resourceLimits !== undefined) poolOptions.resourceLimits = options.resourceLimits;
    this.pool = new Piscina(poolOptions);
    this.pool.on('message', (message: unknown) => {
      if (!isWorkerEvent(message)) return;
      if (message[1] === EVENT_ANSWER) this.answerSinks.get(message[2])?.onAnswerEvent(message[3], message[4]);
      else if (message[1] === EVENT_LOADED) this.threadLoaded(message[2]);
      else this.sinks.get(message[2])?.onEvent(message);
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

  private hold: NodeJS.Timeout | undefined;

  /**
   * The pool only replaces a lost thread up to `threads.min`; above it, a new thread starts when
   * the next run is posted. With runs queued and no thread left to free up, that may never come:
   * post a no-op to make the pool start one.
   */
  private readonly kick = (): void => {
    if (this.queued === 0 || (this.state !== 'open' && this.state !== 'closing')) return;
    const noop: TaskMessage = [0, 0, '', null, FLAG_SKIP, -1];
    this.pool.run(noop).catch(() => undefined);
  };

  private holdWhileReplacing(): void {
    if (this.hold !== undefined || this.state === 'destroyed' || this.state === 'closed' || this.activeCount === 0) return;
    this.hold = setInterval(() => {
      if (this.activeCount === 0 || this.state === 'destroyed' || this.state === 'closed') this.releaseHold();
    }, 100);
  }

  private releaseHold(): void {
    if (this.hold !== undefined) {
      clearInterval(this.hold);
      this.hold = undefined;
    }
  }

  /**
   * Piscina's load balancer: the first idle thread that is not retiring. It also tells the run
   * which thread took it, which is what lets a cancel reach a running task's thread.
   */
  private readonly balance = (task: PoolTask, workers: PoolWorker[]): PoolWorker | null => {
    const slots = this.retireSlots;
    const anyRetiring = slots !== undefined && Atomics.load(slots, 0) > 0;
    const anyDoomed = this.doomed.size > 0;
    const job = task[queueOptionsSymbol as unknown as keyof PoolTask] as Dispatchable | null;
    // With short tasks and more waiting, a thread is also handed its next task while it runs one:
    // it then goes from one to the next without waiting for the main thread to read the answer
    // and post the next, which for tiny tasks is most of the time a task takes. Such tasks
    // answer by event, so that no task can cost the answer of the one before it.
    const queueing = job !== null && this.recentRunMs <= QUEUE_BEHIND_MS && this.queued > 1 && this.freeStarts.length > 0;
    // The clock is read only when a task may queue: a run at a time pays for none of this.
    const now = queueing ? performance.now() : 0;
    for (let usage = 0; usage < (queueing ? TASKS_PER_THREAD : 1); usage++) {
      for (const worker of workers) {
        if (worker.currentUsage !== usage) continue;
        if (anyRetiring && isRetiring(slots, worker.id)) continue;
        if (anyDoomed && this.doomed.has(worker.id)) continue;
        let note = this.threadNotes.get(worker.id);
        // Behind a task only if it answers by event and began just now (so it is likely short).
        if (usage > 0 && (note === undefined || !note.byEvent || now - note.at > QUEUE_BEHIND_MS)) continue;
        if (queueing) {
          if (note === undefined) this.threadNotes.set(worker.id, (note = { at: now, byEvent: true }));
          note.at = now;
          note.byEvent = true;
        } else if (note !== undefined) {
          note.byEvent = false;
        }
        if (job !== null) job.dispatched(worker.id, usage > 0, queueing);
        return worker;
      }
    }
    return null;
  };

  /** A free start cell for a task handed to `thread`, set to pending; -1 if none is free. */
  takeStartCell(thread: number): number {
    const cell = this.freeStarts.pop();
    if (cell === undefined) return -1;
    Atomics.store(this.starts, cell, SLOT_PENDING);
    this.startThreads[cell] = thread;
    return cell;
  }

  /** Gives back a start cell once the pool has settled its task. */
  releaseStartCell(cell: number): void {
    if (cell < 0) return;
    this.startThreads[cell] = 0;
    this.freeStarts.push(cell);
  }

  /** The state of a start cell (a task without one counts as started). */
  startState(cell: number): number {
    return cell < 0 ? SLOT_STARTED : Atomics.load(this.starts, cell);
  }

  /** Marks the task of `cell` cancelled unless it has started; returns whether it had not. */
  cancelBeforeStart(cell: number): boolean {
    return cell >= 0 && Atomics.compareExchange(this.starts, cell, SLOT_PENDING, SLOT_CANCELLED) === SLOT_PENDING;
  }

  /**
   * Called when the task of `cell`, on `thread`, has not answered its cancel in time: withdraws
   * the tasks waiting behind it there (so none can start there any more), then returns whether
   * the thread must be stopped, that is, whether that task is still running.
   */
  mustStop(thread: number, cell: number): boolean {
    for (let other = 0; other < this.startThreads.length; other++) {
      if (other !== cell && this.startThreads[other] === thread) Atomics.compareExchange(this.starts, other, SLOT_PENDING, SLOT_WITHDRAWN);
    }
    return cell < 0 || Atomics.load(this.starts, cell) === SLOT_STARTED;
  }

  /**
   * Keeps the process alive while an answer event is on its way. The pool unreferences a thread
   * as soon as it has no task, which Piscina decides on its own, shorter, reply: without a hold,
   * a process awaiting nothing else could exit with the answer still queued.
   */
  holdForAnswer(): void {
    if (this.answerHolds++ === 0) this.answerHold = setInterval(noop, 1 << 30);
  }

  /** Ends one {@link holdForAnswer}. */
  releaseAnswerHold(): void {
    if (--this.answerHolds > 0) return;
    clearInterval(this.answerHold);
    this.answerHold = undefined;
  }

  /** Routes the answer event of run `i` to `sink` until {@link forgetAnswer}. */
  expectAnswer(i: number, sink: AnswerSink): void {
    this.answerSinks.set(i, sink);
  }

  forgetAnswer(i: number): void {
    this.answerSinks.delete(i);
  }

  /** Why new work is refused now (closing, closed or destroyed), or `undefined` while open. */
  refusal(): Error | undefined {
    if (this.state === 'open') return undefined;
    return this.state === 'destroyed' ? destroyedError() : closedError();
  }

  /** A new run number. */
  nextNumber(): number {
    return ++this.counter;
  }

  /**
   * Encodes an argument list (or a chunk of map inputs), noting modules the threads were not told
   * about. A list of primitives needs no codec at all and is sent as it is.
   */
  encodeArgs(list: readonly unknown[], path: string): EncodedArgs {
    if (this.options.wire === 'json') list = jsonRoundTrip(list, { path, strict: this.options.strict }) as unknown[];
    if (arePlainPrimitives(list)) return { value: list, wire: false, modules: undefined };
    const wire = encode(list, { strict: this.options.strict, path });
    let modules: string[] | undefined;
    for (const cls of wireClasses(wire)) {
      if (cls.module !== undefined && !this.bootAllow.has(cls.module)) (modules ??= []).push(cls.module);
    }
    return { value: wire, wire: true, modules };
  }

  /** Encodes one value alone, for the path of an error. */
  encodeOne(value: unknown, path: string): void {
    encode(value, { strict: this.options.strict, path });
  }

  /**
   * Decodes an answer from a thread (result, error, progress), importing allowed modules if
   * needed; a plain primitive (`isWire` false) is returned as it is. May return a promise.
   */
  decode(value: unknown, isWire: boolean, path: string): unknown {
    const decoded = isWire ? decodeWithImports(value as Wire, path, this.allow) : value;
    if (this.options.wire !== 'json' || path === 'error') return decoded;
    // Errors are left as they are: a failed trip would hide the error the task actually threw.
    const check = (v: unknown): unknown => jsonRoundTrip(v, { path, strict: this.options.strict });
    return decoded instanceof Promise ? decoded.then(check) : check(decoded);
  }

  /** Hands one task message to the pool. */
  post(message: TaskMessage, transfer: readonly ArrayBuffer[] | undefined): Promise<ResultMessage | null> {
    return transfer === undefined ? this.pool.run(message) : this.pool.run(message, { transferList: [...transfer] });
  }

  /** Routes the worker events of run `i` to `sink` until {@link untrack}. */
  track(i: number, sink: EventSink): void {
    this.sinks.set(i, sink);
  }

  /** Stops routing worker events of run `i`. */
  untrack(i: number): void {
    this.sinks.delete(i);
  }

  /** Tells a thread to abort the signal of one task. */
  control(thread: number, i: number, n: number, kind: 'cancel' | 'timeout'): void {
    if (this.state === 'destroyed') return;
    const message: ControlMessage = { t: thread, i, n, r: kind };
    this.channel.postMessage(message);
  }

  /**
   * Terminates one thread (the pool fails its task, if any, and starts a replacement). The thread
   * gets no new task meanwhile: under load, the answer of the task it was stopped for may still be
   * on its way, and once the pool reads it the pool would otherwise hand the dying thread the next
   * run, which would then fail for nothing.
   */
  terminate(thread: number): void {
    const worker = this.findThread(thread);
    if (worker === undefined) return;
    this.doomed.add(thread);
    worker.once('exit', () => this.doomed.delete(thread));
    void this.whenLoaded(worker).then(() => worker.terminate());
  }

  /**
   * Resolves once `worker` has loaded its worker module (or has exited, or after
   * {@link LOAD_WAIT_CAP_MS}). Threads are only terminated after that: on Node 20, terminating a
   * thread while Piscina is still `require()`-ing the ES module worker aborts the whole process
   * (a fatal error in `v8::Module::IsGraphAsync`).
   */
  private whenLoaded(worker: Worker): Promise<void> {
    const thread = worker.threadId;
    if (this.loaded.has(thread) || thread < 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        worker.off('exit', done);
        const waiters = this.loadWaiters.get(thread);
        if (waiters !== undefined) {
          waiters.splice(waiters.indexOf(done) >>> 0, 1);
          if (waiters.length === 0) this.loadWaiters.delete(thread);
        }
        resolve();
      };
      const timer = setTimeout(done, LOAD_WAIT_CAP_MS);
      worker.once('exit', done);
      const waiters = this.loadWaiters.get(thread);
      if (waiters === undefined) this.loadWaiters.set(thread, [done]);
      else waiters.push(done);
    });
  }

  private threadLoaded(thread: number): void {
    if (this.loaded.size >= 4 * this.options.maxThreads) {
      // Forget threads that are gone.
      const live = new Set(this.pool.threads.map((worker) => worker.threadId));
      for (const known of this.loaded) if (!live.has(known)) this.loaded.delete(known);
      for (const known of this.threadNotes.keys()) if (!live.has(known)) this.threadNotes.delete(known);
    }
    this.loaded.add(thread);
    const waiters = this.loadWaiters.get(thread);
    if (waiters === undefined) return;
    this.loadWaiters.delete(thread);
    for (const done of waiters) done();
  }

  /** A thread asked to be replaced after answering: stop it, then free its retirement slot. */
  retire(thread: number): void {
    const worker = this.findThread(thread);
    const slots = this.retireSlots;
    const release = (): void => {
      if (slots !== undefined) releaseSlot(slots, thread);
    };
    if (worker === undefined) {
      release();
      return;
    }
    // The slot is freed only once the thread is gone, so the balancer never picks it meanwhile.
    worker.once('exit', release);
    void worker.terminate();
  }

  private findThread(thread: number): Worker | undefined {
    for (const worker of this.pool.threads) if (worker.threadId === thread) return worker;
    return undefined;
  }

  /** Moves `weight` runs between the queued / running counters. */
  move(weight: number, from: number, to: number): void {
    if (from === PLACE_QUEUED) this.queued -= weight;
    else if (from === PLACE_RUNNING) this.running -= weight;
    if (to === PLACE_QUEUED) this.queued += weight;
    else if (to === PLACE_RUNNING) this.running += weight;
  }

  /** Records a task's timings (ms). */
  times(run: number, wait: number, codec: number): void {
    this.recentRunMs = this.recentRunMs === Infinity ? run : this.recentRunMs * 0.9 + run * 0.1;
    this.runTime.add(run);
    this.waitTime.add(wait < 0 ? 0 : wait);
    this.codecTime.add(codec);
  }

  /** Something unsettled began. */
  enter(item: Active): void {
    if (item.activeListed) return;
    item.activeListed = true;
    item.activeNext = this.activeHead;
    if (this.activeHead !== undefined) this.activeHead.activePrev = item;
    this.activeHead = item;
    this.activeCount++;
  }

  /** Something unsettled ended. */
  leave(item: Active): void {
    if (!item.activeListed) return;
    item.activeListed = false;
    const { activePrev: prev, activeNext: next } = item;
    if (prev === undefined) this.activeHead = next;
    else prev.activeNext = next;
    if (next !== undefined) next.activePrev = prev;
    item.activePrev = undefined;
    item.activeNext = undefined;
    this.activeCount--;
    if (this.activeCount === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** A snapshot of the counters and timings. */
  stats(): AppStats {
    const elapsed = performance.now() - this.startedAt;
    const capacity = elapsed * this.options.maxThreads;
    return {
      submitted: this.submitted,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
      queued: this.queued,
      running: this.running,
      threads: this.state === 'destroyed' || this.state === 'closed' ? 0 : this.pool.threads.length,
      utilization: capacity > 0 ? Math.min(1, this.runTime.total / capacity) : 0,
      runTime: this.runTime.summary(),
      waitTime: this.waitTime.summary(),
      codecTime: this.codecTime.summary(),
    };
  }

  /** Refuses new work, waits for what is unsettled (up to `timeout` ms), then stops the threads. */
  async close(timeout: number): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    if (this.activeCount > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<boolean>((resolve) => {
        this.idleWaiters.push(() => {
          resolve(true);
        });
        if (timeout !== Infinity) timer = setTimeout(resolve, timeout, false);
      });
      const finished = await idle;
      if (timer !== undefined) clearTimeout(timer);
      if (!finished) this.abortAll(closeTimeoutError(timeout));
    }
    if ((this.state as CoreState) !== 'closing') return; // destroyed meanwhile
    this.state = 'closed';
    this.releaseHold();
    await this.stopThreads();
    this.channel.close();
  }

  /** Rejects everything unsettled with `ERR_APP_DESTROYED` and stops the threads. */
  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    const wasClosed = this.state === 'closed';
    this.state = 'destroyed';
    this.releaseHold();
    this.abortAll(destroyedError());
    if (wasClosed) return;
    this.channel.close();
    await this.stopThreads();
  }

  /**
   * Stops the pool's threads. The pool waits for each thread's 'exit' event, and on Node 22 and 24
   * a thread terminated while it is still starting up can end without emitting one, its message
   * port left open. The wait is capped (1 s) so that `close()` and `destroy()` always settle, and such
   * threads are then unreferenced so that they cannot keep the process alive.
   */
  private async stopThreads(): Promise<void> {
    const threads = [...this.pool.threads];
    await Promise.all(threads.map((thread) => this.whenLoaded(thread)));
    let timer: NodeJS.Timeout | undefined;
    const capped = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, THREAD_STOP_CAP_MS, false);
    });
    const stopped = await Promise.race([this.pool.destroy().then(() => true), capped]);
    clearTimeout(timer);
    if (!stopped) for (const thread of threads) thread.unref();
  }

  private abortAll(error: Error): void {
    const items: Active[] = [];
    for (let item = this.activeHead; item !== undefined; item = item.activeNext) items.push(item);
    for (const item of items) item.abort(error);
  }
}

function noop(): void {
  // keeps a timer alive, nothing more
}

/** Tasks a thread may hold at once: the one it runs and the next (see `Core.balance`). */
const TASKS_PER_THREAD = 2;

/**
 * A task is handed to a busy thread only while recent tasks ran this long at most (a moving
 * average), and only if that thread's task began at most this long ago, ms: nothing then waits
 * long behind a task while another thread could have run it.
 */
const QUEUE_BEHIND_MS = 1;

/** The longest wait for a thread to load its worker module before it is terminated anyway, ms. */
const LOAD_WAIT_CAP_MS = 5000;

/** The longest `close()` / `destroy()` wait for the threads to report their exit, ms. */
const THREAD_STOP_CAP_MS = 1000;

function isRetiring(slots: Int32Array, thread: number): boolean {
  for (let slot = 1; slot < slots.length; slot++) if (Atomics.load(slots, slot) === thread) return true;
  return false;
}

function releaseSlot(slots: Int32Array, thread: number): void {
  for (let slot = 1; slot < slots.length; slot++) {
    if (Atomics.compareExchange(slots, slot, thread, 0) === thread) {
      Atomics.sub(slots, 0, 1);
      return;
    }
  }
}
