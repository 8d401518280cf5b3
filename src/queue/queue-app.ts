/**
 * `createQueueApp`: the submitting side of the queue backend. Jobs go to a BullMQ queue; one
 * QueueEvents reader (started before the first job is added, so that no event is missed) moves
 * each run this process waits for through its states and settles it. `attach` reads a job's state
 * first (the events stream is trimmed), then follows its events.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { FlowJob, FlowProducer, Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunsWith, TaskApp } from '../app/app.js';
import { Counters, PLACE_NONE, PLACE_QUEUED, PLACE_RUNNING } from '../app/counters.js';
import { resolveCloseTimeout, type CloseOptions, type MapOptions } from '../app/options.js';
import type { TaskRun } from '../app/run.js';
import type { AppStats } from '../app/stats.js';
import { closedError, closeTimeoutError, destroyedError, invalidOption, lostJobError, unknownJobError, unknownTaskError } from '../errors.js';
import type { AnyTasks, TaskArgs, TaskInput, TaskName, TaskResult } from '../protocol/tasks.js';
import { CancelKeys, publishCancel } from './cancel.js';
import { describeConnection, openConnection, whenReady } from './connection.js';
import { jobData } from './job-format.js';
import { mapOnQueue } from './queue-map.js';
import { CHILD_FAILED, QueueRun, type JobWatcher, type RunOwner } from './queue-run.js';
import { QueueWorkflow, type WorkflowOwner } from './queue-workflow.js';
import { resolveQueueAppOptions, resolveQueueSubmitOptions, type QueueAppOptions, type QueueSubmitOptions, type ResolvedQueueAppOptions, type ResolvedQueueSubmit } from './options.js';
import { loadPeers } from './peers.js';
import { flowOf, partId, type PartOptions } from './flow.js';
import { listSchedules, upsertSchedule } from './schedules.js';
import { readTaskNames, taskNamesKey } from './task-names.js';
import { Rechecks } from './recheck.js';
import type { LooseRun, LooseSubmit } from '../app/app.js';
import { onAbort } from '../app/abort.js';
import { resolveSchedule, type Schedule, type ScheduleInfo, type ScheduleOptions } from '../app/schedule.js';
import { checkTaskNames, planWorkflow, type Plan } from '../workflow/plan.js';
import type { Workflow } from '../workflow/signature.js';

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

/** How far `attach` follows a failed workflow down to the part that failed. */
const MAX_FLOW_DEPTH = 64;

/** How long the task names read from Redis are taken as they are, ms. */
const NAMES_FRESH_MS = 5000;

/** The connections and BullMQ objects, once ready. */
interface Backend {
  readonly queue: Queue;
  readonly flows: FlowProducer;
  readonly events: QueueEvents;
  readonly client: Redis;
  readonly eventsClient: Redis;
}

type State = 'open' | 'closing' | 'closed' | 'destroyed';

/** A run or workflow this app has not settled yet. */
interface Unsettled {
  fail(error: unknown): void;
}

/** Creates the submitting side of a queue; see {@link QueueApp}. Connects at once, in the background. */
export function createQueueApp<T = AnyTasks>(options: QueueAppOptions): QueueApp<T> {
  return new QueueTaskApp<T>(resolveQueueAppOptions(options));
}

