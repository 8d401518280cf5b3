/**
 * The options of `createApp`: their types, their defaults, and the validation that turns what a
 * user passed into a fully-filled {@link ResolvedOptions}, with an error naming the option at
 * fault for anything wrong.
 * @module
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { asarUnpackedPath } from './asar.js';
import { invalidOption } from '../errors.js';
import type { RunLabel } from '../protocol/messages.js';

/** When to replace a thread with a fresh one (neither failing nor delaying any run). */
export interface RecycleOptions {
  /** Replace a thread once it has run this many tasks. */
  afterTasks?: number;
  /** Replace a thread once its heap has grown past this many megabytes (checked after each task). */
  maxHeapMb?: number;
}

/** The options of `createApp`. Only `tasks` is required. */
export interface AppOptions {
  /** The tasks module: a file path or a file URL (`new URL('./tasks.js', import.meta.url)`). */
  tasks: string | URL;
  /** How many threads: a number, or `{ min, max }`. Default: `os.availableParallelism()`. */
  threads?: number | { min?: number; max?: number };
  /** How long (ms) a thread above `threads.min` may stay idle before it is stopped. Default 0 (at once). */
  idleTimeout?: number;
  /** How many runs may wait for a thread; beyond it runs fail with `ERR_QUEUE_FULL`. `'auto'`: threads². Default: unbounded. */
  maxQueue?: number | 'auto';
  /** Default run-time limit (ms) of every run; queue time does not count. Default: none. */
  timeout?: number;
  /** Time (ms) between a run's `signal` aborting and its thread being terminated, if it has not stopped. Default 1000. */
  cancelGrace?: number;
  /**
   * Extra module URLs threads may import to find a class. With the tasks module and every
   * registered class's `module`, these make the app's allowlist.
   */
  modules?: readonly (string | URL)[];
  /** Replace threads after so many tasks, or once their heap passes a mark. */
  recycle?: RecycleOptions;
  /** Resource limits of every thread (`worker_threads` `resourceLimits`). */
  resourceLimits?: ResourceLimits;
  /** Whether an instance of an unregistered class is an error (`true`, default) or sent as a plain object. */
  strict?: boolean;
  /** Path or file URL of the worker entry (`celerity/worker`), for bundled apps. Default: the one beside this module. */
  worker?: string | URL;
  /**
   * `'clone'` (default): values cross by structured clone. `'json'`: every argument, result and
   * progress value also makes a full trip through the JSON wire (`stringify` / `parse`) in this
   * process, proving the app is ready for a transport between processes; a value that would not
   * survive it fails the run with the error and path the JSON wire gives.
   */
  wire?: 'clone' | 'json';
}

/** Every option, checked and filled in. @internal */
export interface ResolvedOptions {
  /** The tasks module's URL. */
  readonly tasks: string;
  /** The worker entry's file path. */
  readonly worker: string;
  readonly minThreads: number;
  readonly maxThreads: number;
  readonly idleTimeout: number;
  readonly maxQueue: number | 'auto';
  /** 0: no limit. */
  readonly timeout: number;
  readonly cancelGrace: number;
  readonly modules: readonly string[];
  /** 0: never. */
  readonly afterTasks: number;
  /** 0: never. */
  readonly maxHeapMb: number;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly strict: boolean;
  readonly wire: 'clone' | 'json';
}

/** The defaults, for options that have one. @internal */
export const DEFAULTS = {
  idleTimeout: 0,
  cancelGrace: 1000,
  strict: true,
  wire: 'clone',
} as const;

const KNOWN = new Set(['tasks', 'threads', 'idleTimeout', 'maxQueue', 'timeout', 'cancelGrace', 'modules', 'recycle', 'resourceLimits', 'strict', 'worker', 'wire']);
const RESOURCE_LIMITS = new Set(['maxYoungGenerationSizeMb', 'maxOldGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']);


/** Whether `value` is an integer > 0. */
export function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

/** Whether `value` is an integer >= 0. */
export function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value) && value >= 0;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a string is a URL (has a scheme) rather than a file path. Drive letters are paths. */
function looksLikeUrl(text: string): boolean {
  return /^[a-z][a-z0-9+.-]+:/i.test(text) && !/^[a-z]:[\\/]/i.test(text);
}

