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
import { FLAG_BEHIND, TASK_FLAGS, TASK_SLOT, type TaskMessage } from '../protocol/messages.js';
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
 * Runs one task message. Piscina calls this and posts what it returns (or resolves to). Sync
 * tasks are answered synchronously, without a promise in between.
 *
 * A thread may be handed its next task while it runs one (see the app's balancer). Tasks still
 * run one at a time, so a task's signal, progress and its thread's fate concern that task alone;
 * and the next one starts only once the answer before it has left the thread.
 */
export default function handle(message: TaskMessage): Outcome {
  const problem = taskMessageProblem(message, thread.starts?.length ?? 0);
  if (problem !== undefined) return malformed(problem);
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

function runOne(message: TaskMessage): Outcome {
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

function finished(cell: number): void {
  if (thread.starts !== undefined) markFinished(thread.starts, cell);
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
