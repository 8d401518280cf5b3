/**
 * Every message the main thread and its worker threads exchange, in one place.
 *
 * Four channels carry them:
 * - the worker's `workerData` carries the {@link BootData} once, when a thread starts;
 * - Piscina's task port carries a {@link TaskMessage} to a thread and its {@link ResultMessage}
 *   back (Piscina owns that round trip and its ordering);
 * - the worker's `parentPort` carries {@link WorkerEvent}s (start, progress) to the main thread,
 *   where Piscina re-emits them as its `'message'` event;
 * - one `BroadcastChannel` per app carries {@link ControlMessage}s (cancel) to the threads, each
 *   naming the thread it is meant for. Cancels are rare, so sharing one channel keeps plain runs
 *   free of any per-run channel.
 *
 * The per-task messages are tuples: structured clone copies a short array of primitives markedly
 * faster than an object with named keys, and every task pays that cost twice.
 * @module
 */
import type { Wire } from '../codec/wire.js';

/** The version of this protocol; a worker refuses boot data of another version. */
export const PROTOCOL_VERSION = 3;

/** The key under which {@link BootData} sits in `workerData`. */
export const BOOT_KEY = 'celerity';

/** Set in {@link TaskMessage} flags when the worker must report the moment the task starts. */
export const FLAG_START = 1;
/** Set when the caller listens for progress: without it `this.progress()` sends nothing. */
export const FLAG_PROGRESS = 2;
/** Set when the arguments hold a chunk of map inputs, one task call per input. */
export const FLAG_CHUNK = 4;
/** Set when the run was cancelled while queued: the worker answers at once without running it. */
export const FLAG_SKIP = 8;
/** Set when the arguments are a {@link Wire} to decode; otherwise they are plain primitives. */
export const FLAG_WIRE = 16;
/**
 * Set when the answer is to travel as an {@link AnswerEvent} on `parentPort` rather than through
 * Piscina: Node delivers what a thread posted there before it reports the thread's exit, so the
 * answer survives whatever the thread's next task does to it (see `Core.balance`).
 */
export const FLAG_ANSWER_EVENT = 32;
/**
 * Set when the task was handed to a thread while it runs another: it starts once the answer of
 * that one has left.
 */
export const FLAG_BEHIND = 64;
/** Set when the app asks for the names of the tasks module's tasks: the worker answers with them and runs nothing. */
export const FLAG_LIST_TASKS = 128;
/**
 * Set on a batch: several task messages handed to one thread as one pool task, while short tasks
 * queue (see `app/batches.ts`). Its arguments are the member {@link TaskMessage}s, at most
 * {@link BATCH_MAX}; each member answers as an {@link AnswerEvent}, and the pool is answered
 * `null` once every member has.
 */
export const FLAG_BATCH = 256;

/** The most task messages one batch carries. */
export const BATCH_MAX = 32;

/** What each thread learns at start-up. */
export interface BootData {
  /** {@link PROTOCOL_VERSION} of the main thread. */
  readonly v: number;
  /** URL (href) of the tasks module. */
  readonly tasks: string;
  /** Module URLs the thread may import to find a class (the allowlist). */
  readonly allow: readonly string[];
  /** The app's entry module, which the thread must never import (it would start the app again). */
  readonly entry: string | undefined;
  /** Name of the app's control `BroadcastChannel`. */
  readonly channel: string;
  /** Whether unregistered instances in results are an error (`strict`). */
  readonly strict: boolean;
  /** Replace the thread after this many tasks (0: never). */
  readonly afterTasks: number;
  /** Replace the thread once its heap passes this many MB (0: never). */
  readonly maxHeapMb: number;
  /** The retirement slots (see `retire-slots.ts`); absent without `recycle`. */
  readonly retire: SharedArrayBuffer | undefined;
  /** One start cell per task a thread may hold (see `start-cells.ts` and {@link TASK_SLOT}). */
  readonly starts: SharedArrayBuffer;
}

/** Index of the run number (unique within the app; also the task's `id`) in a {@link TaskMessage}. */
export const TASK_RUN = 0;
/** Index of the attempt number (1-based). */
export const TASK_ATTEMPT = 1;
/** Index of the task name. */
export const TASK_NAME = 2;
/** Index of the arguments: a {@link Wire} with {@link FLAG_WIRE}, else the plain argument list; `null` once skipped. */
export const TASK_ARGS = 3;
/** Index of the flags. */
export const TASK_FLAGS = 4;
/** Index of the task's lease on a cell of {@link BootData.starts} (the cell is the lease modulo their number), or -1 when it has none. */
export const TASK_SLOT = 5;

/**
 * Index of the task's label, when the run stands for something outside the app (a queue's job):
 * the id and attempt number the task sees as `this.id` and `this.attempt`.
 */
export const TASK_LABEL = 6;

/** A run's label (see {@link TASK_LABEL}). */
export type RunLabel = readonly [id: string, attempt: number];

/**
 * Main → worker: run one task (or one chunk of map inputs); with {@link FLAG_BATCH}, run each
 * task message of its arguments in turn.
 */