/**
 * Normalises a path or URL option to a URL string. File paths (relative ones against the working
 * directory) become `file:` URLs; inside an Electron `app.asar` they point at `app.asar.unpacked`.
 */
export function toModuleUrl(value: unknown, name: string): string {
  let text: string;
  if (value instanceof URL) text = value.href;
  else if (typeof value === 'string' && value !== '') text = value;
  else throw invalidOption(`options.${name} must be a file path or a URL`);
  if (!looksLikeUrl(text)) return pathToFileURL(asarUnpackedPath(resolve(text))).href;
  if (text.startsWith('file:')) return pathToFileURL(asarUnpackedPath(fileURLToPath(text))).href;
  return text;
}

/** Normalises a path or file URL option to a file path, for Piscina's worker file. */
function toFilePath(value: unknown, name: string): string {
  const url = toModuleUrl(value, name);
  if (!url.startsWith('file:')) throw invalidOption(`options.${name} must be a file path or a file: URL`);
  const path = fileURLToPath(url);
  return isAbsolute(path) ? path : resolve(path);
}

function threadCounts(threads: unknown): { min: number; max: number } {
  if (threads === undefined) {
    const count = availableParallelism();
    return { min: count, max: count };
  }
  if (typeof threads === 'number') {
    if (!isPositiveInteger(threads)) throw invalidOption('options.threads must be a positive integer or { min, max }');
    return { min: threads, max: threads };
  }
  if (!isPlainObject(threads)) throw invalidOption('options.threads must be a positive integer or { min, max }');
  const { min, max } = threads;
  if (max !== undefined && !isPositiveInteger(max)) throw invalidOption('options.threads.max must be a positive integer');
  if (min !== undefined && !isNonNegativeInteger(min)) throw invalidOption('options.threads.min must be a non-negative integer');
  const top = max ?? Math.max(availableParallelism(), min ?? 1);
  const bottom = min ?? Math.min(1, top);
  if (bottom > top) throw invalidOption('options.threads.min must not be greater than options.threads.max');
  return { min: bottom, max: top };
}

/**
 * Checks every option and fills in the defaults.
 *
 * @throws {CelerityError} `ERR_INVALID_OPTION`, naming the option (`options.threads must be a
 *   positive integer ...`).
 */
