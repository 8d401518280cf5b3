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
import type { AppStats } from './stats.js';
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
  /** Submits task `name` with `args`, returning a {@link TaskRun} to await, watch or cancel. */
  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: WithProgress<O, TaskProgress<T, K>>): TaskRun<TaskResult<T, K>>;
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
  /** Submits task `name` with `args`, the options, and `options` over them. */
  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: WithProgress<O, TaskProgress<T, K>>): TaskRun<TaskResult<T, K>>;
}

/**
 * A task app that runs the tasks of one tasks module on a pool of worker threads in this process
 * (`createApp`). `close()` stops the threads once the runs are done; `destroy()` stops them at once.
 */
export type App<T = AnyTasks> = TaskApp<T>;

class PoolApp<T> implements App<T> {
  readonly #core: Core;
  #closing: Promise<void> | undefined;

  constructor(core: Core) {
    this.#core = core;
  }

  run<K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>> {
    return new Run<TaskResult<T, K>>(this.#core, name, args, undefined, false).promise;
  }

  submit<K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, options?: SubmitOptions): TaskRun<TaskResult<T, K>> {
    return new Run<TaskResult<T, K>>(this.#core, name, args, options, true);
  }

  map<K extends TaskName<T>>(name: K, inputs: Iterable<TaskInput<T, K>> | AsyncIterable<TaskInput<T, K>>, options?: MapOptions): Promise<TaskResult<T, K>[]> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    return startMap<TaskInput<T, K>, TaskResult<T, K>>(this.#core, name, inputs, options);
  }

  with(options: SubmitOptions): RunsWith<T, SubmitOptions> {
    resolveSubmitOptions(options, this.#core.options.timeout);
    return {
      run: <K extends TaskName<T>>(name: K, ...args: TaskArgs<T, K>): Promise<TaskResult<T, K>> => new Run<TaskResult<T, K>>(this.#core, name, args, options, false).promise,
      submit: <K extends TaskName<T>>(name: K, args: TaskArgs<T, K>, more?: SubmitOptions): TaskRun<TaskResult<T, K>> => this.submit(name, args, more === undefined ? options : { ...options, ...more }),
    };
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
    this.#closing ??= this.#core.close(timeout);
    await this.#closing;
  }

  destroy(): Promise<void> {
    return this.#core.destroy();
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
