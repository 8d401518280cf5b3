/**
 * `createQueueApp`: the submitting side of the queue backend. Jobs go to a BullMQ queue; one
 * QueueEvents reader (started before the first job is added, so that no event is missed) moves
 * each run this process waits for through its states and settles it. `attach` reads a job's state
 * first (the events stream is trimmed), then follows its events.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunsWith, TaskApp } from '../app/app.js';
import { Counters, PLACE_NONE, PLACE_QUEUED, PLACE_RUNNING } from '../app/counters.js';
import { resolveCloseTimeout, type CloseOptions, type MapOptions } from '../app/options.js';
import type { TaskRun } from '../app/run.js';
import type { AppStats } from '../app/stats.js';
import { closedError, closeTimeoutError, destroyedError, invalidOption, unknownJobError } from '../errors.js';
import type { AnyTasks, TaskArgs, TaskInput, TaskName, TaskProgress, TaskResult, WithProgress } from '../protocol/tasks.js';
import { CancelKeys, publishCancel } from './cancel.js';
import { describeConnection, openConnection, whenReady } from './connection.js';
import { jobData } from './job-format.js';
import { mapOnQueue } from './queue-map.js';
import { QueueRun, type RunOwner } from './queue-run.js';
import { resolveQueueAppOptions, resolveQueueSubmitOptions, type QueueAppOptions, type QueueSubmitOptions, type ResolvedQueueAppOptions } from './options.js';
import { loadPeers } from './peers.js';

/** Job counts of the whole queue, from Redis. */
export interface QueueCounts {
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly prioritized: number;
  readonly completed: number;
  readonly failed: number;
}

/**
 * A task app whose runs are jobs on a BullMQ queue, run by worker processes
 * (`createQueueWorker`, `celerity worker`) on any machine that reaches the same Redis.
 */
export interface QueueApp<T = AnyTasks> extends TaskApp<T, QueueSubmitOptions> {
  /**
   * A handle to job `id`, submitted earlier by any process: it settles with the job's result or
   * error (at once if the job has finished), and can cancel it. Rejects with `ERR_UNKNOWN_JOB`
   * when no such job is in Redis.
   */
  attach<R = unknown>(id: string): TaskRun<R>;
  /** The job counts of the whole queue. */
  counts(): Promise<QueueCounts>;
}

/** The connections and BullMQ objects, once ready. */
interface Backend {
  readonly queue: Queue;
  readonly events: QueueEvents;
  readonly client: Redis;
  readonly eventsClient: Redis;
}

type State = 'open' | 'closing' | 'closed' | 'destroyed';

/** Creates the submitting side of a queue; see {@link QueueApp}. Connects at once, in the background. */
export function createQueueApp<T = AnyTasks>(options: QueueAppOptions): QueueApp<T> {
  return new QueueTaskApp<T>(resolveQueueAppOptions(options));
}

class QueueTaskApp<T> implements QueueApp<T>, RunOwner {
  private readonly options: ResolvedQueueAppOptions;
  private readonly backend: Promise<Backend>;
  private ready: Backend | undefined;
  private readonly keys: CancelKeys;
  /** The runs waiting for their job, by job id. */
  private readonly runs = new Map<string, QueueRun<unknown>[]>();
  private readonly counters = new Counters();
  /** The runs counted as running (their job is active on a worker); the others are counted as queued. */
  private readonly active = new Set<QueueRun<unknown>>();
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(options: ResolvedQueueAppOptions) {
    this.options = options;
    this.keys = new CancelKeys(options.prefix, options.queue);
    this.backend = this.connect();
    // A failure is reported to each run; the app itself never has an unhandled rejection.
    this.backend.catch(() => undefined);
  }

