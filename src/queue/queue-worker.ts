/**
 * `createQueueWorker`: the worker side of the queue backend. A BullMQ Worker takes jobs from the
 * queue and runs each on this process's own celerity thread pool (`createApp`), so CPU-bound
 * tasks never block the event loop that renews the jobs' locks. Arguments and results cross
 * Redis as the JSON wire; progress, errors, cancel and time limits are carried as `job-format.ts`
 * and `cancel.ts` say.
 * @module
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Job, MinimalJob, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { createApp, type App } from '../app/app.js';
import { RUN_LABEL, type SubmitOptions } from '../app/options.js';
import type { RunLabel } from '../protocol/messages.js';
import type { AppStats } from '../app/stats.js';
import { abortError, CelerityError, invalidOption, isPermanent, isUnrecoverable, messageOf, unknownTaskError } from '../errors.js';
import { taskNames } from '../protocol/tasks.js';
import { CancelKeys, CancelListener, publishCancel } from './cancel.js';
import { describeConnection, openConnection, whenReady } from './connection.js';
import { errorRecord, groupRecord, progressRecord, readJobData, readResult, readWorkflowRef, resultRecord, workflowParts } from './job-format.js';
import { publishTaskNames, taskNamesKey } from './task-names.js';
import { callBack } from '../app/callback.js';
import { resolveQueueWorkerOptions, type JobReport, type QueueWorkerOptions, type ResolvedQueueWorkerOptions } from './options.js';
import { loadPeers, type Peers } from './peers.js';

/** The worker side of a queue: see {@link createQueueWorker}. */
export interface QueueWorker {
  /** Resolves once the worker takes jobs; rejects (`ERR_BROKER_UNAVAILABLE`, `ERR_WORKER_INIT` ...) if it cannot start. */
  readonly ready: Promise<void>;
  /** Counters and timings of this worker's thread pool. */
  stats(): AppStats;
  /**
   * Stops taking jobs and lets the running ones finish for up to `grace` ms (default: as long as
   * they take); jobs still running then are stopped and go back to the queue at once, for
   * another worker. Then the thread pool and the connections close.
   */
  close(options?: { grace?: number }): Promise<void>;
}

/** A job this process runs now. */
interface Running {
  readonly job: Job;
  /** How the job's local run is stopped (cancel or requeue), once it runs. */
  stop: ((why: 'cancel' | 'requeue') => void) | undefined;
  /** Set when the job must go back to the queue instead of failing. */
  requeue: boolean;
  /** Set when a cancel came for it. */
  cancelled: boolean;
}

/**
 * Starts a worker process's share of a queue: jobs from `options.queue` run on a thread pool made
 * with the `createApp` options given (`tasks`, `threads`, `timeout`, `cancelGrace`, `recycle`,
 * `modules`, `resourceLimits` ...). The tasks module is also imported here, in the main thread,
 * so that its classes are registered for the JSON wire.
 */
export function createQueueWorker(options: QueueWorkerOptions): QueueWorker {
  return new QueueTaskWorker(resolveQueueWorkerOptions(options));
}

class QueueTaskWorker implements QueueWorker {
  readonly ready: Promise<void>;
  private readonly options: ResolvedQueueWorkerOptions;
  private readonly app: App;
  private readonly keys: CancelKeys;
  private readonly running = new Map<string, Running>();
  /** Workflow parts that failed for good here, until BullMQ reports them failed. */
  private readonly failedParts = new Set<string>();
  private peers: Peers | undefined;
  private worker: Worker | undefined;
  private client: Redis | undefined;
  private subscriber: Redis | undefined;
  private cancels: CancelListener | undefined;
  private workerClient: Redis | undefined;
  private taskNames: ReadonlySet<string> = new Set();
  private closing: Promise<void> | undefined;

  constructor(options: ResolvedQueueWorkerOptions) {
    this.options = options;
    this.keys = new CancelKeys(options.prefix, options.queue);
    this.app = createApp(options.app);
    this.ready = this.start().catch(async (error: unknown) => {
      // Nothing may keep the process alive after a failed start: no pool, no reconnecting client.
      await this.release();
      throw error;
    });
    this.ready.catch(() => undefined);
  }

