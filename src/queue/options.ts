/**
 * The options of the queue backend: `createQueueApp`, its `submit`, and `createQueueWorker`.
 * Each resolver checks what it is given and returns it fully filled, or throws
 * `ERR_INVALID_OPTION` naming the option at fault.
 * @module
 */
import { invalidOption } from '../errors.js';
import { isNonNegativeInteger, isPositiveInteger, resolveSubmitOptions, type AppOptions, type RetryOptions, type SubmitOptions } from '../app/options.js';
import { checkConnection, DEFAULT_CONNECT_TIMEOUT, type Connection } from './connection.js';
import { checkJobId } from './job-format.js';

/** How long and how many finished jobs Redis keeps. */
export interface KeepOptions {
  /** Keep finished jobs at most this long, s. */
  age?: number;
  /** Keep at most this many jobs. */
  count?: number;
}

/** Options of `createQueueApp`. */
export interface QueueAppOptions {
  /** The BullMQ queue's name. */
  queue: string;
  /** Where Redis is: a `redis://` URL, ioredis options, or an ioredis connection (duplicated, never closed). */
  connection: Connection;
  /** BullMQ's key prefix. Default `'bull'`. */
  prefix?: string;
  /** How long the first connection to Redis may take before runs fail with `ERR_BROKER_UNAVAILABLE`, ms. Default 5000. */
  connectTimeout?: number;
  /** Default run-time limit of each job on its worker, ms (0: none). Default 0. */
  timeout?: number;
  /** How long Redis keeps completed jobs (BullMQ's `removeOnComplete`). Default: a day, and at most 1,000 jobs. */
  keepCompleted?: KeepOptions;
  /** How long Redis keeps failed jobs (BullMQ's `removeOnFail`). Default: a week, and at most 10,000 jobs. */
  keepFailed?: KeepOptions;
  /**
   * How often this app looks up in Redis the jobs it has waited on for that long, in case their
   * end never reaches it (events trimmed while it lagged or was cut off, Redis restarted empty), ms.
   * All of them are also looked up whenever the connection comes back. Default 30,000.
   */
  recheckInterval?: number;
}

/** `retry` on the queue: BullMQ's attempts and backoff; `when` cannot cross processes. */
export type QueueRetryOptions = Omit<RetryOptions, 'when'> & { when?: never };

/** Options of the queue app's `submit`: the in-process ones (but `transfer`), and BullMQ's own. */
export interface QueueSubmitOptions extends SubmitOptions {
  /** The job's id; by default a random UUID. Adding a job whose id exists returns that job (BullMQ's dedup). */
  jobId?: string;
  /** BullMQ attempts and backoff; no `when`: a function cannot reach the worker processes. */
  retry?: QueueRetryOptions;
  /** Not on a queue: a job's data is copied through Redis. */
  transfer?: never;
}

/** Resolved `createQueueApp` options. */
export interface ResolvedQueueAppOptions {
  readonly queue: string;
  readonly connection: Connection;
  readonly prefix: string;
  readonly connectTimeout: number;
  readonly timeout: number;
  readonly removeOnComplete: { age: number; count: number };
  readonly removeOnFail: { age: number; count: number };
  readonly recheckInterval: number;
}

/** The default of `recheckInterval`, ms. */
const DEFAULT_RECHECK_INTERVAL = 30_000;

/** The shortest `recheckInterval`, ms: each lookup costs Redis a command per job looked up. */
const MIN_RECHECK_INTERVAL = 100;

const APP_KEYS = new Set(['queue', 'connection', 'prefix', 'connectTimeout', 'timeout', 'keepCompleted', 'keepFailed', 'recheckInterval']);

/** Checks `createQueueApp` options. */
export function resolveQueueAppOptions(given: unknown): ResolvedQueueAppOptions {
  if (typeof given !== 'object' || given === null) throw invalidOption('createQueueApp needs an options object such as { queue, connection }');
  const options = given as Record<string, unknown>;
  for (const key of Object.keys(options)) if (!APP_KEYS.has(key)) throw invalidOption(`unknown option "${key}" (known: ${[...APP_KEYS].join(', ')})`);
  const timeout = options.timeout ?? 0;
  if (!isNonNegativeInteger(timeout)) throw invalidOption('options.timeout must be a non-negative integer number of milliseconds');
  const recheckInterval = options.recheckInterval ?? DEFAULT_RECHECK_INTERVAL;
  if (!isPositiveInteger(recheckInterval) || recheckInterval < MIN_RECHECK_INTERVAL) throw invalidOption(`options.recheckInterval must be a whole number of milliseconds, at least ${MIN_RECHECK_INTERVAL}`);
  return {
    ...resolveQueueBase(options),
    timeout,
    removeOnComplete: resolveKeep(options.keepCompleted, 'keepCompleted', { age: 24 * 3600, count: 1000 }),
    removeOnFail: resolveKeep(options.keepFailed, 'keepFailed', { age: 7 * 24 * 3600, count: 10_000 }),
    recheckInterval,
  };
}