  private async connect(): Promise<Backend> {
    const peers = await loadPeers();
    const { queue: name, prefix, connectTimeout, connection } = this.options;
    const client = openConnection(peers, connection);
    const eventsClient = openConnection(peers, connection);
    try {
      const where = describeConnection(connection);
      await Promise.all([whenReady(client, connectTimeout, where), whenReady(eventsClient, connectTimeout, where)]);
      // Closed or destroyed while connecting: make nothing that would need closing.
      const early = this.shutRefusal();
      if (early !== undefined) throw early;
      const queue = new peers.bullmq.Queue(name, { connection: client, prefix });
      // Events are read from the stream's current end, fixed now: reading from '$' would start
      // only with the reader's first XREAD, and the events of a job added before it would be lost.
      const [last] = await client.xrevrange(`${prefix}:${name}:events`, '+', '-', 'COUNT', 1);
      const lastEventId = last?.[0] ?? '0-0';
      const events = new peers.bullmq.QueueEvents(name, { connection: eventsClient, prefix, autorun: false, lastEventId });
      events.on('error', () => undefined);
      queue.on('error', () => undefined);
      this.listen(events);
      void events.run().catch(() => undefined);
      await events.waitUntilReady();
      const backend = { queue, events, client, eventsClient };
      const late = this.shutRefusal();
      if (late !== undefined) {
        await closeBackend(backend);
        throw late;
      }
      this.ready = backend;
      return backend;
    } catch (error) {
      client.disconnect();
      eventsClient.disconnect();
      throw error;
    }
  }

  private listen(events: QueueEvents): void {
    events.on('active', ({ jobId }) => {
      this.each(jobId, (run) => {
        if (!this.active.has(run)) {
          this.active.add(run);
          this.counters.move(1, PLACE_QUEUED, PLACE_RUNNING, run);
        }
        run.active();
      });
    });
    const back = ({ jobId }: { jobId: string }): void => {
      this.each(jobId, (run) => {
        if (this.active.delete(run)) this.counters.move(1, PLACE_RUNNING, PLACE_QUEUED, run);
        run.waiting();
      });
    };
    events.on('waiting', back);
    events.on('delayed', back);
    events.on('progress', ({ jobId, data }) => {
      this.eachWith(jobId, data, (run, own) => {
        run.progress(own);
      });
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      this.eachWith(jobId, returnvalue, (run, own) => {
        run.completed(own);
      });
    });
    events.on('failed', ({ jobId, failedReason }) => {
      this.each(jobId, (run) => {
        run.failed(failedReason);
      });
    });
    events.on('removed', ({ jobId }) => {
      this.each(jobId, (run) => {
        run.removed();
      });
    });
  }

  private each(id: string, visit: (run: QueueRun<unknown>) => void): void {
    const runs = this.runs.get(id);
    if (runs === undefined) return;
    for (const run of [...runs]) visit(run);
  }

  /**
   * Hands `stored` (an event's value) to each run waiting for job `id`. Reading a wire consumes
   * it, so when several runs wait for one job (a submit and an attach, say), all but the last get
   * a copy of their own.
   */
  private eachWith(id: string, stored: unknown, visit: (run: QueueRun<unknown>, own: unknown) => void): void {
    const runs = this.runs.get(id);
    if (runs === undefined) return;
    const waiting = [...runs];
    waiting.forEach((run, i) => {
      visit(run, i === waiting.length - 1 || typeof stored !== 'object' || stored === null ? stored : structuredClone(stored));
    });
  }

  run<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>> {
    return this.submit(name, args).promise;
  }