  private async start(): Promise<void> {
    const peers = (this.peers = await loadPeers());
    this.taskNames = new Set(await importTasks(this.options.app.tasks));
    for (const module of this.options.app.modules ?? []) await import(moduleUrl(module));
    const { connection, connectTimeout, queue, prefix } = this.options;
    const where = describeConnection(connection);
    const client = (this.client = openConnection(peers, connection));
    const subscriber = (this.subscriber = openConnection(peers, connection));
    const workerClient = (this.workerClient = openConnection(peers, connection));
    await Promise.all([whenReady(client, connectTimeout, where), whenReady(subscriber, connectTimeout, where), whenReady(workerClient, connectTimeout, where)]);
    const cancels = (this.cancels = new CancelListener(client, this.keys));
    await cancels.listen(
      subscriber,
      (id) => {
        this.cancelLocal(id);
      },
      () => {
        void this.recheckRunning();
      },
    );
    const worker = new peers.bullmq.Worker(queue, (job, token) => this.process(job, token), {
      connection: workerClient,
      prefix,
      concurrency: this.options.concurrency ?? 2 * threadCount(this.options.app),
      lockDuration: this.options.lockDuration,
      stalledInterval: this.options.stalledInterval,
      maxStalledCount: this.options.maxStalledCount,
      settings: { backoffStrategy: celerityBackoff },
      autorun: false,
    });
    worker.on('error', () => undefined);
    worker.on('failed', (job) => {
      if (job?.id !== undefined && this.failedParts.delete(job.id)) void this.cancelOtherParts(job);
    });
    await publishTaskNames(client, taskNamesKey(prefix, queue), [...this.taskNames]);
    this.worker = worker;
    void worker.run().catch(() => undefined);
    await worker.waitUntilReady();
  }

  stats(): AppStats {
    return this.app.stats();
  }

  /** Runs one job; what it returns is stored as the job's return value. */
  private async process(job: Job, token: string | undefined): Promise<unknown> {
    const started = performance.now();
    const id = job.id ?? '';
    const entry: Running = { job, stop: undefined, requeue: false, cancelled: false };
    this.running.set(id, entry);
    try {
      const value = await this.runJob(job, entry);
      this.report({ id, task: job.name, outcome: 'completed', ms: performance.now() - started });
      return value;
    } catch (error) {
      if (entry.requeue && token !== undefined) {
        this.report({ id, task: job.name, outcome: 'requeued', ms: performance.now() - started });
        await job.moveToWait(token);
        throw new (this.peers as Peers).bullmq.WaitingError();
      }
      const cancelled = entry.cancelled || (error instanceof CelerityError && error.code === 'ERR_TASK_CANCELLED');
      this.report({ id, task: job.name, outcome: cancelled ? 'cancelled' : 'failed', ms: performance.now() - started, error });
      // The error's class and properties go with the job, before the job fails (see job-format.ts).
      await job.updateProgress(errorRecord(error, job.attemptsMade + 1));
      const message = messageOf(error);
      const noMoreTries = cancelled || isUnrecoverable(error) || isPermanent(error);
      // The other parts of its workflow are stopped once BullMQ has failed this one (see 'failed').
      if (!cancelled && (noMoreTries || job.attemptsMade + 1 >= (job.opts.attempts ?? 1))) this.failedParts.add(id);
      if (noMoreTries) throw new (this.peers as Peers).bullmq.UnrecoverableError(message);
      throw new Error(message);
    } finally {
      this.running.delete(id);
    }
  }

  private async runJob(job: Job, entry: Running): Promise<unknown> {
    const id = job.id ?? '';
    const read = readJobData(job.data);
    if (read.kind === 'task' && !this.taskNames.has(job.name)) throw unknownTaskError(job.name, this.taskNames);
    const takenBefore = job.attemptsStarted > 1 || job.stalledCounter > 0;
    if (await (this.cancels as CancelListener).isCancelled(id, takenBefore)) {
      entry.cancelled = true;
      throw abortError(new Error(`job ${id} was cancelled before it started`));
    }
    // A group of a workflow: its members' stored results, in order, as they are.
    if (read.kind === 'group') return groupRecord(await this.childResults(job, read.collect));
    const { timeout, feed } = read;
    let args = read.args;
    if (feed !== 'none') {
      const inputs = (await this.childResults(job, read.children)).map((stored, i) => readResult(stored, 0, `inputs[${i}]`));
      args = feed === 'one' ? [inputs[0], ...args] : [inputs, ...args];
    }
    // Progress is written in order, and the result only after the last write: QueueEvents
    // delivers in stream order, so the submitter sees every progress value before the result.
    let writes: Promise<unknown> = Promise.resolve();
    const submitOptions: SubmitOptions & { [RUN_LABEL]: RunLabel } = {
      [RUN_LABEL]: [id, job.attemptsMade + 1],
      ...(timeout > 0 ? { timeout } : {}),
      onProgress: (value) => {
        let record;
        try {
          record = progressRecord(value);
        } catch (error) {
          process.emitWarning(`celerity: a progress value of job ${id} cannot be written as JSON: ${messageOf(error)}`);
          return;
        }
        writes = writes.then(() => job.updateProgress(record)).catch(() => undefined);
      },
    };
    const run = this.app.submit(job.name, args, submitOptions);
    entry.stop = (why) => {
      if (why === 'requeue') entry.requeue = true;
      else entry.cancelled = true;
      run.cancel();
    };
    if (entry.cancelled || entry.requeue) run.cancel();
    let value: unknown;
    try {
      value = await run;
    } finally {
      await writes;
    }
    return resultRecord(value);
  }

