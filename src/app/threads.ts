/**
 * The lives of the pool's threads as the app sees them: which have loaded their worker module
 * (only those may be terminated), which are being terminated (the balancer gives them nothing),
 * stopping one, replacing a retiring one, and stopping them all.
 * @module
 */
import type { Worker } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { releaseRetireSlot } from '../protocol/retire-slots.js';

/** The longest wait for a thread to load its worker module before it is terminated anyway, ms. */
const LOAD_WAIT_CAP_MS = 5000;

/** How many times `stopAll` looks again for threads started while it waited for others to load. */
const STOP_LOAD_PASSES = 4;

/** The longest `close()` / `destroy()` wait for the threads to report their exit, ms. */
const THREAD_STOP_CAP_MS = 1000;

/** The threads of one pool. */
export class ThreadLifecycle {
  /** Threads whose worker module has loaded, and what waits for others to (see {@link whenLoaded}). */
  private readonly loaded = new Set<number>();
  private readonly loadWaiters = new Map<number, (() => void)[]>();

  /**
   * @param pool The pool whose threads these are.
   * @param retireSlots The retirement slots (see `retire-slots.ts`), with `recycle`.
   * @param maxThreads The most threads the pool runs at once.
   * @param doomed Filled with the threads being terminated: the balancer gives them nothing.
   * @param forget Told which threads are alive when the notes of gone ones may be dropped.
   */
  constructor(
    private readonly pool: Piscina,
    private readonly retireSlots: Int32Array | undefined,
    private readonly maxThreads: number,
    private readonly doomed: Set<number>,
    private readonly forget: (live: ReadonlySet<number>) => void,
  ) {}

  /** A thread reported that its worker module has loaded. */
  loadedEvent(thread: number): void {
    if (this.loaded.size >= 4 * this.maxThreads) {
      // Forget threads that are gone.
      const live = new Set(this.pool.threads.map((worker) => worker.threadId));
      for (const known of this.loaded) if (!live.has(known)) this.loaded.delete(known);
      this.forget(live);
    }
    this.loaded.add(thread);
    const waiters = this.loadWaiters.get(thread);
    if (waiters === undefined) return;
    this.loadWaiters.delete(thread);
    for (const done of waiters) done();
  }

  /**
   * Terminates one thread (the pool fails its task, if any, and starts a replacement). The thread
   * gets no new task meanwhile: under load, the answer of the task it was stopped for may still be
   * on its way, and once the pool reads it the pool would otherwise hand the dying thread the next
   * run, which would then fail for nothing.
   */
  terminate(thread: number): void {
    const worker = this.find(thread);
    if (worker === undefined) return;
    this.doomed.add(thread);
    worker.once('exit', () => this.doomed.delete(thread));
    void this.whenLoaded(worker).then(() => worker.terminate());
  }

  /** A thread asked to be replaced after answering: stop it, then free its retirement slot. */
  retire(thread: number): void {
    const worker = this.find(thread);
    const slots = this.retireSlots;
    const release = (): void => {
      if (slots !== undefined) releaseRetireSlot(slots, thread);
    };
    if (worker === undefined) {
      release();
      return;
    }
    // The slot is freed only once the thread is gone, so the balancer never picks it meanwhile.
    worker.once('exit', release);
    void worker.terminate();
  }

  /**
   * Stops the pool's threads. The pool waits for each thread's 'exit' event, and on Node 22 and 24
   * a thread terminated while it is still starting up can end without emitting one, its message
   * port left open. The wait is capped (1 s) so that `close()` and `destroy()` always settle, and such
   * threads are then unreferenced so that they cannot keep the process alive.
   */
  async stopAll(): Promise<void> {
    let threads = [...this.pool.threads];
    // A thread that ended meanwhile (a retiring one, say) may have been replaced by one that is
    // still loading: wait for those too, a few passes at most, before the pool terminates them all.
    for (let pass = 0; pass < STOP_LOAD_PASSES; pass++) {
      await Promise.all(threads.map((thread) => this.whenLoaded(thread)));
      const current = [...this.pool.threads];
      if (current.every((thread) => threads.includes(thread))) break;
      threads = current;
    }
    let timer: NodeJS.Timeout | undefined;
    const capped = new Promise<boolean>((resolve) => {
      timer = setTimeout(resolve, THREAD_STOP_CAP_MS, false);
    });
    const stopped = await Promise.race([this.pool.destroy().then(() => true), capped]);
    clearTimeout(timer);
    if (!stopped) for (const thread of threads) thread.unref();
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

  private find(thread: number): Worker | undefined {
    for (const worker of this.pool.threads) if (worker.threadId === thread) return worker;
    return undefined;
  }
}
