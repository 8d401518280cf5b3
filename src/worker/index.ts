/**
 * The worker entry (`celerity/worker`): Piscina loads this file in every thread of an app and
 * calls its default export once per task. The thread's start is `boot.ts`; running a task,
 * `run-task.ts`; its `this`, `context.ts`; its answer, `answer.ts`. This module keeps the tasks a
 * thread is handed in order: one runs at a time.
 *
 * The worker side imports no pool or app code, only the registry-backed codec, the errors and
 * the protocol, so bundlers can build it on its own.
 * @module
 */
import { parentPort } from 'node:worker_threads';
import {
  EVENT_ANSWER,
  EVENT_MARK,
  FLAG_ANSWER_EVENT,
  FLAG_BATCH,
  FLAG_BEHIND,
  RESULT_KIND,
  RESULT_SKIPPED,
  TASK_ARGS,
  TASK_ATTEMPT,
  TASK_FLAGS,
  TASK_RUN,
  TASK_SLOT,
  type AnswerEvent,
  type ResultMessage,
  type TaskMessage,
} from '../protocol/messages.js';
import { markFinished } from '../protocol/start-cells.js';
import { isThenable } from '../protocol/thenable.js';
import type { Outcome } from './answer.js';
import { thread } from './boot.js';
import { begin, malformed } from './run-task.js';
import { taskMessageProblem } from './message-check.js';

/** Set while a task runs (or waits to start); tasks handed over meanwhile wait in {@link waiting}. */
let busy = false;
const waiting: (() => void)[] = [];

/**
 * Runs one task message (or a batch of them). Piscina calls this and posts what it returns (or
 * resolves to). Sync tasks are answered synchronously, without a promise in between.
 *
 * A thread may be handed its next task while it runs one (see the app's balancer), or several
 * tasks at once (a batch). Tasks still run one at a time, so a task's signal, progress and its
 * thread's fate concern that task alone; and the next one starts only once the answer before it
 * has left the thread.
 */
export default function handle(message: TaskMessage): Outcome {
  const problem = taskMessageProblem(message, thread.starts?.length ?? 0);
  if (problem !== undefined) return malformed(problem);
  if ((message[TASK_FLAGS] & FLAG_BATCH) !== 0) return runBatch(message[TASK_ARGS] as readonly unknown[]);
  return handleOne(message, false);
}

/**
 * Runs each member of a batch in turn. Every member answers as an event of its own (so each run
 * settles as soon as its task is done, and an answer survives whatever a later member does to
 * the thread); Piscina is answered `null` once all have, or the first error that escaped a member.
 */
function runBatch(members: readonly unknown[]): Outcome {
  let pending: Promise<unknown>[] | undefined;
  for (const member of members) {
    const problem = taskMessageProblem(member, thread.starts?.length ?? 0) ?? (((member as TaskMessage)[TASK_FLAGS] & FLAG_BATCH) !== 0 ? 'a batch inside a batch' : undefined);
    let out: Outcome;
    if (problem === undefined) {
      (member as TaskMessage)[TASK_FLAGS] |= FLAG_ANSWER_EVENT;
      out = handleOne(member as TaskMessage, true);
    } else {
      out = forward(member, malformed(problem));
    }
    if (out !== null) (pending ??= []).push(out as Promise<unknown>);
  }
  if (pending === undefined) return null;
  // Piscina hears of the batch only once every member is over: none may still run (or wait to)
  // when the app learns that the batch has ended.
  return Promise.allSettled(pending).then((outcomes) => {
    for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
    return null;
  });
}

/**
 * A batch member's answer that was returned rather than posted (a failure around the task) is
 * posted as its event here. A skipped member's is not: the app learns from its start cell that
 * it was cancelled or taken back.
 */
function forward(member: unknown, answer: unknown): null {
  if (!Array.isArray(answer) || answer[RESULT_KIND] === RESULT_SKIPPED) return null;
  const run: unknown = Array.isArray(member) ? member[TASK_RUN] : undefined;
  const attempt: unknown = Array.isArray(member) ? member[TASK_ATTEMPT] : undefined;
  // A member without a usable run number cannot be answered; the app sees its cell untouched.
  if (!Number.isSafeInteger(run) || !Number.isSafeInteger(attempt)) return null;
  const event: AnswerEvent = [EVENT_MARK, EVENT_ANSWER, run as number, attempt as number, answer as ResultMessage];
  parentPort?.postMessage(event);
  thread.answeredByEvent = true;
  return null;
}

/** Runs one task message now, or once the task before it on this thread has answered. */
function handleOne(message: TaskMessage, member: boolean): Outcome {
  if (!busy && (message[TASK_FLAGS] & FLAG_BEHIND) === 0) return runOne(message, member);
  return new Promise<unknown>((resolve, reject) => {
    waiting.push(() => {
      try {
        resolve(runOne(message, member));
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

function runOne(message: TaskMessage, member: boolean): Outcome {
  const lease = message[TASK_SLOT];
  const out = begin(message, lease);
  // An answer posted as an event (`null` here) marked its cell before it left (see `settle`).
  if (!isThenable(out)) {
    if (out !== null) finished(lease);
    return member ? forward(message, out) : out;
  }
  busy = true;
  return Promise.resolve(out)
    .then((answer) => {
      if (answer !== null) finished(lease);
      return member ? forward(message, answer) : answer;
    })
    .finally(() => {
      afterAnswerLeft(runNext);
    });
}

function finished(lease: number): void {
  if (thread.starts !== undefined) markFinished(thread.starts, lease);
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
  if (thread.answeredByEvent) {
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