  /**
   * A workflow's part failed for good here: the other parts are cancelled (the running ones stop,
   * the waiting ones never start). Only after BullMQ has failed the part, so that its own failure
   * is what the workflow's submitter hears first.
   */
  private async cancelOtherParts(job: Job): Promise<void> {
    const ref = readWorkflowRef(job.data);
    const client = this.client;
    if (ref === undefined || client === undefined) return;
    await Promise.all(workflowParts(ref).filter((part) => part !== job.id).map((part) => publishCancel(client, this.keys, part))).catch(() => undefined);
  }

  /** The stored results of a workflow part's children `ids`, in that order. */
  private async childResults(job: Job, ids: readonly string[]): Promise<unknown[]> {
    const values = (await job.getChildrenValues()) as Record<string, unknown>;
    const base = `${this.options.prefix}:${this.options.queue}:`;
    return ids.map((child) => {
      const key = base + child;
      if (!Object.hasOwn(values, key)) throw new CelerityError('ERR_BAD_JSON', `the result of part ${child}, which job ${job.id ?? ''} waits for, is not in Redis`);
      return values[key];
    });
  }

  private cancelLocal(id: string): void {
    const entry = this.running.get(id);
    if (entry === undefined) return;
    entry.cancelled = true;
    entry.stop?.('cancel');
  }

  /** Reads the cancel marks of the running jobs: cancels announced while the subscription was down. */
  private async recheckRunning(): Promise<void> {
    const ids = [...this.running.keys()];
    const marked = await (this.cancels as CancelListener).marked(ids).catch(() => []);
    ids.forEach((id, i) => {
      if (marked[i] === true) this.cancelLocal(id);
    });
  }

  private report(report: JobReport): void {
    callBack(this.options.onJob, [report], 'onJob');
  }

  close(options?: { grace?: number }): Promise<void> {
    const grace = options?.grace ?? Infinity;
    if (!(typeof grace === 'number' && grace >= 0)) return Promise.reject(invalidOption('options.grace must be a non-negative number of milliseconds'));
    this.closing ??= this.shutDown(grace);
    return this.closing;
  }

  private async shutDown(grace: number): Promise<void> {
    await this.ready.catch(() => undefined);
    const worker = this.worker;
    if (worker !== undefined) {
      // Stop taking jobs; the ones running finish, or go back to the queue once the grace is over.
      const closed = worker.close();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<boolean>((resolve) => {
        if (grace !== Infinity) timer = setTimeout(resolve, grace, true);
      });
      const late = await Promise.race([closed.then(() => false), expired]);
      clearTimeout(timer);
      if (late) for (const entry of this.running.values()) entry.stop?.('requeue');
      await closed.catch(() => undefined);
    }
    await this.release();
  }

  /** Stops the pool and closes the connections (BullMQ leaves a connection it was given open). */
  private async release(): Promise<void> {
    await this.app.destroy();
    this.subscriber?.disconnect();
    this.client?.disconnect();
    this.workerClient?.disconnect();
  }
}

/** The backoff of retries whose factor is neither 1 nor 2: delay × factor^(attempt - 1). */
function celerityBackoff(attemptsMade: number, type: string | undefined, _error: Error | undefined, job: MinimalJob | undefined): number {
  if (type !== 'celerity' || job === undefined) return 0;
  const delay = typeof job.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 0) : 0;
  const factor = (job.data as { backoff?: unknown }).backoff;
  return typeof factor === 'number' && factor >= 1 && factor !== Infinity ? Math.round(delay * factor ** (attemptsMade - 1)) : delay;
}

function moduleUrl(module: string | URL): string {
  if (module instanceof URL) return module.href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(module) && !isAbsolute(module)) return module;
  return pathToFileURL(resolvePath(module)).href;
}

/** Imports the tasks module here (registering its classes); returns its task names. */
async function importTasks(tasks: string | URL): Promise<string[]> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(moduleUrl(tasks))) as Record<string, unknown>;
  } catch (error) {
    throw new CelerityError('ERR_WORKER_INIT', `could not load the tasks module ${String(tasks)}: ${messageOf(error)}`, { cause: error });
  }
  const exported = namespace.default;
  const table = typeof exported === 'object' && exported !== null ? (exported as Record<string, unknown>) : namespace;
  return taskNames(table);
}

/** The most threads the pool of `app` runs (its `threads` option, or one per core). */
function threadCount(app: ResolvedQueueWorkerOptions['app']): number {
  const threads = app.threads;
  if (typeof threads === 'number') return threads;
  return threads?.max ?? availableParallelism();
}
