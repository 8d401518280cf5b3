/**
 * The worker entry (`celerity/worker`): Piscina loads this file in every thread of an app and
 * calls its default export once per task. It loads the app's tasks module, decodes the
 * arguments, runs the task with its {@link TaskContext}, reports start and progress, encodes the
 * answer, and asks to be replaced when `recycle` says so.
 *
 * It imports no pool or app code, only the registry-backed codec, the errors, the protocol and
 * the task types, so bundlers can build it on its own.
 * @module
 */
import { BroadcastChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { decodeWithImports, type Allowlist } from '../protocol/class-loader.js';
import { encode, type Wire } from '../codec/index.js';
import { CelerityError, RemoteError } from '../errors.js';
import {
  BOOT_KEY,
  EVENT_ANSWER,
  EVENT_LOADED,
  EVENT_MARK,
  EVENT_PROGRESS,
  EVENT_START,
  FLAG_ANSWER_EVENT,
  FLAG_BEHIND,
  FLAG_CHUNK,
  FLAG_PROGRESS,
  FLAG_SKIP,
  FLAG_START,
  FLAG_WIRE,
  PROTOCOL_VERSION,
  RESULT_FAILED,
  RESULT_FAILURE,
  RESULT_INDEX,
  RESULT_KIND,
  RESULT_OK,
  RESULT_RETIRE,
  RESULT_SKIPPED,
  RESULT_THREW,
  RESULT_WIRE,
  TASK_ARGS,
  TASK_ATTEMPT,
  TASK_FLAGS,
  TASK_MODULES,
  TASK_SLOT,
  SLOT_CANCELLED,
  SLOT_FINISHED,
  SLOT_PENDING,
  SLOT_STARTED,
  SLOT_WITHDRAWN,
  TASK_NAME,
  TASK_RUN,
  arePlainPrimitives,
  isPlainPrimitive,
  type BootData,
  type ControlMessage,
  type FailureRecord,
  type ProgressEvent,
  type ResultMessage,
  type AnswerEvent,
  type LoadedEvent,
  type StartEvent,
  type TaskMessage,
} from '../protocol/messages.js';
import type { TaskContext } from '../protocol/tasks.js';
import { importModule } from '../protocol/ts-support.js';
import { isThenable } from '../protocol/thenable.js';

type TaskFunction = (this: TaskContext, ...args: unknown[]) => unknown;

/** Cancels that arrived before their task: kept briefly, and only a bounded number of them. */
const MAX_EARLY_CANCELS = 256;

let loadFailure: FailureRecord | undefined;
const boot = readBoot(workerData);
const allow: Allowlist = new Set(boot?.allow ?? []);
const strict = boot?.strict ?? true;
const retireSlots = boot?.retire === undefined ? undefined : new Int32Array(boot.retire);
const starts = boot === undefined ? undefined : new Int32Array(boot.starts);
/** Set while a task runs (or waits to start); tasks handed over meanwhile wait in {@link waiting}. */
let busy = false;
const waiting: (() => void)[] = [];
/** Whether the last answer went as an event (already posted) rather than back to Piscina. */
let answeredByEvent = false;
let table: Readonly<Record<string, unknown>> | undefined;
let loading: Promise<void> | undefined;
let current: Context | undefined;
let handled = 0;
let retiring = false;
const earlyCancels = new Map<number, ControlMessage>();
let move: ((value: object) => unknown) | undefined;

if (boot !== undefined) {
  // Start loading the tasks module as soon as the thread boots, so the first task does not wait.
  loading = loadTasks(boot.tasks);
  const channel = new BroadcastChannel(boot.channel);
  channel.unref();
  channel.onmessage = (event) => {
    onControl((event as { data: ControlMessage }).data);
  };
}
if (boot !== undefined || loadFailure !== undefined) {
  // The app terminates a thread only after this: see `Core.whenLoaded`. Posted from a microtask:
  // it runs once the `require()` that is loading this module has returned, and before Piscina can
  // block the thread waiting for its first task (a macrotask would wait for that task).
  const loaded: LoadedEvent = [EVENT_MARK, EVENT_LOADED, threadId];
  queueMicrotask(() => {
    parentPort?.postMessage(loaded);
  });
}

function readBoot(data: unknown): BootData | undefined {
  const found = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)[BOOT_KEY] : undefined;
  if (found === undefined) return undefined;
  const candidate = found as BootData;
  if (candidate.v !== PROTOCOL_VERSION) {
    // Failing every task (rather than the thread's start-up) lets each run report the mismatch.
    loadFailure = failure(
      new Error(`the app speaks protocol version ${String(candidate.v)} but this worker entry speaks ${PROTOCOL_VERSION}; use one celerity version for the app and its worker`),
      'ERR_WORKER_INIT',
    );
    return undefined;
  }
  return candidate;
}

