/**
 * The check of a task message as a thread receives it. The app only sends well-formed messages,
 * but a thread does not take that on trust: a message it cannot use is answered as a failed run
 * (`ERR_BAD_WIRE`), and the thread goes on serving the next one. What is inside the arguments'
 * wire is `decode`'s to check.
 * @module
 */
import {
  BATCH_MAX,
  FLAG_ANSWER_EVENT,
  FLAG_BATCH,
  FLAG_BEHIND,
  FLAG_LIST_TASKS,
  FLAG_CHUNK,
  FLAG_PROGRESS,
  FLAG_SKIP,
  FLAG_START,
  FLAG_WIRE,
  isPlainPrimitive,
  TASK_ARGS,
  TASK_ATTEMPT,
  TASK_FLAGS,
  TASK_LABEL,
  TASK_NAME,
  TASK_RUN,
  TASK_SLOT,
} from '../protocol/messages.js';

const KNOWN_FLAGS = FLAG_START | FLAG_PROGRESS | FLAG_CHUNK | FLAG_SKIP | FLAG_WIRE | FLAG_ANSWER_EVENT | FLAG_BEHIND | FLAG_LIST_TASKS | FLAG_BATCH;

/**
 * What is wrong with `message` as a task message for a thread with `cells` start cells, or
 * `undefined` when nothing is. Costs a few reads for a message with a wire, one more per plain
 * argument. (Elements are read directly: what structured clone delivers has no accessors.)
 */
export function taskMessageProblem(message: unknown, cells: number): string | undefined {
  if (!Array.isArray(message) || message.length < TASK_LABEL || message.length > TASK_LABEL + 1) return 'it is not a list of 6 or 7 items';
  const item = (index: number): unknown => (message as unknown[])[index];
  const run = item(TASK_RUN);
  if (!Number.isSafeInteger(run) || (run as number) < 0) return 'the run number is not a whole number';
  const attempt = item(TASK_ATTEMPT);
  if (!Number.isSafeInteger(attempt) || (attempt as number) < 1) return 'the attempt number is not a positive whole number';
  if (typeof item(TASK_NAME) !== 'string') return 'the task name is not a string';
  const flags = item(TASK_FLAGS);
  if (!Number.isInteger(flags) || (flags as number) < 0 || ((flags as number) & ~KNOWN_FLAGS) !== 0) return 'the flags are not the known ones';
  const slot = item(TASK_SLOT);
  if (!Number.isSafeInteger(slot) || (slot as number) < -1 || (cells === 0 && slot !== -1)) return 'the start cell lease is not -1 or a whole number';
  if (message.length > TASK_LABEL) {
    const label = item(TASK_LABEL);
    if (!Array.isArray(label) || label.length !== 2) return 'the label is not an [id, attempt] pair';
    const [id, labelAttempt] = label as unknown[];
    if (typeof id !== 'string' || !Number.isSafeInteger(labelAttempt) || (labelAttempt as number) < 1) return 'the label is not an [id, attempt] pair';
  }
  return argumentsProblem(item(TASK_ARGS), flags as number);
}

function argumentsProblem(args: unknown, flags: number): string | undefined {
  if ((flags & FLAG_BATCH) !== 0) {
    // Its members are checked one by one as they run, each answered on its own.
    if (flags !== FLAG_BATCH) return 'a batch carries other flags';
    return Array.isArray(args) && args.length > 0 && args.length <= BATCH_MAX ? undefined : `a batch is not a list of 1 to ${BATCH_MAX} task messages`;
  }
  if ((flags & FLAG_SKIP) !== 0 && args === null) return undefined;
  if ((flags & FLAG_WIRE) !== 0) return typeof args === 'object' && args !== null ? undefined : 'the arguments are not a wire';
  return argumentListProblem(args, true);
}

/**
 * What is wrong with `list` as the arguments of a task (or the inputs of a map chunk), as sent
 * plainly (`primitives`) or decoded from a wire: a list with no holes, as the app makes it. Checked
 * up to the first hole, so a long sparse list (length 1e8, say, which would take the thread
 * seconds to spread into a call) costs what it holds.
 */
export function argumentListProblem(list: unknown, primitives: boolean): string | undefined {
  if (!Array.isArray(list)) return 'the arguments are not a list';
  for (let i = 0; i < list.length; i++) {
    const value: unknown = list[i];
    if (value === undefined && !(i in list)) return `argument ${i} is missing`;
    if (primitives && !isPlainPrimitive(value)) return `argument ${i} is not a primitive`;
  }
  return undefined;
}
