/**
 * Running one task message: claim its start cell, find the task, decode the arguments (importing
 * the modules of their classes where allowed), call the task with its context (once per input for
 * a map chunk), and hand the outcome to `answer.ts`.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { decodeWithImports } from '../protocol/class-loader.js';
import type { Wire } from '../codec/index.js';
import { CelerityError, unknownTaskError } from '../errors.js';
import {
  EVENT_MARK,
  EVENT_START,
  FLAG_CHUNK,
  FLAG_LIST_TASKS,
  FLAG_SKIP,
  FLAG_START,
  FLAG_WIRE,
  RESULT_OK,
  RESULT_SKIPPED,
  TASK_ARGS,
  TASK_FLAGS,
  TASK_NAME,
  type StartEvent,
  type TaskMessage,
} from '../protocol/messages.js';
import { claimStart } from '../protocol/start-cells.js';
import { taskNames, type TaskContext } from '../protocol/tasks.js';
import { isThenable } from '../protocol/thenable.js';
import { answer, failed, finish, now, settle, threw, type Outcome } from './answer.js';
import { thread } from './boot.js';
import { Context } from './context.js';
import { failure } from './failure.js';
import { argumentListProblem } from './message-check.js';
import { arityProblem } from './arity.js';

type TaskFunction = (this: TaskContext, ...args: unknown[]) => unknown;

/**
 * Claims the task's start cell, so the main thread knows it started. A task the main thread
 * cancelled or withdrew before that is answered as skipped without running, and so is one that
 * reaches a retiring thread (withdrawn here, so that the main thread posts it again elsewhere).
 */
export function begin(message: TaskMessage, lease: number): Outcome {
  if (thread.starts !== undefined && !claimStart(thread.starts, lease, thread.retiring)) {
    thread.answeredByEvent = false;
    const t = now();
    return answer(RESULT_SKIPPED, null, t, t, 0, 0);
  }
  return handleNow(message);
}

function handleNow(message: TaskMessage): Outcome {
  const table = thread.table;
  if (table === undefined) {
    if (thread.loadFailure === undefined && thread.loading !== undefined) return thread.loading.then(() => handleNow(message));
    const t = now();
    return settle(failed(thread.loadFailure ?? failure(new Error('this thread was not started by a celerity app'), 'ERR_WORKER_INIT'), t, t, 0, 0), undefined);
  }
  const flags = message[TASK_FLAGS];
  if ((flags & FLAG_SKIP) !== 0) {
    const t = now();
    return settle(answer(RESULT_SKIPPED, null, t, t, 0, 0), undefined);
  }
  if ((flags & FLAG_LIST_TASKS) !== 0) {
    const t = now();
    return settle(answer(RESULT_OK, taskNames(table), t, t, 0, 0), undefined);
  }
  const name = message[TASK_NAME];
  const fn = table[name];
  if (typeof fn !== 'function' || !Object.hasOwn(table, name)) {
    const t = now();
    const record = failure(unknownTaskError(name, taskNames(table)), 'ERR_UNKNOWN_TASK');
    return settle(failed(record, t, t, 0, 0), undefined);
  }
  const args = message[TASK_ARGS];
  if ((flags & FLAG_WIRE) === 0) return start(message, fn as TaskFunction, args as unknown[], 0);
  const codecStart = now();
  let decoded: unknown;
  try {
    decoded = decodeWithImports(args as Wire, (flags & FLAG_CHUNK) === 0 ? 'args' : 'inputs', thread.allow, thread.boot?.entry);
  } catch (error) {
    return decodeFailed(error, codecStart);
  }
  if (isThenable(decoded)) {
    return Promise.resolve(decoded).then(
      (list) => startDecoded(message, fn as TaskFunction, list, codecStart),
      (error: unknown) => decodeFailed(error, codecStart),
    );
  }
  return startDecoded(message, fn as TaskFunction, decoded, codecStart);
}

/** Starts the task with the arguments decoded from its wire, once they are seen to be a list. */
function startDecoded(message: TaskMessage, fn: TaskFunction, decoded: unknown, codecStart: number): Outcome {
  const problem = argumentListProblem(decoded, false);
  return problem === undefined ? start(message, fn, decoded as unknown[], now() - codecStart) : malformed(problem);
}

/** The answer to a message that is not a task message the app could have sent (see `message-check.ts`). */
export function malformed(problem: string): Outcome {
  const t = now();
  return settle(failed(failure(new CelerityError('ERR_BAD_WIRE', `malformed task message: ${problem}`), 'ERR_BAD_WIRE'), t, t, 0, 0), undefined);
}

function decodeFailed(error: unknown, codecStart: number): Outcome {
  const t = now();
  return settle(failed(failure(error, 'ERR_BAD_WIRE'), codecStart, t, t - codecStart, 0), undefined);
}

function start(message: TaskMessage, fn: TaskFunction, args: unknown[], codecTime: number): Outcome {
  const tooMany = arityProblem(fn, message[TASK_NAME], (message[TASK_FLAGS] & FLAG_CHUNK) === 0 ? args.length : 1);
  if (tooMany !== undefined) {
    const t = now();
    return settle(failed(failure(new CelerityError('ERR_ARGUMENT_COUNT', tooMany), 'ERR_ARGUMENT_COUNT'), t, t, codecTime, 0), undefined);
  }
  const ctx = new Context(message);
  thread.current = ctx;
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