/** The options both sides share: queue, connection, prefix, connectTimeout. */
function resolveQueueBase(options: Record<string, unknown>): { queue: string; connection: Connection; prefix: string; connectTimeout: number } {
  const { queue, prefix = 'bull', connectTimeout = DEFAULT_CONNECT_TIMEOUT } = options;
  if (typeof queue !== 'string' || queue === '' || queue.includes(':')) throw invalidOption('options.queue must be a non-empty queue name without ":"');
  if (typeof prefix !== 'string' || prefix === '') throw invalidOption('options.prefix must be a non-empty string');
  if (!isPositiveInteger(connectTimeout)) throw invalidOption('options.connectTimeout must be a positive integer number of milliseconds');
  return { queue, connection: checkConnection(options.connection), prefix, connectTimeout };
}

function resolveKeep(given: unknown, name: string, fallback: { age: number; count: number }): { age: number; count: number } {
  if (given === undefined) return fallback;
  if (typeof given !== 'object' || given === null) throw invalidOption(`options.${name} must be an object such as { age: 3600, count: 100 }`);
  const { age = fallback.age, count = fallback.count } = given as { age?: unknown; count?: unknown };
  if (!isNonNegativeInteger(age)) throw invalidOption(`options.${name}.age must be a non-negative integer number of seconds`);
  if (!isNonNegativeInteger(count)) throw invalidOption(`options.${name}.count must be a non-negative integer`);
  return { age, count };
}

/** Resolved submit options on the queue. */
export interface ResolvedQueueSubmit {
  readonly signal: AbortSignal | undefined;
  readonly timeout: number;
  readonly onProgress: ((value: unknown) => void) | undefined;
  readonly attempts: number;
  /** BullMQ's backoff, when retries wait. */
  readonly backoff: { type: 'fixed' | 'exponential' | 'celerity'; delay: number } | undefined;
  readonly delay: number;
  readonly priority: number | undefined;
  readonly jobId: string | undefined;
}

/** Checks the queue app's submit options against the app's default `timeout`. */
export function resolveQueueSubmitOptions(given: QueueSubmitOptions | undefined, appTimeout: number): ResolvedQueueSubmit {
  const raw: unknown = given;
  if (raw !== undefined && (typeof raw !== 'object' || raw === null)) throw invalidOption('submit options must be an object');
  const options = (raw ?? {}) as Record<string, unknown>;
  if (options.transfer !== undefined) throw invalidOption('options.transfer has no meaning on a queue: a job\'s data is copied through Redis; leave it out');
  const retry = options.retry as Record<string, unknown> | undefined;
  if (typeof retry === 'object' && typeof retry.when === 'function') {
    throw invalidOption('options.retry.when cannot reach the worker processes of a queue (a function does not cross processes); throw an UnrecoverableError from the task for errors that must not be retried instead');
  }
  const shared = resolveSubmitOptions(given, appTimeout);
  const { jobId } = options;
  const delay = shared.delay;
  if (!Number.isInteger(delay)) throw invalidOption('options.delay must be a whole number of milliseconds on a queue (BullMQ\'s delay)');
  const attempts = shared.retry?.attempts ?? 1;
  let backoff: ResolvedQueueSubmit['backoff'];
  if (shared.retry !== undefined && attempts > 1) {
    const wait = shared.retry.delay ?? 0;
    const factor = shared.retry.backoff;
    if (!Number.isInteger(wait)) throw invalidOption('options.retry.delay must be a whole number of milliseconds on a queue');
    // BullMQ's exponential backoff is delay × 2^(attempt - 1); other factors go by celerity's own strategy.
    backoff = factor === undefined || factor === 'fixed' || factor === 1 ? { type: 'fixed', delay: wait } : factor === 'exponential' || factor === 2 ? { type: 'exponential', delay: wait } : { type: 'celerity', delay: wait };
  }
  return {
    signal: shared.signal,
    timeout: shared.timeout,
    onProgress: shared.onProgress,
    attempts,
    backoff,
    delay,
    priority: shared.priority === 0 ? undefined : shared.priority,
    jobId: jobId === undefined ? undefined : checkJobId(jobId),
  };
}