export function resolveOptions(options: unknown, defaultWorker: URL): ResolvedOptions {
  if (!isPlainObject(options)) throw invalidOption('options must be an object with at least { tasks }');
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw invalidOption(`options.${key} is not an option of createApp (known: ${[...KNOWN].join(', ')})`);
  }
  if (options.tasks === undefined) throw invalidOption('options.tasks is required: the path or file URL of the tasks module');
  const tasks = toModuleUrl(options.tasks, 'tasks');
  const worker = toFilePath(options.worker ?? defaultWorker, 'worker');
  const { min, max } = threadCounts(options.threads);

  const { idleTimeout = DEFAULTS.idleTimeout, maxQueue, timeout, cancelGrace = DEFAULTS.cancelGrace, strict = DEFAULTS.strict } = options;
  if (!isNonNegativeNumber(idleTimeout)) throw invalidOption('options.idleTimeout must be a non-negative number of milliseconds');
  if (maxQueue !== undefined && maxQueue !== 'auto' && maxQueue !== Infinity && !isNonNegativeInteger(maxQueue)) {
    throw invalidOption("options.maxQueue must be a non-negative integer or 'auto'");
  }
  if (timeout !== undefined && !(isNonNegativeNumber(timeout) && timeout > 0)) throw invalidOption('options.timeout must be a positive number of milliseconds');
  if (!isNonNegativeNumber(cancelGrace) || cancelGrace === Infinity) throw invalidOption('options.cancelGrace must be a non-negative, finite number of milliseconds');
  if (typeof strict !== 'boolean') throw invalidOption('options.strict must be a boolean');
  const wire = options.wire ?? DEFAULTS.wire;
  if (wire !== 'clone' && wire !== 'json') throw invalidOption(`options.wire must be 'clone' or 'json'`);

  let modules: string[] = [];
  if (options.modules !== undefined) {
    if (!Array.isArray(options.modules)) throw invalidOption('options.modules must be an array of module URLs');
    modules = (options.modules as unknown[]).map((module, index) => toModuleUrl(module, `modules[${index}]`));
  }

  let afterTasks = 0;
  let maxHeapMb = 0;
  if (options.recycle !== undefined) {
    if (!isPlainObject(options.recycle)) throw invalidOption('options.recycle must be an object such as { afterTasks: 1000, maxHeapMb: 512 }');
    for (const key of Object.keys(options.recycle)) {
      if (key !== 'afterTasks' && key !== 'maxHeapMb') throw invalidOption(`options.recycle.${key} is not an option (known: afterTasks, maxHeapMb)`);
    }
    const recycle = options.recycle;
    if (recycle.afterTasks !== undefined) {
      if (!isPositiveInteger(recycle.afterTasks)) throw invalidOption('options.recycle.afterTasks must be a positive integer');
      afterTasks = recycle.afterTasks;
    }
    if (recycle.maxHeapMb !== undefined) {
      if (!(isNonNegativeNumber(recycle.maxHeapMb) && recycle.maxHeapMb > 0 && recycle.maxHeapMb !== Infinity)) {
        throw invalidOption('options.recycle.maxHeapMb must be a positive number of megabytes');
      }
      maxHeapMb = recycle.maxHeapMb;
    }
  }

  let resourceLimits: ResourceLimits | undefined;
  if (options.resourceLimits !== undefined) {
    if (!isPlainObject(options.resourceLimits)) throw invalidOption('options.resourceLimits must be an object');
    for (const [key, value] of Object.entries(options.resourceLimits)) {
      if (!RESOURCE_LIMITS.has(key)) throw invalidOption(`options.resourceLimits.${key} is not a resource limit (known: ${[...RESOURCE_LIMITS].join(', ')})`);
      if (value !== undefined && !(isNonNegativeNumber(value) && value > 0)) throw invalidOption(`options.resourceLimits.${key} must be a positive number`);
    }
    resourceLimits = { ...(options.resourceLimits as ResourceLimits) };
  }

  return {
    tasks,
    worker,
    minThreads: min,
    maxThreads: max,
    idleTimeout,
    maxQueue: maxQueue ?? Infinity,
    timeout: timeout ?? 0,
    cancelGrace,
    modules,
    afterTasks,
    maxHeapMb,
    resourceLimits,
    strict,
    wire,
  };
}

/** Options of `app.close()`. */
export interface CloseOptions {
  /**
   * How long (ms) to wait for queued and running work. Runs still unsettled then are rejected
   * with `ERR_APP_CLOSED` and the threads are stopped. Default: wait as long as it takes.
   */
  timeout?: number;
}

/** Validates `close()` options; returns the timeout (ms, `Infinity` to wait as long as it takes). */
export function resolveCloseTimeout(given: CloseOptions | undefined): number {
  const raw: unknown = given ?? {};
  if (typeof raw !== 'object' || raw === null) throw invalidOption('close options must be an object');
  const timeout = (raw as { timeout?: unknown }).timeout ?? Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0) throw invalidOption('options.timeout must be a non-negative number of milliseconds');
  return timeout;
}

/** How to retry a run that failed. */
export interface RetryOptions {
  /** How many tries in all, the first included (1: no retry). */
  attempts: number;
  /** Wait (ms) before the second try. Default 0. */
  delay?: number;
  /**
   * Each further wait is the previous one times this number; `'fixed'` is 1 (a constant delay,
   * the default) and `'exponential'` is 2.
   */
  backoff?: number | 'fixed' | 'exponential';
  /**
   * Whether this error deserves another try. Default: every failure (task errors, timeouts,
   * thread deaths) but an `UnrecoverableError`. Never retried, whatever this says: a cancelled
   * run, and a call another try cannot mend (`ERR_UNKNOWN_TASK`, `ERR_ARGUMENT_COUNT`,
   * `ERR_UNKNOWN_CLASS`, `ERR_FROM_SERIALISABLE`). In-process only: a function cannot reach the
   * queue's worker processes.
   */
  when?(error: unknown): boolean;
}