async function loadTasks(url: string): Promise<void> {
  try {
    const namespace = (await importModule(url)) as Record<string, unknown>;
    const exported = namespace.default;
    table = typeof exported === 'object' && exported !== null ? (exported as Record<string, unknown>) : namespace;
  } catch (error) {
    loadFailure = failure(error, 'ERR_WORKER_INIT', `could not load the tasks module ${url}`);
  }
}

function onControl(message: ControlMessage): void {
  if (message.t !== threadId) return;
  if (current !== undefined && current.i === message.i && current.n === message.n) {
    current.abort(message.r);
    return;
  }
  // The task has not arrived yet (the control channel and the task port are not ordered), or it
  // has already finished; either way remember the cancel for a while.
  if (earlyCancels.size >= MAX_EARLY_CANCELS) {
    const oldest = earlyCancels.keys().next();
    if (oldest.done !== true) earlyCancels.delete(oldest.value);
  }
  earlyCancels.set(message.i, message);
}

/** The `this` of a task. */
class Context implements TaskContext {
  readonly i: number;
  readonly n: number;
  readonly flags: number;
  /** Progress events posted. */
  sent = 0;
  /** Set once the answer is built: later progress is dropped. */
  done = false;
  buffers: ArrayBuffer[] | undefined;
  private controller: AbortController | undefined;
  private reason: DOMException | undefined;

  constructor(message: TaskMessage) {
    this.i = message[TASK_RUN];
    this.n = message[TASK_ATTEMPT];
    this.flags = message[TASK_FLAGS];
  }

  get id(): string {
    return String(this.i);
  }

  get attempt(): number {
    return this.n;
  }

  get aborted(): boolean {
    return this.reason !== undefined;
  }

  // The controller is made on first use: most tasks never look at their signal.
  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.reason !== undefined) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(kind: 'cancel' | 'timeout'): void {
    if (this.reason !== undefined) return;
    this.reason = kind === 'timeout' ? new DOMException('The task timed out', 'TimeoutError') : new DOMException('The task was cancelled', 'AbortError');
    this.controller?.abort(this.reason);
  }

  progress(value: unknown): void {
    if ((this.flags & FLAG_PROGRESS) === 0 || this.done) return;
    const plain = isPlainPrimitive(value);
    const event: ProgressEvent = [EVENT_MARK, EVENT_PROGRESS, this.i, this.n, plain ? value : encode(value, { strict, path: 'progress' }), plain ? 0 : 1];
    parentPort?.postMessage(event);
    this.sent++;
  }

  transfer(...buffers: ArrayBuffer[]): void {
    (this.buffers ??= []).push(...buffers);
  }
}

function now(): number {
  return performance.now();
}

/** Takes any thrown value apart into a record the main thread rebuilds as a `CelerityError`. */
function failure(error: unknown, fallbackCode: string, context?: string): FailureRecord {
  const known = error instanceof CelerityError;
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: known ? error.code : fallbackCode,
    message: context === undefined ? message : `${context}: ${message}`,
    path: known ? error.path : undefined,
    classId: known ? error.classId : undefined,
    stack: error instanceof Error ? error.stack : undefined,
  };
}

/** This thread's time origin, read once: `performance.timeOrigin` is a getter that costs a little each time. */
const ORIGIN = performance.timeOrigin;

