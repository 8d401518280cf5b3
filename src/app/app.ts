/**
 * `createApp` and the `App` it returns: the public face of the task pool. Validation and
 * defaults live in `options.ts`, the engine in `core.ts`, single runs in `run.ts`, `map` in
 * `map.ts`.
 * @module
 */
import { Core } from './core.js';
import { startMap } from './map.js';
import { resolveCloseTimeout, resolveOptions, resolveSubmitOptions, type AppOptions, type CloseOptions, type MapOptions, type SubmitOptions } from './options.js';
import { Run, type TaskRun } from './run.js';
import { resolveSchedule, TimerSchedule, type Schedule, type ScheduleInfo, type ScheduleOptions } from './schedule.js';
import { WorkflowRun } from './workflow-run.js';
import type { Workflow } from '../workflow/signature.js';
import type { CheckWorkflow, WorkflowResult } from '../workflow/types.js';
import type { WorkflowProgress } from '../workflow/progress.js';
import type { AppStats } from './stats.js';
import { unknownTaskError } from '../errors.js';
import type { AnyTasks, TaskArgs, TaskInput, TaskName, TaskProgress, TaskResult, WithProgress } from '../protocol/tasks.js';

/**
 * What every task app offers, whichever backend runs its tasks: the in-process pool
 * (`createApp`, an {@link App}) or a BullMQ queue (`createQueueApp` from `celerity/bullmq`).
 * Code written against it runs on both. Arguments, results, progress values and errors go
 * through the codec both ways, so registered classes arrive as themselves.
 *
 * `T` is the type of the tasks module's default export (`typeof tasks`); it gives `run`, `submit`
 * and `map` their task names, argument types and result types. `O` is what `submit` accepts:
 * each backend adds options of its own.
 */
export interface TaskApp<T = AnyTasks, O extends SubmitOptions = SubmitOptions> extends AsyncDisposable {
  /** Runs task `name` with `args`; resolves to its decoded result. */
  run<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>>;
  /**
   * Runs a workflow (see `task`, `chain`, `group`, `chord`); resolves to its result. A workflow
   * that does not fit the tasks module (a step that does not take the previous result first, an
   * unknown name, wrong arguments) is a type error here.
   */
  run<W extends Workflow>(workflow: W & CheckWorkflow<T, W>): Promise<WorkflowResult<T, W>>;
  /** Submits task `name` with `args`, returning a {@link TaskRun} to await, watch or cancel. */
  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: WithProgress<O, TaskProgress<T, K>>): TaskRun<TaskResult<T, K>>;
  /**
   * Submits a workflow as one {@link TaskRun}: cancelling it cancels every part; `onProgress`
   * hears `{ done, total }` task calls; `timeout`, `retry` and `priority` apply to each step.
   * The first failing step fails the whole and cancels what remains.
   */
  submit<W extends Workflow>(workflow: W & CheckWorkflow<T, W>, options?: WithProgress<O, WorkflowProgress>): TaskRun<WorkflowResult<T, W>>;
  /**
   * Runs task `name` with `args` again and again: `{ every: ms }` or `{ pattern: cron, tz }`.
   * Declaring a schedule whose `id` (default: the task's name) exists replaces it.
   *
   * @throws {CelerityError} `ERR_INVALID_OPTION` (a pattern that does not parse, say) before anything is scheduled.
   */
  schedule<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options: ScheduleOptions): Schedule;
  /** The schedules in place (on a queue, every process's). */
  schedules(): Promise<ScheduleInfo[]>;
  /** Removes schedule `id` (on a queue, whichever process declared it); resolves `false` if there was none. */
  unschedule(id: string): Promise<boolean>;
  /**
   * Runs task `name` once per input (each input is the task's one argument); resolves to the
   * results in input order. The first failure rejects the map and cancels what remains.
   */
  map<K extends TaskName<T>>(name: K, inputs: Iterable<TaskInput<T, K>> | AsyncIterable<TaskInput<T, K>>, options?: MapOptions): Promise<TaskResult<T, K>[]>;
  /**
   * Options given once for the runs made through what it returns, kept apart from the task's
   * arguments: `app.with({ timeout: 5_000, priority: 1 }).run('improve', route)`. Checked at once
   * (`ERR_INVALID_OPTION`); `submit` through it may add or override options.
   */
  with(options: O): RunsWith<T, O>;
  /** Counters and timings since the app started. */
  stats(): AppStats;
  /**
   * Back-pressure: `true` while runs wait for a thread (on a queue app, while jobs this process
   * submitted wait for a worker), so that submitting more now only lengthens the queue. A producer
   * that submits while it is `false`, and otherwise awaits {@link drained}, keeps every thread busy
   * without piling work up in memory.
   */
  readonly needsDrain: boolean;
  /** Resolves once no run waits (at once if none does): the awaitable form of a `'drain'` event. */
  drained(): Promise<void>;
  /** Refuses new work (`ERR_APP_CLOSED`), finishes what this app submitted, then lets its resources go. */
  close(options?: CloseOptions): Promise<void>;
  /** Rejects everything unsettled with `ERR_APP_DESTROYED` and lets its resources go at once. */
  destroy(): Promise<void>;
  /** Same as `close()`: `await using app = createApp(...)`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What {@link TaskApp.with} returns: `run` and `submit` with the options given to `with`. */
export interface RunsWith<T, O> {
  /** Runs task `name` with `args` and the options; resolves to its decoded result. */
  run<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>>;
  /** Runs a workflow with the options; resolves to its result. */
  run<W extends Workflow>(workflow: W & CheckWorkflow<T, W>): Promise<WorkflowResult<T, W>>;
  /** Submits task `name` with `args`, the options, and `options` over them. */
  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: WithProgress<O, TaskProgress<T, K>>): TaskRun<TaskResult<T, K>>;
  /** Submits a workflow with the options, and `options` over them. */
  submit<W extends Workflow>(workflow: W & CheckWorkflow<T, W>, options?: WithProgress<O, WorkflowProgress>): TaskRun<WorkflowResult<T, W>>;
}

