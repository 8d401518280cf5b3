/**
 * Answering: a task's outcome (its value, what it threw, or a failure around it) becomes a
 * {@link ResultMessage}, encoded, with the thread's retirement and the buffers to transfer; it
 * goes back to Piscina, or as an event when the app asked for one.
 * @module
 */
import { parentPort, threadId } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { encode, type Wire } from '../codec/index.js';
import { RemoteError } from '../errors.js';
import {
  EVENT_ANSWER,
  EVENT_MARK,
  FLAG_ANSWER_EVENT,
  RESULT_FAILED,
  RESULT_FAILURE,
  RESULT_INDEX,
  RESULT_KIND,
  RESULT_OK,
  RESULT_RETIRE,
  RESULT_THREW,
  RESULT_WIRE,
  arePlainPrimitives,
  isPlainPrimitive,
  type AnswerEvent,
  type BootData,
  type FailureRecord,
  type ResultMessage,
} from '../protocol/messages.js';
import { markRetiring } from '../protocol/retire-slots.js';
import { markFinished } from '../protocol/start-cells.js';
import { thread } from './boot.js';
import type { Context } from './context.js';
import { failure } from './failure.js';

/** What the worker hands Piscina for one task: the answer, a promise of it, or `null` when it went as an event. */
export type Outcome = ResultMessage | Promise<unknown> | null;

/** This thread's time origin, read once: `performance.timeOrigin` is a getter that costs a little each time. */
const ORIGIN = performance.timeOrigin;

let move: ((value: object) => unknown) | undefined;

/** The clock the answers' timings use (ms since the time origin). */
export function now(): number {
  return performance.now();
}

/** A result message of `kind` carrying `value`. */
export function answer(kind: number, value: unknown, started: number, ended: number, codec: number, sent: number): ResultMessage {
  return [kind, value, ORIGIN + started, ended - started, codec, sent, 0];
}

/** A result message for a failure around the task (see `failure.ts`). */
export function failed(record: FailureRecord, started: number, ended: number, codec: number, sent: number): ResultMessage {
  return [RESULT_FAILED, null, ORIGIN + started, ended - started, codec, sent, 0, record];
}

/** Answers with the task's value, encoded unless it is plain primitives. */
export function finish(ctx: Context, value: unknown, started: number, codecTime: number): Outcome {
  const ended = now();
  ctx.done = true;
  // Primitives (and lists of them, such as most map chunk results) need no codec at all.
  if (isPlainPrimitive(value) || (Array.isArray(value) && arePlainPrimitives(value))) return settle(answer(RESULT_OK, value, started, ended, codecTime, ctx.sent), ctx);
  let wire: Wire;
  try {
    wire = encode(value, { strict: thread.strict, path: 'result' });
  } catch (error) {
    return settle(failed(failure(error, 'ERR_UNCLONEABLE'), started, ended, codecTime + (now() - ended), ctx.sent), ctx);
  }
  return settle(answer(RESULT_OK | RESULT_WIRE, wire, started, ended, codecTime + (now() - ended), ctx.sent), ctx);
}

/** Answers with what the task threw (for a map chunk, at input `index`). */
export function threw(ctx: Context, error: unknown, index: number, started: number, codecTime: number): Outcome {
  const ended = now();
  ctx.done = true;
  const wire = encodeThrown(error);
  const result = answer(RESULT_THREW | RESULT_WIRE, wire, started, ended, codecTime + (now() - ended), ctx.sent);
  result[RESULT_FAILURE] = undefined;
  result[RESULT_INDEX] = index;
  return settle(result, ctx);
}

/** Encodes what a task threw; an error that will not encode travels as a plain RemoteError. */
function encodeThrown(thrown: unknown): Wire {
  try {
    return encode(thrown, { strict: thread.strict, path: 'error' });
  } catch {
    const error = thrown instanceof Error ? thrown : undefined;
    const fallback = new RemoteError(error?.name ?? 'Error', error?.message ?? String(thrown));
    if (error?.stack !== undefined) fallback.stack = error.stack;
    return encode(fallback, { path: 'error' });
  }
}

/** Last step of every answer: recycling, and moving the buffers the task asked to transfer. */
export function settle(result: ResultMessage, ctx: Context | undefined): Outcome {
  if (thread.current === ctx) thread.current = undefined;
  thread.handled++;
  const boot = thread.boot;
  if (!thread.retiring && boot !== undefined && shouldRetire(boot)) {
    thread.retiring = true;
    // Tells the main thread's load balancer, before the answer leaves, to give this thread no more work.
    if (thread.retireSlots !== undefined) markRetiring(thread.retireSlots, threadId);
    result[RESULT_RETIRE] = threadId;
  }
  const ok = (result[RESULT_KIND] & ~RESULT_WIRE) === RESULT_OK;
  const buffers = ok ? ctx?.buffers : undefined;
  if (ctx !== undefined && (ctx.flags & FLAG_ANSWER_EVENT) !== 0) {
    // The cell is marked first: the app may give it to another task as soon as the answer is in,
    // and this thread must not touch it after that.
    if (thread.starts !== undefined) markFinished(thread.starts, ctx.lease);
    // Posted now, and delivered even if this thread dies next; Piscina is answered `null`.
    const event: AnswerEvent = [EVENT_MARK, EVENT_ANSWER, ctx.i, ctx.n, result];
    parentPort?.postMessage(event, buffers);
    thread.answeredByEvent = true;
    return null;
  }
  thread.answeredByEvent = false;
  return buffers === undefined ? result : movable(result, buffers);
}

function shouldRetire(data: BootData): boolean {
  if (data.afterTasks > 0 && thread.handled >= data.afterTasks) return true;
  return data.maxHeapMb > 0 && getHeapStatistics().used_heap_size > data.maxHeapMb * 1024 * 1024;
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