function answer(kind: number, value: unknown, started: number, ended: number, codec: number, sent: number): ResultMessage {
  return [kind, value, ORIGIN + started, ended - started, codec, sent, 0];
}

function failed(record: FailureRecord, started: number, ended: number, codec: number, sent: number): ResultMessage {
  return [RESULT_FAILED, null, ORIGIN + started, ended - started, codec, sent, 0, record];
}

/** Encodes what a task threw; an error that will not encode travels as a plain RemoteError. */
function encodeThrown(thrown: unknown): Wire {
  try {
    return encode(thrown, { strict, path: 'error' });
  } catch {
    const error = thrown instanceof Error ? thrown : undefined;
    const fallback = new RemoteError(error?.name ?? 'Error', error?.message ?? String(thrown));
    if (error?.stack !== undefined) fallback.stack = error.stack;
    return encode(fallback, { path: 'error' });
  }
}


/**
 * Runs one task message. Piscina calls this and posts what it returns (or resolves to). Sync
 * tasks are answered synchronously, without a promise in between.
 *
 * A thread may be handed its next task while it runs one (see `Core.balance`). Tasks still run
 * one at a time, so a task's signal, progress and its thread's fate concern that task alone; and
 * the next one starts only once the answer before it has left the thread.
 */
export default function handle(message: TaskMessage): ResultMessage | Promise<unknown> | null {
  if (!busy && (message[TASK_FLAGS] & FLAG_BEHIND) === 0) return runOne(message);
  return new Promise<unknown>((resolve, reject) => {
    waiting.push(() => {
      try {
        resolve(runOne(message));
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    if (!busy) {
      busy = true;
      afterAnswerLeft(runNext);
    }
  });
}

function runOne(message: TaskMessage): ResultMessage | Promise<unknown> | null {
  const cell = message[TASK_SLOT];
  const out = begin(message, cell);
  if (!isThenable(out)) {
    finished(cell);
    return out;
  }
  busy = true;
  return Promise.resolve(out)
    .then((answer) => {
      finished(cell);
      return answer;
    })
    .finally(() => {
      afterAnswerLeft(runNext);
    });
}

/** Marks a started task's cell answered (a skipped task's cell keeps what the main thread wrote). */
function finished(cell: number): void {
  if (cell >= 0 && starts !== undefined) Atomics.compareExchange(starts, cell, SLOT_STARTED, SLOT_FINISHED);
}

/** Starts the first waiting task; the one after it waits for that one's answer to leave. */
function runNext(): void {
  busy = false;
  const next = waiting.shift();
  if (next === undefined) return;
  next();
  // `next()` may have set `busy` (an async task).
  if (!(busy as boolean) && waiting.length > 0) {
    busy = true;
    afterAnswerLeft(runNext);
  }
}

/**
 * Calls `next` once the last answer has left the thread, so that nothing the next task does
 * (a tight loop, `process.exit`, a crash, being stopped) can hold it back or lose it. An answer
 * sent as an event left when it was posted. One returned to Piscina leaves a few microtasks
 * later, or once stdout and stderr have written what they hold: so on the next turn of the event
 * loop, after those streams have flushed.
 */
function afterAnswerLeft(next: () => void): void {
  if (answeredByEvent) {
    queueMicrotask(next);
    return;
  }
  setImmediate(() => {
    const pending = [process.stdout, process.stderr].filter((stream) => stream.writableLength > 0);
    if (pending.length === 0) {
      next();
      return;
    }
    let left = pending.length;
    for (const stream of pending) {
      stream.write('', () => {
        if (--left === 0) setImmediate(next);
      });
    }
  });
}

/**
 * Claims the task's start cell, so the main thread knows it started. A task the main thread
 * cancelled or withdrew before that is answered as skipped without running, and so is one that
 * reaches a retiring thread (withdrawn here, so that the main thread posts it again elsewhere).
 */
function begin(message: TaskMessage, cell: number): ResultMessage | Promise<unknown> | null {
  if (cell >= 0 && starts !== undefined) {
    const claimed = Atomics.compareExchange(starts, cell, SLOT_PENDING, retiring ? SLOT_WITHDRAWN : SLOT_STARTED);
    if (retiring || claimed === SLOT_CANCELLED || claimed === SLOT_WITHDRAWN) {
      answeredByEvent = false;
      const t = now();
      return answer(RESULT_SKIPPED, null, t, t, 0, 0);
    }
  }
  return handleNow(message);
}

function handleNow(message: TaskMessage): ResultMessage | Promise<unknown> | null {
  if (table === undefined) {
    if (loadFailure === undefined && loading !== undefined) return loading.then(() => handleNow(message));
    const t = now();
    return settle(failed(loadFailure ?? failure(new Error('this thread was not started by a celerity app'), 'ERR_WORKER_INIT'), t, t, 0, 0), undefined);
  }
  const flags = message[TASK_FLAGS];
  if ((flags & FLAG_SKIP) !== 0) {
    const t = now();
    return settle(answer(RESULT_SKIPPED, null, t, t, 0, 0), undefined);
  }
  const name = message[TASK_NAME];
  const fn = table[name];
  if (typeof fn !== 'function' || !Object.hasOwn(table, name)) {
    const t = now();
    const record = failure(new CelerityError('ERR_UNKNOWN_TASK', `unknown task "${name}": the tasks module exports no such function`), 'ERR_UNKNOWN_TASK');
    return settle(failed(record, t, t, 0, 0), undefined);
  }
  const args = message[TASK_ARGS];
  if ((flags & FLAG_WIRE) === 0) return start(message, fn as TaskFunction, args as unknown[], 0);
  const codecStart = now();
  let decoded: unknown;
  try {
    decoded = decodeWithImports(args as Wire, (flags & FLAG_CHUNK) === 0 ? 'args' : 'inputs', allow, message[TASK_MODULES], boot?.entry);
  } catch (error) {
    return decodeFailed(error, codecStart);
  }
  if (isThenable(decoded)) {
    return Promise.resolve(decoded).then(
      (list) => start(message, fn as TaskFunction, list as unknown[], now() - codecStart),
      (error: unknown) => decodeFailed(error, codecStart),
    );
  }
  return start(message, fn as TaskFunction, decoded as unknown[], now() - codecStart);
}

function decodeFailed(error: unknown, codecStart: number): ResultMessage | Promise<unknown> | null {
  const t = now();
  return settle(failed(failure(error, 'ERR_BAD_WIRE'), codecStart, t, t - codecStart, 0), undefined);
}

function start(message: TaskMessage, fn: TaskFunction, args: unknown[], codecTime: number): ResultMessage | Promise<unknown> | null {
  const ctx = new Context(message);
  current = ctx;
  if (earlyCancels.size > 0) {
    const early = earlyCancels.get(ctx.i);
    if (early !== undefined) {
      earlyCancels.delete(ctx.i);
      if (early.n === ctx.n) ctx.abort(early.r);
    }
  }
  if ((ctx.flags & FLAG_START) !== 0) {
    const event: StartEvent = [EVENT_MARK, EVENT_START, ctx.i, ctx.n];
    parentPort?.postMessage(event);
  }
  const started = now();
  if ((ctx.flags & FLAG_CHUNK) !== 0) return runChunk(ctx, fn, args, started, codecTime);
  let out: unknown;
  try {
    out = fn.apply(ctx, args);
  } catch (error) {
    return threw(ctx, error, 0, started, codecTime);
  }
  if (isThenable(out)) {
    return Promise.resolve(out).then(
      (value) => finish(ctx, value, started, codecTime),
      (error: unknown) => threw(ctx, error, 0, started, codecTime),
    );
  }
  return finish(ctx, out, started, codecTime);
}

/** Runs the task once per input of a map chunk, in order, stopping at the first throw. */
async function runChunk(ctx: Context, fn: TaskFunction, inputs: unknown[], started: number, codecTime: number): Promise<unknown> {
  const results = new Array<unknown>(inputs.length);
  for (let index = 0; index < inputs.length; index++) {
    if (ctx.aborted) {
      ctx.done = true;
      return settle(answer(RESULT_SKIPPED, null, started, now(), codecTime, ctx.sent), ctx);
    }
    try {
      let out = fn.call(ctx, inputs[index]);
      if (isThenable(out)) out = await out;
      results[index] = out;
    } catch (error) {
      return threw(ctx, error, index, started, codecTime);
    }
  }
  return finish(ctx, results, started, codecTime);
}

function finish(ctx: Context, value: unknown, started: number, codecTime: number): ResultMessage | Promise<unknown> | null {
  const ended = now();
  ctx.done = true;
  // Primitives (and lists of them, such as most map chunk results) need no codec at all.
  if (isPlainPrimitive(value) || (Array.isArray(value) && arePlainPrimitives(value))) return settle(answer(RESULT_OK, value, started, ended, codecTime, ctx.sent), ctx);
  let wire: Wire;
  try {
    wire = encode(value, { strict, path: 'result' });
  } catch (error) {
    return settle(failed(failure(error, 'ERR_UNCLONEABLE'), started, ended, codecTime + (now() - ended), ctx.sent), ctx);
  }
  return settle(answer(RESULT_OK | RESULT_WIRE, wire, started, ended, codecTime + (now() - ended), ctx.sent), ctx);
}

function threw(ctx: Context, error: unknown, index: number, started: number, codecTime: number): ResultMessage | Promise<unknown> | null {
  const ended = now();
  ctx.done = true;
  const wire = encodeThrown(error);
  const result = answer(RESULT_THREW | RESULT_WIRE, wire, started, ended, codecTime + (now() - ended), ctx.sent);
  result[RESULT_FAILURE] = undefined;
  result[RESULT_INDEX] = index;
  return settle(result, ctx);
}

/** Last step of every answer: recycling, and moving the buffers the task asked to transfer. */
function settle(result: ResultMessage, ctx: Context | undefined): ResultMessage | Promise<unknown> | null {
  if (current === ctx) current = undefined;
  handled++;
  if (!retiring && boot !== undefined && shouldRetire(boot)) {
    retiring = true;
    markRetiring();
    result[RESULT_RETIRE] = threadId;
  }
  const ok = (result[RESULT_KIND] & ~RESULT_WIRE) === RESULT_OK;
  const buffers = ok ? ctx?.buffers : undefined;
  if (ctx !== undefined && (ctx.flags & FLAG_ANSWER_EVENT) !== 0) {
    // Posted now, and delivered even if this thread dies next; Piscina is answered `null`.
    const event: AnswerEvent = [EVENT_MARK, EVENT_ANSWER, ctx.i, ctx.n, result];
    parentPort?.postMessage(event, buffers);
    answeredByEvent = true;
    return null;
  }
  answeredByEvent = false;
  return buffers === undefined ? result : movable(result, buffers);
}

function shouldRetire(data: BootData): boolean {
  if (data.afterTasks > 0 && handled >= data.afterTasks) return true;
  return data.maxHeapMb > 0 && getHeapStatistics().used_heap_size > data.maxHeapMb * 1024 * 1024;
}

/** Tells the main thread's load balancer, before the answer leaves, to give this thread no more work. */
function markRetiring(): void {
  if (retireSlots === undefined) return;
  for (let slot = 1; slot < retireSlots.length; slot++) {
    if (Atomics.compareExchange(retireSlots, slot, 0, threadId) === 0) {
      Atomics.add(retireSlots, 0, 1);
      return;
    }
  }
}

/**
 * Piscina only moves (rather than copies) what a task returns when the value is marked with its
 * own `move()`, whose mark is private to Piscina; so that one helper is borrowed from it, and only
 * by the tasks that transfer something.
 */
async function movable(result: ResultMessage, buffers: ArrayBuffer[]): Promise<unknown> {
  move ??= (await import('piscina')).move as (value: object) => unknown;
  return move({ [Symbol.for('Piscina.transferable')]: buffers, [Symbol.for('Piscina.valueOf')]: result });
}