export type TaskMessage = [run: number, attempt: number, name: string, args: Wire | readonly unknown[] | null, flags: number, slot: number, label?: RunLabel];

/** The outcome kinds of a {@link ResultMessage}. */
export const RESULT_OK = 0;
/** The task threw; the value is the encoded error. */
export const RESULT_THREW = 1;
/**
 * The worker itself failed around the task (unknown task, argument decode, result encode, tasks
 * module load); the failure slot describes a `CelerityError` to rebuild on the main side.
 */
export const RESULT_FAILED = 2;
/** The run was skipped ({@link FLAG_SKIP}); nothing ran. */
export const RESULT_SKIPPED = 3;
/** Added to the kind when the value is a {@link Wire} (otherwise it is a plain primitive). */
export const RESULT_WIRE = 16;

/** Index of the kind (plus {@link RESULT_WIRE}) in a {@link ResultMessage}. */
export const RESULT_KIND = 0;
/** Index of the value: the result, the list of chunk results, or the thrown error. */
export const RESULT_VALUE = 1;
/** Index of the start time, `performance.timeOrigin + performance.now()` in the worker. */
export const RESULT_STARTED = 2;
/** Index of how long the task ran, ms. */
export const RESULT_DURATION = 3;
/** Index of the time the worker spent decoding arguments and encoding the answer, ms. */
export const RESULT_CODEC = 4;
/** Index of how many progress events the worker posted for this attempt (so none is lost or late). */
export const RESULT_PROGRESS = 5;
/** Index of the `threadId` of a thread that asks to be replaced now that it answered (0: it stays). */
export const RESULT_RETIRE = 6;
/** Index of the {@link FailureRecord}, with {@link RESULT_FAILED}. */
export const RESULT_FAILURE = 7;
/** Index of, for a chunk that threw, the index within the chunk of the input whose task threw. */
export const RESULT_INDEX = 8;

/** Worker → main, through Piscina: the outcome of one {@link TaskMessage}. */
export type ResultMessage = [
  kind: number,
  value: unknown,
  started: number,
  duration: number,
  codec: number,
  progress: number,
  retire: number,
  failure?: FailureRecord,
  index?: number,
];

/** A `CelerityError` taken apart to cross the thread boundary without the codec. */
export interface FailureRecord {
  code: string;
  message: string;
  path: string | undefined;
  classId: string | undefined;
  stack: string | undefined;
}

/** Marks a `parentPort` message as ours among whatever else a task may post there. */
export const EVENT_MARK = '\u0000celerity';
/** Worker event kind: the task started. */
export const EVENT_START = 1;
/** Worker event kind: a progress value. */
export const EVENT_PROGRESS = 2;
/** Worker event kind: the worker module has been loaded (see `Core.whenLoaded`). */
export const EVENT_LOADED = 3;
/** Worker event kind: the answer of a task posted with {@link FLAG_ANSWER_EVENT}. */
export const EVENT_ANSWER = 4;

/** Worker → main, through `parentPort`: the task started. */
export type StartEvent = readonly [mark: typeof EVENT_MARK, kind: typeof EVENT_START, run: number, attempt: number];

/** Worker → main, through `parentPort`: one progress value (a {@link Wire} when `wire` is 1). */
export type ProgressEvent = readonly [mark: typeof EVENT_MARK, kind: typeof EVENT_PROGRESS, run: number, attempt: number, value: unknown, wire: 0 | 1];

/** Worker → main, through `parentPort`: the thread's worker module is loaded and running. */
export type LoadedEvent = readonly [mark: typeof EVENT_MARK, kind: typeof EVENT_LOADED, thread: number];

/** Worker → main, through `parentPort`: the answer of a task posted with {@link FLAG_ANSWER_EVENT}. */
export type AnswerEvent = readonly [mark: typeof EVENT_MARK, kind: typeof EVENT_ANSWER, run: number, attempt: number, answer: ResultMessage];

/** The events of one run. */
export type RunEvent = StartEvent | ProgressEvent;

/** Every event a worker posts to `parentPort`. */
export type WorkerEvent = RunEvent | LoadedEvent | AnswerEvent;

/** Main → workers, on the control channel: stop one task. */
export interface ControlMessage {
  /** The `threadId` the task was given to; other threads ignore the message. */
  readonly t: number;
  /** Run number. */
  readonly i: number;
  /** Attempt number. */
  readonly n: number;
  /** Why: the task's `signal.reason` is an `AbortError` or a `TimeoutError` accordingly. */
  readonly r: 'cancel' | 'timeout';
}

/** Whether a `parentPort` message is one of ours. */
export function isWorkerEvent(message: unknown): message is WorkerEvent {
  return Array.isArray(message) && message[0] === EVENT_MARK;
}

/** Whether a value crosses as it is: a primitive, which no codec step changes. */
export function isPlainPrimitive(value: unknown): boolean {
  const type = typeof value;
  return value === null || (type !== 'object' && type !== 'function' && type !== 'symbol');
}

/** Whether every item of an argument list is a {@link isPlainPrimitive plain primitive}. */
export function arePlainPrimitives(values: readonly unknown[]): boolean {
  for (const value of values) if (!isPlainPrimitive(value)) return false;
  return true;
}