/** The factor each retry's wait grows by (see {@link RetryOptions.backoff}). */
export function backoffFactor(backoff: RetryOptions['backoff']): number {
  return backoff === undefined || backoff === 'fixed' ? 1 : backoff === 'exponential' ? 2 : backoff;
}

/** Options of `app.submit()`. */
export interface SubmitOptions {
  /** Cancels the run when it aborts. */
  signal?: AbortSignal;
  /** Run-time limit (ms) of this run, overriding the app's `timeout`. Queue time does not count. */
  timeout?: number;
  /** Receives each value the task passes to `this.progress()`, decoded, in order, none after the result. */
  onProgress?(value: unknown): void;
  /** ArrayBuffers (inside the arguments) to move to the thread rather than copy. */
  transfer?: readonly ArrayBuffer[];
  /** Retry a failed run. */
  retry?: RetryOptions;
  /**
   * An integer from 1 (highest) to 2,097,152, as in BullMQ: among runs waiting for a thread, a
   * lower number runs sooner, equal ones in the order they were submitted; runs without a
   * priority go before all that have one. A running task is never interrupted for another.
   */
  priority?: number;
  /** Wait this long (ms) before the run may start; it counts as neither queued nor running meanwhile. Default 0. */
  delay?: number;
}

/** The most a priority may be (BullMQ's limit, so both backends take the same numbers). */
export const MAX_PRIORITY = 2_097_152;

/** Checks a `priority` option; throws `ERR_INVALID_OPTION`. Returns 0 for none. */
export function resolvePriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (!(isPositiveInteger(priority) && priority <= MAX_PRIORITY)) throw invalidOption(`options.priority must be an integer from 1 (highest) to ${MAX_PRIORITY}`);
  return priority;
}

/** Submit options, checked and filled in. */
export interface ResolvedSubmitOptions {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number;
  readonly onProgress: ((value: unknown) => void) | undefined;
  readonly transfer: readonly ArrayBuffer[] | undefined;
  readonly retry: RetryOptions | undefined;
  /** 0 for none, else 1 (highest) to {@link MAX_PRIORITY}. */
  readonly priority: number;
  /** ms before the run may start; 0 for none. */
  readonly delay: number;
  /** The id and attempt the task sees instead of the run's own (see {@link RUN_LABEL}). */
  readonly label?: RunLabel;
}

/**
 * A submit option the queue worker sets (never a user): the job's id and attempt, for the task's
 * `this.id` and `this.attempt`.
 */
export const RUN_LABEL: unique symbol = Symbol('celerity.runLabel');

/** Submit options when none are given and the app has no `timeout`. */
export const NO_SUBMIT_OPTIONS: ResolvedSubmitOptions = { signal: undefined, timeout: 0, onProgress: undefined, transfer: undefined, retry: undefined, priority: 0, delay: 0 };