class QueueTaskApp<T> implements QueueApp<T>, RunOwner, WorkflowOwner {
  private readonly options: ResolvedQueueAppOptions;
  private readonly backend: Promise<Backend>;
  private ready: Backend | undefined;
  private readonly keys: CancelKeys;
  /** Lookups of jobs whose end may never reach this process (see `recheck.ts`). */
  private readonly rechecks: Rechecks;
  /** What follows each job's events, by job id. */
  private readonly watchers = new Map<string, JobWatcher[]>();
  /** The runs and workflows not settled yet. */
  private readonly unsettled = new Set<Unsettled>();
  /** The watchers each workflow set up, to take down when it settles. */
  private readonly workflowWatchers = new Map<QueueWorkflow<unknown>, [string, JobWatcher][]>();
  private readonly counters = new Counters();
  /** The runs and workflows counted as running (a job of theirs is active on a worker); the others are counted as queued. */
  private readonly active = new Set<object>();
  private readonly namesKey: string;
  private names: { at: number; names: Promise<ReadonlySet<string> | undefined> } | undefined;
  /** The schedules declared here whose storing is under way (close waits for them). */
  private readonly storing = new Set<Promise<unknown>>();
  private state: State = 'open';
  private closing: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  constructor(options: ResolvedQueueAppOptions) {
    this.options = options;
    this.keys = new CancelKeys(options.prefix, options.queue);
    this.namesKey = taskNamesKey(options.prefix, options.queue);
    this.rechecks = new Rechecks(options.recheckInterval, {
      completed: (id, stored) => {
        this.jobCompleted(id, stored);
      },
      failed: (id, reason, progress) => {
        void this.failedLookedUp(id, reason, progress);
      },
      lost: (id) => {
        const error = lostJobError(options.queue, id);
        this.each(id, (watcher) => {
          watcher.lost(error);
        });
      },
    });
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
      const flows = new peers.bullmq.FlowProducer({ connection: client, prefix });
      flows.on('error', () => undefined);
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
      const backend = { queue, flows, events, client, eventsClient };
      const late = this.shutRefusal();
      if (late !== undefined) {
        await closeBackend(backend);
        throw late;
      }
      this.rechecks.attach(backend, `${prefix}:${name}:events`, lastEventId);
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
      this.each(jobId, (watcher) => {
        watcher.active();
      });
    });
    const back = ({ jobId }: { jobId: string }): void => {
      this.each(jobId, (watcher) => {
        watcher.waiting();
      });
    };
    events.on('waiting', back);
    events.on('delayed', back);
    events.on('progress', ({ jobId, data }) => {
      this.eachWith(jobId, data, (watcher, own) => {
        watcher.progress(own);
      });
    });
    events.on('completed', ({ jobId, returnvalue }) => {
      this.jobCompleted(jobId, returnvalue);
    });
    events.on('failed', ({ jobId, failedReason }) => {
      this.jobFailed(jobId, failedReason, undefined);
    });
    events.on('removed', ({ jobId }) => {
      this.each(jobId, (watcher) => {
        watcher.removed();
      });
    });
  }

  /** Job `id` completed with the stored return value `stored` (told by its event, or found by a lookup). */
  private jobCompleted(id: string, stored: unknown): void {
    this.eachWith(id, stored, (watcher, own) => {
      watcher.completed(own);
    });
  }

  /** Job `id` failed for good: BullMQ's reason, and its stored error record when one was read. */
  private jobFailed(id: string, reason: string, stored: unknown): void {
    this.each(id, (watcher) => {
      watcher.failed(reason, stored);
    });
  }

  private each(id: string, visit: (watcher: JobWatcher) => void): void {
    const watchers = this.watchers.get(id);
    if (watchers === undefined) return;
    for (const watcher of [...watchers]) visit(watcher);
  }

  /**
   * Hands `stored` (an event's value) to each watcher of job `id`. Reading a wire consumes it, so
   * when several wait for one job (a submit and an attach, say), all but the last get a copy of
   * their own.
   */
  private eachWith(id: string, stored: unknown, visit: (watcher: JobWatcher, own: unknown) => void): void {
    const watchers = this.watchers.get(id);
    if (watchers === undefined) return;
    const waiting = [...watchers];
    waiting.forEach((watcher, i) => {
      visit(watcher, i === waiting.length - 1 || typeof stored !== 'object' || stored === null ? stored : structuredClone(stored));
    });
  }

  private watch(id: string, watcher: JobWatcher): void {
    const list = this.watchers.get(id);
    if (list === undefined) this.watchers.set(id, [watcher]);
    else list.push(watcher);
  }

  private unwatch(id: string, watcher: JobWatcher): void {
    const list = this.watchers.get(id);
    if (list === undefined) return;
    const at = list.indexOf(watcher);
    if (at >= 0) list.splice(at, 1);
    if (list.length === 0) {
      this.watchers.delete(id);
      this.rechecks.forget(id);
    }
  }

  /** Job `id` is in Redis now: if a run still waits on it, it is looked up should its end never come. */
  private confirm(id: string): void {
    if (this.watchers.has(id)) this.rechecks.confirm(id);
  }

  run: LooseRun = (target, ...args) => (typeof target === 'string' ? this.submitTask(target, args, undefined) : this.submitWorkflow(target, undefined)).promise as Promise<never>;

  submit: LooseSubmit<QueueSubmitOptions> = (target, argsOrOptions, options) =>
    (typeof target === 'string' ? this.submitTask(target, argsOrOptions, options) : this.submitWorkflow(target, argsOrOptions as QueueSubmitOptions | undefined)) as unknown as TaskRun<never>;

  with(options: QueueSubmitOptions): RunsWith<T, QueueSubmitOptions> {
    resolveQueueSubmitOptions(options, this.options.timeout);
    // One id for many jobs would make all but the first the same job (BullMQ's dedup).
    if ((options as { jobId?: unknown }).jobId !== undefined) throw invalidOption('options.jobId names one job: give it to submit(), not to with()');
    return {
      run: ((target: string | Workflow, ...args: unknown[]) => (typeof target === 'string' ? this.submitTask(target, args, options) : this.submitWorkflow(target, options)).promise) as LooseRun,
      submit: ((target: string | Workflow, argsOrOptions?: unknown, more?: QueueSubmitOptions) =>
        typeof target === 'string'
          ? this.submitTask(target, argsOrOptions, more === undefined ? options : { ...options, ...more })
          : this.submitWorkflow(target, { ...options, ...(argsOrOptions as QueueSubmitOptions | undefined) })) as unknown as LooseSubmit<QueueSubmitOptions>,
    };
  }

  private submitTask(name: string, args: unknown, options: QueueSubmitOptions | undefined): QueueRun<unknown> {
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
    const run = this.track<unknown>(id, resolved?.onProgress);
    run.codecTime += performance.now() - started;
    if (failure !== undefined || resolved === undefined || data === undefined) {
      run.fail(failure);
      return run;
    }
    if (!this.follow(run, resolved.signal)) return run;
    const jobOptions = { jobId: id, delay: resolved.delay, ...this.partOptions(resolved) };
    const payload = { ...data, ...backoffData(resolved, options) };
    this.backend
      .then(async (backend) => {
        await backend.queue.add(name, payload, jobOptions);
        // Cancelled while the job was being added: the first cancel found no job to remove.
        if (run.state === 'cancelled') this.cancelJob(id);
        this.confirm(id);
      })
      .catch((error: unknown) => {
        run.fail(error);
      });
    return run;
  }

  /** What every job (or workflow part) of a submit gets: attempts, backoff, priority, what Redis keeps. */
  private partOptions(resolved: ResolvedQueueSubmit): PartOptions {
    return {
      attempts: resolved.attempts,
      removeOnComplete: this.options.removeOnComplete,
      removeOnFail: this.options.removeOnFail,
      ...(resolved.priority === undefined ? {} : { priority: resolved.priority }),
      ...(resolved.backoff === undefined ? {} : { backoff: resolved.backoff }),
    };
  }

  private submitWorkflow(workflow: Workflow, options: QueueSubmitOptions | undefined): QueueWorkflow<unknown> {
    const started = performance.now();
    let failure: unknown = this.refusal();
    let plan: Plan | undefined;
    let resolved: ResolvedQueueSubmit | undefined;
    let flow: FlowJob | undefined;
    let root = '';
    if (failure === undefined) {
      try {
        resolved = resolveQueueSubmitOptions(options, this.options.timeout);
        plan = planWorkflow(workflow);
        root = resolved.jobId ?? randomUUID();
        flow = flowOf(plan, root, this.options.queue, this.options.prefix, { timeout: resolved.timeout, delay: resolved.delay, part: this.partOptions(resolved), extra: backoffData(resolved, options) });
      } catch (error) {
        failure = error;
      }
    }
    const parts = plan === undefined ? [] : plan.nodes.map((node) => partId(root, plan, node));
    const steps = plan === undefined ? [] : plan.nodes.filter((node) => node.kind === 'task').map((node) => partId(root, plan, node));
    const run = new QueueWorkflow<unknown>(root, parts, new Set(steps), this, resolved?.onProgress);
    run.codecTime += performance.now() - started;
    const watchers = parts.map((id): [string, JobWatcher] => [id, run.watcher(id)]);
    for (const [id, watcher] of watchers) this.watch(id, watcher);
    this.workflowWatchers.set(run, watchers);
    this.enter(run);
    if (failure !== undefined || resolved === undefined || plan === undefined || flow === undefined) {
      run.fail(failure);
      return run;
    }
    if (!this.follow(run, resolved.signal)) return run;
    const checked = plan;
    const tree = flow;
    this.backend
      .then(async (backend) => {
        // Every step names a task the queue's workers know, before any part is queued.
        const names = await this.taskNames(backend);
        if (names !== undefined) checkTaskNames(checked, names);
        if (run.settled) return;
        await backend.flows.add(tree);
        // Cancelled while the flow was being added: the first cancel found nothing to remove.
        if (run.state === 'cancelled') this.cancelParts(root, parts);
        // The root job ends the workflow (its parts may be removed as they complete).
        this.confirm(root);
      })
      .catch((error: unknown) => {
        run.fail(error);
      });
    return run;
  }

  /** Cancels `run` when `signal` aborts (at once if it has: then `false`); stops listening once the run settles. */
  private follow(run: TaskRun<unknown>, signal: AbortSignal | undefined): boolean {
    if (signal === undefined) return true;
    const unfollow = onAbort(signal, (reason) => {
      run.cancel(reason);
    });
    if (unfollow === undefined) return false;
    void run.then(unfollow, unfollow);
    return true;
  }

  /** The names of the tasks the queue's workers run (read again at most every few seconds), or `undefined` before any worker started. */
  private async taskNames(backend: Backend): Promise<ReadonlySet<string> | undefined> {
    const now = performance.now();
    if (this.names === undefined || now - this.names.at > NAMES_FRESH_MS) this.names = { at: now, names: readTaskNames(backend.client, this.namesKey) };
    return this.names.names;
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
        if (state !== 'completed' && state !== 'failed') {
          this.confirm(run.id);
          return;
        }
        const job = (await backend.queue.getJob(run.id)) as Job | undefined;
        if (job === undefined) throw unknownJobError(this.options.queue, run.id);
        // A workflow failed by one of its parts is explained by the run itself (see QueueRun.failed).
        if (state === 'completed') run.completed(job.returnvalue);
        else run.failed(job.failedReason, job.progress);
      })
      .catch((error: unknown) => {
        run.fail(error);
      });
    return run;
  }

  /**
   * A job looked up in Redis (see `recheck.ts`) failed for good. One failed by its child (a
   * workflow's root, say) is told the failure of the part that actually failed, as its events
   * would have told it.
   */
  private async failedLookedUp(id: string, reason: string, progress: unknown): Promise<void> {
    let why = reason;
    let stored = progress;
    if (CHILD_FAILED.test(reason)) {
      const cause = await this.backend.then((backend) => this.failedPart(backend, reason)).catch(() => undefined);
      if (cause !== undefined) {
        why = cause.failedReason;
        stored = cause.progress;
      }
    }
    this.jobFailed(id, why, stored);
  }

  explainFailure(run: QueueRun<unknown>, reason: string): void {
    void this.backend
      .then(async (backend) => {
        const cause = await this.failedPart(backend, reason);
        run.failed(cause?.failedReason ?? reason, cause?.progress, true);
      })
      .catch(() => {
        run.failed(reason, undefined, true);
      });
  }

  /**
   * The job whose own failure `reason` goes back to: a workflow's parent fails because a child did
   * ("child <key> failed"), and it is the child (or its child ...) that holds the error.
   * `undefined` when `reason` names no child that Redis still has.
   */
  private async failedPart(backend: Backend, reason: string): Promise<Job | undefined> {
    const base = `${this.options.prefix}:${this.options.queue}:`;
    let cause: Job | undefined;
    let why = reason;
    for (let depth = 0; depth < MAX_FLOW_DEPTH; depth++) {
      const key = CHILD_FAILED.exec(why)?.[1];
      if (key?.startsWith(base) !== true) break;
      const child = (await backend.queue.getJob(key.slice(base.length))) as Job | undefined;
      if (child === undefined) break;
      cause = child;
      why = child.failedReason;
    }
    return cause;
  }

  map<K extends TaskName<T>>(name: K, inputs: Iterable<TaskInput<T, K>> | AsyncIterable<TaskInput<T, K>>, options?: MapOptions): Promise<TaskResult<T, K>[]> {
    const refusal = this.refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    // Each input's job gets the map's priority (checked, with the other options, by mapOnQueue).
    const priority = options?.priority;
    return mapOnQueue(inputs, options, (input) => this.submitTask(name, [input], priority === undefined ? undefined : { priority }) as TaskRun<TaskResult<T, K>>);
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
    await Promise.allSettled([...this.storing]);
    if (this.unsettled.size > 0) {
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
    this.rechecks.stop();
    if (this.ready !== undefined) await closeBackend(this.ready);
  }

  async destroy(): Promise<void> {
    if (this.state === 'destroyed') return;
    const wasClosed = this.state === 'closed';
    this.state = 'destroyed';
    this.rechecks.stop();
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

  /** Cancels the parts of workflow `root` that are not done: marked and announced (running ones stop, waiting ones never start), and the flow removed where nothing holds it. */
  cancelParts(root: string, parts: readonly string[]): void {
    void this.backend
      .then(async (backend) => {
        for (const id of parts) await publishCancel(backend.client, this.keys, id);
        // Fails while a part is running (BullMQ keeps a locked job): that part stops on its cancel and fails its parents.
        await backend.queue.remove(root, { removeChildren: true }).catch(() => undefined);
      })
      .catch(() => undefined);
  }

  schedule<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options: ScheduleOptions): Schedule {
    const settings = resolveSchedule(name, args, options);
    if (typeof (settings.run.retry as { when?: unknown } | undefined)?.when === 'function') throw invalidOption('options.retry.when cannot reach the worker processes of a queue; throw an UnrecoverableError from the task instead');
    const refusal = this.refusal();
    if (refusal !== undefined) throw refusal;
    const resolved = resolveQueueSubmitOptions(settings.run as QueueSubmitOptions, this.options.timeout);
    const data = { ...jobData(args, resolved.timeout), ...backoffData(resolved, settings.run) };
    const stored = this.backend.then(async (backend) => {
      const names = await this.taskNames(backend);
      if (names !== undefined && !names.has(name)) throw unknownTaskError(name, names);
      await upsertSchedule(backend.queue, name, data, settings, this.partOptions(resolved));
    });
    stored.catch(() => undefined);
    this.storing.add(stored);
    void stored.finally(() => this.storing.delete(stored)).catch(() => undefined);
    return {
      id: settings.id,
      ready: stored,
      cancel: async () => {
        await stored.catch(() => undefined);
        await this.unschedule(settings.id);
      },
    };
  }

  async schedules(): Promise<ScheduleInfo[]> {
    return listSchedules((await this.backend).queue);
  }

  async unschedule(id: string): Promise<boolean> {
    return (await this.backend).queue.removeJobScheduler(id);
  }

  settled(run: QueueRun<unknown>, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void {
    this.unwatch(run.id, run);
    this.left(run, state, timings);
  }

  settledWorkflow(run: QueueWorkflow<unknown>, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void {
    for (const [id, watcher] of this.workflowWatchers.get(run) ?? []) this.unwatch(id, watcher);
    this.workflowWatchers.delete(run);
    this.left(run, state, timings);
  }

  moved(run: object, place: 'queued' | 'running'): void {
    if (!this.unsettled.has(run as Unsettled)) return;
    if (place === 'running' && !this.active.has(run)) {
      this.active.add(run);
      this.counters.move(1, PLACE_QUEUED, PLACE_RUNNING, run);
    } else if (place === 'queued' && this.active.delete(run)) {
      this.counters.move(1, PLACE_RUNNING, PLACE_QUEUED, run);
    }
  }

  /** A run or workflow settled: out of the counters (counted where it was), and maybe the app is idle now. */
  private left(run: Unsettled, state: 'succeeded' | 'failed' | 'cancelled', timings: { wait: number; run: number; codec: number } | undefined): void {
    if (!this.unsettled.delete(run)) return;
    this.counters.move(1, this.active.delete(run) ? PLACE_RUNNING : PLACE_QUEUED, PLACE_NONE, run);
    if (state === 'succeeded') this.counters.completed++;
    else if (state === 'cancelled') this.counters.cancelled++;
    else this.counters.failed++;
    if (timings !== undefined) this.counters.times(timings.run, timings.wait, timings.codec);
    if (this.unsettled.size === 0) this.idle?.();
  }

  /** Starts counting a run or workflow as submitted and queued. */
  private enter(run: Unsettled): void {
    this.unsettled.add(run);
    this.counters.submitted++;
    this.counters.move(1, PLACE_NONE, PLACE_QUEUED, run);
  }

  private track<R>(id: string, onProgress: ((value: unknown) => void) | undefined): QueueRun<R> {
    const run = new QueueRun<R>(id, this, onProgress);
    this.watch(id, run);
    this.enter(run);
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
    for (const run of [...this.unsettled]) run.fail(error);
  }
}

/** What a job's data carries for celerity's own backoff (a factor BullMQ's strategies lack). */
function backoffData(resolved: ResolvedQueueSubmit, options: { retry?: { backoff?: unknown } } | undefined): Record<string, unknown> {
  return resolved.backoff?.type === 'celerity' ? { backoff: options?.retry?.backoff } : {};
}

async function closeBackend(backend: Backend): Promise<void> {
  await Promise.allSettled([backend.events.close(), backend.queue.close(), backend.flows.close()]);
  backend.client.disconnect();
  backend.eventsClient.disconnect();
}