  with(options: QueueSubmitOptions): RunsWith<T, QueueSubmitOptions> {
    resolveQueueSubmitOptions(options, this.options.timeout);
    // One id for many jobs would make all but the first the same job (BullMQ's dedup).
    if ((options as { jobId?: unknown }).jobId !== undefined) throw invalidOption('options.jobId names one job: give it to submit(), not to with()');
    return {
      run: <K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>> => this.submit(name, args, options).promise,
      submit: <K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, more?: QueueSubmitOptions): QueueRun<TaskResult<T, K>> => this.submit(name, args, more === undefined ? options : { ...options, ...more }),
    };
  }

  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: WithProgress<QueueSubmitOptions, TaskProgress<T, K>>): QueueRun<TaskResult<T, K>> {
    let resolved;
    let data;
    const started = performance.now();
    let failure: unknown = this.refusal();
    if (failure === undefined) {
      try {
        if (typeof name !== 'string' || name === '') throw new TypeError('a task name must be a non-empty string');
        resolved = resolveQueueSubmitOptions(options, this.options.timeout);
        if (!Array.isArray(args)) throw new TypeError('submit: args must be an array of the task\'s arguments');
        data = jobData(args, resolved.timeout);
      } catch (error) {
        failure = error;
      }
    }
    const id = resolved?.jobId ?? randomUUID();
    const run = this.track<TaskResult<T, K>>(id, resolved?.onProgress);
    run.codecTime += performance.now() - started;
    if (failure !== undefined || resolved === undefined || data === undefined) {
      run.fail(failure);
      return run;
    }
    const signal = resolved.signal;
    if (signal !== undefined) {
      if (signal.aborted) {
        run.cancel(signal.reason);
        return run;
      }
      const onAbort = (): void => {
        run.cancel(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const forget = (): void => {
        signal.removeEventListener('abort', onAbort);
      };
      void run.promise.then(forget, forget);
    }
    const jobOptions = {
      jobId: id,
      delay: resolved.delay,
      attempts: resolved.attempts,
      removeOnComplete: this.options.removeOnComplete,
      removeOnFail: this.options.removeOnFail,
      ...(resolved.priority === undefined ? {} : { priority: resolved.priority }),
      ...(resolved.backoff === undefined ? {} : { backoff: resolved.backoff }),
    };
    const factor = options?.retry?.backoff;
    const payload = resolved.backoff?.type === 'celerity' ? { ...data, backoff: factor } : data;
    this.backend
      .then(async (backend) => {
        await backend.queue.add(name, payload, jobOptions);
        // Cancelled while the job was being added: the first cancel found no job to remove.
        if (run.state === 'cancelled') this.cancelJob(id);
      })
      .catch((error: unknown) => {
        run.fail(error);
      });
    return run;
  }

  attach<R = unknown>(id: string): TaskRun<R> {
    const run = this.track<R>(id, undefined);
    const refusal = this.refusal();
    if (refusal !== undefined) {
      run.fail(refusal);
      return run;
    }
    this.backend
      .then(async (backend) => {
        // The state first, then the job: a job read before it finished would carry no result
        // although its state, read after, says it has one. A job that finishes after the state
        // was read settles the run through its event, which the events reader already follows.
        const state = await backend.queue.getJobState(run.id);
        if (state === 'unknown') throw unknownJobError(this.options.queue, run.id);
        if (state === 'active') run.active();
        if (state !== 'completed' && state !== 'failed') return;
        const job = (await backend.queue.getJob(run.id)) as Job | undefined;
        if (job === undefined) throw unknownJobError(this.options.queue, run.id);
        if (state === 'completed') run.completed(job.returnvalue);
        else run.failed(job.failedReason, job.progress);
      })
      .catch((error: unknown) => {
        run.fail(error);
      });
    return run;
  }

  map<K extends TaskName<T>>(name: K, inputs: Iterable<TaskInput<T, K>> | AsyncIterable<TaskInput<T, K>>, options?: MapOptions): Promise<TaskResult<T, K>[]> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    // Each input's job gets the map's priority (checked, with the other options, by mapOnQueue).
    const priority = options?.priority;
    return mapOnQueue(inputs, options, (input) => this.submit(name, [input] as unknown as TaskArgs<T, K>, priority === undefined ? undefined : { priority }));
  }

  async counts(): Promise<QueueCounts> {
    const backend = await this.backend;
    const counts = await backend.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
    return {
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      prioritized: counts.prioritized ?? 0,
      completed: counts.completed ?? 0,
      failed: counts.failed ?? 0,
    };
  }

  stats(): AppStats {
    return this.counters.snapshot(0, 0);
  }

  get needsDrain(): boolean {
    return this.counters.needsDrain;
  }

  drained(): Promise<void> {
    return this.counters.drained();
  }

  async close(options?: CloseOptions): Promise<void> {
    const timeout = resolveCloseTimeout(options);
    this.closing ??= this.shutDown(timeout);
    await this.closing;
  }

  private async shutDown(timeout: number): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'closing';
    if (this.runs.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const finished = await new Promise<boolean>((resolve) => {
        this.idle = () => {
          resolve(true);
        };
        if (timeout !== Infinity) timer = setTimeout(resolve, timeout, false);
      });
      clearTimeout(timer);
      this.idle = undefined;
      if (!finished) this.failAll(closeTimeoutError(timeout));
    }
    if ((this.state as State) !== 'closing') return; // destroyed meanwhile
    this.state = 'closed';
    if (this.ready !== undefined) await closeBackend(this.ready);
  }

  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    const wasClosed = this.state === 'closed';
    this.state = 'destroyed';
    this.failAll(destroyedError());
    this.idle?.();
    if (!wasClosed && this.ready !== undefined) await closeBackend(this.ready);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Cancels job `id` in Redis: marked and announced; removed if it has not started. */
  cancelJob(id: string): void {
    void this.backend
      .then(async (backend) => {
        await publishCancel(backend.client, this.keys, id);
        const job = (await backend.queue.getJob(id)) as Job | undefined;
        if (job === undefined) return;
        const state = await job.getState();
        // Only a job that has not started is removed: a finished one stays as it ended, and an
        // active one is stopped by its worker (which fails it as cancelled).
        if (state === 'waiting' || state === 'delayed' || state === 'prioritized' || state === 'waiting-children') await job.remove();
      })
      .catch(() => undefined);
  }

  settled(run: QueueRun<unknown>, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void {
    const runs = this.runs.get(run.id);
    if (runs !== undefined) {
      const at = runs.indexOf(run);
      if (at >= 0) runs.splice(at, 1);
      if (runs.length === 0) this.runs.delete(run.id);
    }
    // Counted where it was: the run's own state is already the final one.
    this.counters.move(1, this.active.delete(run) ? PLACE_RUNNING : PLACE_QUEUED, PLACE_NONE, run);
    if (state === 'succeeded') this.counters.completed++;
    else if (state === 'cancelled') this.counters.cancelled++;
    else this.counters.failed++;
    if (timings !== undefined) this.counters.times(timings.run, timings.wait, timings.codec);
    if (this.runs.size === 0) this.idle?.();
  }

  private track<R>(id: string, onProgress: ((value: unknown) => void) | undefined): QueueRun<R> {
    const run = new QueueRun<R>(id, this, onProgress);
    const list = this.runs.get(id);
    if (list === undefined) this.runs.set(id, [run as QueueRun<unknown>]);
    else list.push(run as QueueRun<unknown>);
    this.counters.submitted++;
    this.counters.move(1, PLACE_NONE, PLACE_QUEUED, run);
    return run;
  }

  /** Why the connection is not wanted any more (closed or destroyed meanwhile), or `undefined`. */
  private shutRefusal(): Error | undefined {
    if (this.state === 'destroyed') return destroyedError();
    return this.state === 'closed' ? closedError() : undefined;
  }

  private refusal(): Error | undefined {
    if (this.state === 'open') return undefined;
    return this.state === 'destroyed' ? destroyedError() : closedError();
  }

  private failAll(error: Error): void {
    for (const runs of [...this.runs.values()]) for (const run of [...runs]) run.fail(error);
  }
}

async function closeBackend(backend: Backend): Promise<void> {
  await Promise.allSettled([backend.events.close(), backend.queue.close()]);
  backend.client.disconnect();
  backend.eventsClient.disconnect();
}