/**
 * The loose form of `run` behind the typed overloads of {@link TaskApp.run}: a task name and its
 * arguments, or a workflow. (Its result type, `never`, fits every overload; the overloads say what
 * a caller gets.)
 */
export type LooseRun = (target: string | Workflow, ...args: unknown[]) => Promise<never>;
/** The loose form of `submit` behind the typed overloads of {@link TaskApp.submit}. */
export type LooseSubmit<O> = (target: string | Workflow, argsOrOptions?: unknown, options?: O) => TaskRun<never>;

/**
 * A task app that runs the tasks of one tasks module on a pool of worker threads in this process
 * (`createApp`). `close()` stops the threads once the runs are done; `destroy()` stops them at once.
 */
export type App<T = AnyTasks> = TaskApp<T>;

class PoolApp<T> implements App<T> {
  readonly #core: Core;
  #closing: Promise<void> | undefined;
  readonly #schedules = new Map<string, TimerSchedule>();

  constructor(core: Core) {
    this.#core = core;
  }

  run: LooseRun = (target, ...args) => this.#submit(target, args, undefined).promise;

  submit: LooseSubmit<SubmitOptions> = (target, argsOrOptions, options) => this.#submit(target, argsOrOptions, options);

  #submit(target: string | Workflow, argsOrOptions: unknown, options: SubmitOptions | undefined): Run<never> | WorkflowRun<never> {
    if (typeof target === 'string') return new Run<never>(this.#core, target, argsOrOptions as unknown[], options);
    return new WorkflowRun<never>(this.#core, target, argsOrOptions as SubmitOptions | undefined);
  }

  schedule<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options: ScheduleOptions): Schedule {
    const settings = resolveSchedule(name, args, options);
    const refusal = this.#refusal();
    if (refusal !== undefined) throw refusal;
    this.#schedules.get(settings.id)?.stop();
    const schedule = new TimerSchedule(name, [...args], settings, {
      fire: (task, taskArgs, runOptions) => {
        if (this.#refusal() !== undefined) return undefined;
        const run = new Run<unknown>(this.#core, task, [...taskArgs], runOptions);
        // A scheduled run's outcome shows in stats(); nobody awaits it.
        run.promise.catch(() => undefined);
        return run;
      },
      forget: (gone) => {
        if (this.#schedules.get(gone.id) === gone) this.#schedules.delete(gone.id);
      },
    });
    this.#schedules.set(settings.id, schedule);
    // The first run waits for the name to be checked: an unknown task is the schedule's error, not each run's.
    schedule.ready = this.#core.taskNames().then((names) => {
      if (!names.has(name)) {
        void schedule.cancel();
        throw unknownTaskError(name, names);
      }
      schedule.start();
    });
    schedule.ready.catch(() => undefined);
    return schedule;
  }

  schedules(): Promise<ScheduleInfo[]> {
    return Promise.resolve([...this.#schedules.values()].map((schedule) => schedule.info()));
  }

  async unschedule(id: string): Promise<boolean> {
    const schedule = this.#schedules.get(id);
    if (schedule === undefined) return false;
    await schedule.cancel();
    return true;
  }

  map<K extends TaskName<T>>(name: K, inputs: Iterable<TaskInput<T, K>> | AsyncIterable<TaskInput<T, K>>, options?: MapOptions): Promise<TaskResult<T, K>[]> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    return startMap<TaskInput<T, K>, TaskResult<T, K>>(this.#core, name, inputs, options);
  }

  with(options: SubmitOptions): RunsWith<T, SubmitOptions> {
    resolveSubmitOptions(options, this.#core.options.timeout);
    const run: LooseRun = (target, ...args) => (typeof target === 'string' ? this.#submit(target, args, options) : this.#submit(target, options, undefined)).promise;
    const submit: LooseSubmit<SubmitOptions> = (target, argsOrOptions, more) =>
      typeof target === 'string' ? this.submit(target, argsOrOptions, { ...options, ...more }) : this.submit(target, { ...options, ...(argsOrOptions as SubmitOptions | undefined) });
    return { run, submit };
  }

  stats(): AppStats {
    return this.#core.stats();
  }

  get needsDrain(): boolean {
    return this.#core.counters.needsDrain;
  }

  drained(): Promise<void> {
    return this.#core.counters.drained();
  }

  async close(options?: CloseOptions): Promise<void> {
    const timeout = resolveCloseTimeout(options);
    this.#stopSchedules();
    this.#closing ??= this.#core.close(timeout);
    await this.#closing;
  }

  destroy(): Promise<void> {
    this.#stopSchedules();
    return this.#core.destroy();
  }

  #stopSchedules(): void {
    for (const schedule of this.#schedules.values()) schedule.stop();
    this.#schedules.clear();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #refusal(): Error | undefined {
    return this.#core.refusal();
  }
}

/**
 * Creates a task app over a pool of worker threads. Every option is checked here, up front.
 *
 * @example
 * import type tasks from '../protocol/tasks.js';
 * const app = createApp<typeof tasks>({ tasks: new URL('./tasks.js', import.meta.url) });
 * const best = await app.run('improve', route, 2_000);
 *
 * @throws {CelerityError} `ERR_INVALID_OPTION` naming the option at fault.
 */
export function createApp<T = AnyTasks>(options: AppOptions): App<T> {
  const resolved = resolveOptions(options, new URL('../worker/index.js', import.meta.url));
  return new PoolApp<T>(new Core(resolved));
}