/** Validates submit options against the app's `timeout`; throws `ERR_INVALID_OPTION` naming the option. */
export function resolveSubmitOptions(given: SubmitOptions | undefined, appTimeout: number): ResolvedSubmitOptions {
  if (given === undefined) return appTimeout === 0 ? NO_SUBMIT_OPTIONS : { ...NO_SUBMIT_OPTIONS, timeout: appTimeout };
  const raw: unknown = given;
  if (typeof raw !== 'object' || raw === null) throw invalidOption('submit options must be an object');
  const options = raw as Record<keyof SubmitOptions, unknown>;
  const { signal, timeout, onProgress, transfer, delay = 0 } = options;
  const retry = options.retry as RetryOptions | undefined;
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidOption('options.signal must be an AbortSignal');
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) throw invalidOption('options.timeout must be a positive number of milliseconds');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidOption('options.onProgress must be a function');
  if (!(typeof delay === 'number' && delay >= 0 && delay !== Infinity)) throw invalidOption('options.delay must be a non-negative number of milliseconds');
  if (transfer !== undefined && !(Array.isArray(transfer) && transfer.every((item) => item instanceof ArrayBuffer))) {
    throw invalidOption('options.transfer must be an array of ArrayBuffers');
  }
  if (retry !== undefined) {
    if (typeof retry !== 'object' || (retry as unknown) === null) throw invalidOption('options.retry must be an object such as { attempts: 3 }');
    if (!(Number.isInteger(retry.attempts) && retry.attempts >= 1)) throw invalidOption('options.retry.attempts must be a positive integer (the number of tries in all)');
    if (retry.delay !== undefined && !(typeof retry.delay === 'number' && retry.delay >= 0 && retry.delay !== Infinity)) {
      throw invalidOption('options.retry.delay must be a non-negative number of milliseconds');
    }
    const backoff: unknown = retry.backoff;
    if (backoff !== undefined && backoff !== 'fixed' && backoff !== 'exponential' && !(typeof backoff === 'number' && backoff >= 1 && backoff !== Infinity)) {
      throw invalidOption("options.retry.backoff must be a number >= 1, 'fixed' or 'exponential'");
    }
    if ((retry.when as unknown) !== undefined && typeof retry.when !== 'function') throw invalidOption('options.retry.when must be a function');
    if (retry.attempts > 1 && transfer !== undefined && (transfer as readonly ArrayBuffer[]).length > 0) {
      throw invalidOption('options.transfer cannot be combined with options.retry: the first try moves the buffers to its thread, so a second try would have none; send copies instead (leave them out of transfer)');
    }
  }
  return {
    signal,
    timeout: timeout ?? appTimeout,
    onProgress: onProgress === undefined ? undefined : (value: unknown) => { (onProgress as NonNullable<SubmitOptions['onProgress']>).call(given, value); },
    transfer,
    retry,
    priority: resolvePriority(options.priority),
    delay,
    ...labelOf(given),
  };
}

/** Options of `app.map()`. */
export interface MapOptions {
  /**
   * Inputs per pool task. `'auto'` (the default) starts with single inputs, then sizes chunks
   * from the measured time per input so tiny inputs travel in batches and slow ones alone.
   */
  chunkSize?: number | 'auto';
  /** How many chunks may be out at once. Default: twice the thread count. */
  concurrency?: number;
  /** Cancels the whole map when it aborts. */
  signal?: AbortSignal;
  /** Called as inputs complete: how many are done and, once known, how many there are. */
  onProgress?(done: number, total: number | undefined): void;
  /** The priority of every chunk of the map, as `submit`'s {@link SubmitOptions.priority}. */
  priority?: number;
}

/** Map options, checked and filled in. */
export interface ResolvedMapOptions {
  /** A fixed chunk size, or `undefined` for `'auto'`. */
  readonly chunkSize: number | undefined;
  readonly concurrency: number;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((done: number, total: number | undefined) => void) | undefined;
  /** 0 for none. */
  readonly priority: number;
}

/** Validates map options for an app of `maxThreads`; throws `ERR_INVALID_OPTION` naming the option. */
export function resolveMapOptions(given: MapOptions | undefined, maxThreads: number): ResolvedMapOptions {
  const raw: unknown = given ?? {};
  if (typeof raw !== 'object' || raw === null) throw invalidOption('map options must be an object');
  const options = raw as Record<keyof MapOptions, unknown>;
  const { chunkSize = 'auto', concurrency, signal, onProgress } = options;
  if (chunkSize !== 'auto' && !isPositiveInteger(chunkSize)) throw invalidOption("options.chunkSize must be a positive integer or 'auto'");
  if (concurrency !== undefined && !isPositiveInteger(concurrency)) throw invalidOption('options.concurrency must be a positive integer');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw invalidOption('options.signal must be an AbortSignal');
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalidOption('options.onProgress must be a function');
  return {
    chunkSize: chunkSize === 'auto' ? undefined : chunkSize,
    concurrency: concurrency ?? maxThreads * 2,
    signal,
    onProgress: onProgress === undefined ? undefined : (done, total) => { (onProgress as NonNullable<MapOptions['onProgress']>).call(given, done, total); },
    priority: resolvePriority(options.priority),
  };
}

function labelOf(given: SubmitOptions): { label?: RunLabel } {
  const label = (given as { [RUN_LABEL]?: unknown })[RUN_LABEL];
  return Array.isArray(label) && typeof label[0] === 'string' && typeof label[1] === 'number' ? { label: label as unknown as RunLabel } : {};
}