/** Options of `createQueueWorker`: the queue's, and every option of `createApp` for its thread pool. */
export interface QueueWorkerOptions extends AppOptions {
  /** The BullMQ queue's name. */
  queue: string;
  /** Where Redis is: a `redis://` URL, ioredis options, or an ioredis connection (duplicated, never closed). */
  connection: Connection;
  /** BullMQ's key prefix. Default `'bull'`. */
  prefix?: string;
  /** How long the first connection to Redis may take before `ready` rejects with `ERR_BROKER_UNAVAILABLE`, ms. Default 5000. */
  connectTimeout?: number;
  /** Jobs this process runs at once. Default: twice the thread count, so that threads never wait for Redis. */
  concurrency?: number;
  /**
   * How long a job's lock lasts without renewal, ms (BullMQ's `lockDuration`, default 30000). The
   * lock is renewed every half of it; a worker killed mid-job leaves its job to be taken up again
   * once the lock has lapsed and a stall check has run.
   */
  lockDuration?: number;
  /** How often this worker checks for stalled jobs, ms (BullMQ's `stalledInterval`, default 30000). */
  stalledInterval?: number;
  /** How many times a job may stall before it fails (BullMQ's `maxStalledCount`, default 1). */
  maxStalledCount?: number;
  /** Called as each job ends: for logs. */
  onJob?: (report: JobReport) => void;
}

/** How a job ended on this worker, for `onJob`. */
export interface JobReport {
  readonly id: string;
  readonly task: string;
  /** `requeued`: it was still running when the worker closed, and went back to the queue. */
  readonly outcome: 'completed' | 'failed' | 'cancelled' | 'requeued';
  /** Time on this worker, ms. */
  readonly ms: number;
  /** The error, when it failed. */
  readonly error?: unknown;
}

/** Resolved `createQueueWorker` options. */
export interface ResolvedQueueWorkerOptions {
  readonly queue: string;
  readonly connection: Connection;
  readonly prefix: string;
  readonly connectTimeout: number;
  /** The options of the worker's own thread pool. */
  readonly app: AppOptions;
  readonly concurrency: number | undefined;
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
  readonly onJob: ((report: JobReport) => void) | undefined;
}

const WORKER_KEYS = new Set(['queue', 'connection', 'prefix', 'connectTimeout', 'concurrency', 'lockDuration', 'stalledInterval', 'maxStalledCount', 'onJob']);

/** Checks `createQueueWorker` options; the pool's own are checked by `createApp`. */
export function resolveQueueWorkerOptions(given: unknown): ResolvedQueueWorkerOptions {
  if (typeof given !== 'object' || given === null) throw invalidOption('createQueueWorker needs an options object such as { queue, connection, tasks }');
  const options = given as Record<string, unknown>;
  const app: Record<string, unknown> = {};
  for (const key of Object.keys(options)) if (!WORKER_KEYS.has(key)) app[key] = options[key];
  const { concurrency, lockDuration = 30_000, stalledInterval = 30_000, maxStalledCount = 1, onJob } = options;
  if (concurrency !== undefined && !isPositiveInteger(concurrency)) throw invalidOption('options.concurrency must be a positive integer');
  if (!(isPositiveInteger(lockDuration) && lockDuration >= 100)) throw invalidOption('options.lockDuration must be an integer number of milliseconds, at least 100');
  if (!(isPositiveInteger(stalledInterval) && stalledInterval >= 100)) throw invalidOption('options.stalledInterval must be an integer number of milliseconds, at least 100');
  if (!isNonNegativeInteger(maxStalledCount)) throw invalidOption('options.maxStalledCount must be a non-negative integer');
  if (onJob !== undefined && typeof onJob !== 'function') throw invalidOption('options.onJob must be a function');
  return {
    ...resolveQueueBase(options),
    app: app as unknown as AppOptions,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    onJob: onJob as ((report: JobReport) => void) | undefined,
  };
}
