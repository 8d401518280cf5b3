/**
 * A thread's start: what the app sent it in `workerData`, the tasks module (loaded as soon as the
 * thread starts, so the first task does not wait), the control channel through which the app
 * aborts a task's signal, and the state the other worker modules share.
 * @module
 */
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import type { Allowlist } from '../protocol/class-loader.js';
import { BOOT_KEY, EVENT_LOADED, EVENT_MARK, PROTOCOL_VERSION, type BootData, type ControlMessage, type FailureRecord, type LoadedEvent } from '../protocol/messages.js';
import { importModule } from '../protocol/ts-support.js';
import { failure } from './failure.js';

/** Cancels that arrived before their task: kept briefly, and only a bounded number of them. */
const MAX_EARLY_CANCELS = 256;

/** The task running now, as the control channel sees it. */
export interface Abortable {
  /** Run number. */
  readonly i: number;
  /** Attempt number. */
  readonly n: number;
  /** Aborts the task's signal. */
  abort(kind: 'cancel' | 'timeout'): void;
}

/** What this thread knows and does, shared by the worker modules. */
export interface ThreadState {
  /** What the app sent; `undefined` when not started by an app (or by an app of another version). */
  readonly boot: BootData | undefined;
  /** Modules this thread may import to decode arguments. */
  readonly allow: Allowlist;
  /** Whether unregistered instances in answers are an error. */
  readonly strict: boolean;
  /** The start cells (see `start-cells.ts`). */
  readonly starts: Int32Array | undefined;
  /** The retirement slots (see `retire-slots.ts`). */
  readonly retireSlots: Int32Array | undefined;
  /** The tasks module's table of task functions, once loaded. */
  table: Readonly<Record<string, unknown>> | undefined;
  /** The load of the tasks module, while under way. */
  loading: Promise<void> | undefined;
  /** Why this thread cannot run tasks, if it cannot. */
  loadFailure: FailureRecord | undefined;
  /** The task running now. */
  current: Abortable | undefined;
  /** Tasks answered so far. */
  handled: number;
  /** Set once this thread has asked to be replaced. */
  retiring: boolean;
  /** Whether the last answer went as an event (already posted) rather than back to Piscina. */
  answeredByEvent: boolean;
  /** Cancels that came before their task, by run number. */
  readonly earlyCancels: Map<number, ControlMessage>;
}

function readBoot(data: unknown): { boot?: BootData; failure?: FailureRecord } {
  const found = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[BOOT_KEY] : undefined;
  if (found === undefined) return {};
  const candidate = found as BootData;
  if (candidate.v !== PROTOCOL_VERSION) {
    // Failing every task (rather than the thread's start-up) lets each run report the mismatch.
    const message = `the app speaks protocol version ${String(candidate.v)} but this worker entry speaks ${PROTOCOL_VERSION}; use one celerity version for the app and its worker`;
    return { failure: failure(new Error(message), 'ERR_WORKER_INIT') };
  }
  return { boot: candidate };
}

const read = readBoot(workerData);
const boot = read.boot;

/** This thread's state. */
export const thread: ThreadState = {
  boot,
  allow: new Set(boot?.allow ?? []),
  strict: boot?.strict ?? true,
  starts: boot === undefined ? undefined : new Int32Array(boot.starts),
  retireSlots: boot?.retire === undefined ? undefined : new Int32Array(boot.retire),
  table: undefined,
  loading: undefined,
  loadFailure: read.failure,
  current: undefined,
  handled: 0,
  retiring: false,
  answeredByEvent: false,
  earlyCancels: new Map(),
};

async function loadTasks(url: string): Promise<void> {
  try {
    const namespace = (await importModule(url)) as Record<string, unknown>;
    const exported = namespace.default;
    thread.table = typeof exported === 'object' && exported !== null ? (exported as Record<string, unknown>) : namespace;
  } catch (error) {
    thread.loadFailure = failure(error, 'ERR_WORKER_INIT', `could not load the tasks module ${url}`);
  }
}

function onControl(message: ControlMessage): void {
  if (message.t !== threadId) return;
  const current = thread.current;
  if (current !== undefined && current.i === message.i && current.n === message.n) {
    current.abort(message.r);
    return;
  }
  // The task has not arrived yet (the control channel and the task port are not ordered), or it
  // has already finished; either way remember the cancel for a while.
  const early = thread.earlyCancels;
  if (early.size >= MAX_EARLY_CANCELS) {
    const oldest = early.keys().next();
    if (oldest.done !== true) early.delete(oldest.value);
  }
  early.set(message.i, message);
}

if (boot !== undefined) {
  thread.loading = loadTasks(boot.tasks);
  const channel = new BroadcastChannel(boot.channel);
  channel.unref();
  channel.onmessage = (event) => {
    onControl((event as { data: ControlMessage }).data);
  };
}
if (boot !== undefined || thread.loadFailure !== undefined) {
  // The app terminates a thread only after this: see `ThreadLifecycle.whenLoaded`. Posted from a
  // microtask: it runs once the `require()` that is loading this module has returned, and before
  // Piscina can block the thread waiting for its first task (a macrotask would wait for that task).
  const loaded: LoadedEvent = [EVENT_MARK, EVENT_LOADED, threadId];
  queueMicrotask(() => {
    parentPort?.postMessage(loaded);
  });
}
