/**
 * Defining tasks: {@link defineTasks}, the {@link TaskContext} every task runs with, and the type
 * helpers that carry task names, arguments and results from a tasks module to the app.
 * @module
 */

/**
 * The `this` of every task: who the run is, and the ways a task talks back while it runs. `P` is
 * the type of its progress values: a task that declares `this: TaskContext<number>` may only send
 * numbers, and the caller's `onProgress` receives them typed as such.
 */
export interface TaskContext<P = unknown> {
  /** The run's id (the same string as `TaskRun.id` on the calling side). */
  readonly id: string;
  /** Which try this is, 1-based (above 1 only when the caller asked for retries). */
  readonly attempt: number;
  /**
   * Aborts when the run is cancelled or times out. A task that checks it (or passes it on to
   * APIs that take a signal) ends early; one that never yields is stopped by terminating its
   * thread once the app's `cancelGrace` has passed.
   */
  readonly signal: AbortSignal;
  /**
   * Sends a progress value to the caller's `onProgress`. The value goes through the codec, so
   * registered instances arrive as themselves. Does nothing when the caller is not listening.
   *
   * @throws {CelerityError} when the value cannot be encoded (path rooted at `progress`).
   */
  progress(value: P): void;
  /** Moves these ArrayBuffers with the result instead of copying them. */
  transfer(...buffers: ArrayBuffer[]): void;
}

/** A task: any function, sync or async, that runs with a {@link TaskContext} as `this`. */
export type Task = (this: TaskContext, ...args: never[]) => unknown;

/**
 * What {@link defineTasks} accepts: task functions by name. (Typed loosely as `object` so that
 * generic tasks stay generic; only function-valued entries become task names.)
 */
export type TaskTable = Readonly<Record<string, object>>;

/**
 * The tasks an app knows nothing about at the type level: any name, any arguments, an `unknown`
 * result. The default of `createApp`'s type parameter.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped fallback must accept any argument list
export type AnyTasks = Readonly<Record<string, (this: TaskContext, ...args: any[]) => unknown>>;

/** The names of the tasks in a loaded tasks module's table (its function-valued own keys). */
export function taskNames(table: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(table).filter((name) => typeof table[name] === 'function');
}

/** The names of the functions in a task table. */
export type TaskName<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never;
}[keyof T] &
  string;

/** The argument tuple of task `K`. */
export type TaskArgs<T, K extends keyof T> = T[K] extends (...args: infer A) => unknown ? A : never;

/** What task `K` resolves to (its return type, awaited). */
export type TaskResult<T, K extends keyof T> = T[K] extends (...args: never[]) => infer R ? Awaited<R> : never;

/**
 * The type of task `K`'s progress values: `P` when it declares `this: TaskContext<P>`, otherwise
 * `unknown`.
 */
export type TaskProgress<T, K extends keyof T> = T[K] extends (this: infer C, ...args: never[]) => unknown ? (C extends TaskContext<infer P> ? P : unknown) : unknown;

/** Options `O` with `onProgress` taking progress values of type `P`. */
export type WithProgress<O, P> = Omit<O, 'onProgress'> & {
  /** Receives each value the task passes to `this.progress()`, decoded, in order, none after the result. */
  onProgress?(value: P): void;
};

/** The one argument task `K` takes from `map`. */
export type TaskInput<T, K extends keyof T> = TaskArgs<T, K> extends readonly [] ? undefined : TaskArgs<T, K>[0];

/**
 * Declares the tasks of a tasks module. Use it as the module's default export; the main thread
 * then gets names, argument types and result types from `typeof` that export:
 *
 * @example
 * // tasks.ts
 * export default defineTasks({
 *   async resize(image: Image, width: number): Promise<Image> {
 *     this.progress(0.5); // this: TaskContext
 *     return image.resized(width);
 *   },
 *   async survey(this: TaskContext<number>, n: number): Promise<number> {
 *     this.progress(0.5); // only numbers: onProgress gets a number
 *     return n;
 *   },
 * });
 * // main.ts
 * import type tasks from './tasks.js';
 * const app = createApp<typeof tasks>({ tasks: new URL('./tasks.js', import.meta.url) });
 */
export function defineTasks<const T extends TaskTable>(tasks: T & ThisType<TaskContext>): T {
  return tasks;
}
