/**
 * What a celerity job looks like in Redis: readable JSON throughout, so dashboards such as
 * bull-board show it, with the JSON wire's version in every value that carries instances.
 *
 * - The job's `name` is the task's name.
 * - `data`: `{ args, timeout? }`. `args` is the argument list as a JSON wire
 *   (`{ "celerity": 1, "json": [...], "meta": {...} }`) or, for jobs added by plain BullMQ code,
 *   a plain JSON array; `timeout` is the run-time limit in ms.
 * - A workflow's parts are BullMQ flow jobs (see `flow.ts`). A step fed by the steps before it
 *   has `feed` (`"one"`: the one child's result goes first; `"list"`: the list of the children's
 *   results does) and `children`, the ids of those children in order. A group's own job is named
 *   `(group)` and has `collect`, the ids of its members in order; its return value is
 *   `{ "celerity": "group", "items": [<stored result>, ...] }`.
 * - The return value is the result as a JSON wire.
 * - Progress is `{ "celerity": "progress", "value": <wire> }`; before a failed attempt fails,
 *   the worker writes `{ "celerity": "error", "attempt": n, "error": <wire> }`, so the error's
 *   class, properties, cause and stack survive (BullMQ itself keeps only the message).
 *
 * Everything read back is untrusted: a malformed job is `ERR_BAD_JSON`, never a crash. What is
 * read was just made by `JSON.parse` (BullMQ's), a tree, so it is read as such.
 * @module
 */
import { deserializeParsed as deserialize, serialize } from '../json/index.js';
import type { JsonWire } from '../json/format.js';
import { badJsonError, invalidOption } from '../errors.js';

/** The `data` of a celerity job. */
export interface JobData {
  /** The argument list: a JSON wire, or a plain JSON array. */
  readonly args: JsonWire | readonly unknown[];
  /** Run-time limit (ms) on the worker. */
  readonly timeout?: number;
  /** How a workflow step gets the results of the steps before it (its children). */
  readonly feed?: 'one' | 'list';
  /** The ids of those children, in order. */
  readonly children?: readonly string[];
  /** The workflow this job is a part of. */
  readonly workflow?: WorkflowRef;
}

/** Which workflow a job is part of: its root's id and how many parts it has (see `flow.ts` for their ids). */
export interface WorkflowRef {
  readonly root: string;
  readonly parts: number;
}

/** The most parts a workflow reference may name before it is ignored as malformed. */
const MAX_PARTS = 1_000_000;

/** The ids of every part of a workflow: `<root>.<i>` for each part but the last, which is the root itself. */
export function workflowParts(ref: WorkflowRef): string[] {
  return Array.from({ length: ref.parts }, (_, i) => (i === ref.parts - 1 ? ref.root : `${ref.root}.${i}`));
}

/** The workflow a job's data says it is part of, or `undefined` (none, or not readable). */
export function readWorkflowRef(data: unknown): WorkflowRef | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const ref: unknown = Object.hasOwn(data, 'workflow') ? (data as { workflow?: unknown }).workflow : undefined;
  if (typeof ref !== 'object' || ref === null) return undefined;
  const { root, parts } = ref as { root?: unknown; parts?: unknown };
  if (typeof root !== 'string' || root === '' || !(Number.isInteger(parts) && (parts as number) >= 1 && (parts as number) <= MAX_PARTS)) return undefined;
  return { root, parts: parts as number };
}

/** The `data` of a group's own job in a workflow: the ids of its members, in order. */
export interface GroupData {
  readonly collect: readonly string[];
  /** The workflow the group is part of. */
  readonly workflow?: WorkflowRef;
}

/** The stored result of a group: its members' stored results, in order. */
export interface GroupRecord {
  readonly celerity: 'group';
  readonly items: readonly unknown[];
}

/** The name of a group's own job (shown by dashboards; never a task's, which the job's `collect` tells apart). */
export const GROUP_JOB_NAME = '(group)';

/** How deep groups may nest in a stored result before it is refused as malformed. */
const MAX_GROUP_DEPTH = 64;

/** What a worker reads from a job's data. */
export type ReadJob =
  | { readonly kind: 'task'; readonly args: unknown[]; readonly timeout: number; readonly feed: 'none' | 'one' | 'list'; readonly children: readonly string[] }
  | { readonly kind: 'group'; readonly collect: readonly string[] };

/** A progress value as it is stored. */
export interface ProgressRecord {
  readonly celerity: 'progress';
  readonly value: JsonWire;
}

/** The error of a failed attempt, as it is stored (see the module notes). */
export interface ErrorRecord {
  readonly celerity: 'error';
  readonly attempt: number;
  readonly error: JsonWire;
}

/** The data of a job that runs `args` (already checked) with a run-time limit of `timeout` ms (0: none). */
export function jobData(args: readonly unknown[], timeout: number, path = 'args'): JobData {
  const wire = serialize(args, { path });
  return timeout > 0 ? { args: wire, timeout } : { args: wire };
}

/** What a worker reads from a job's data: a task call (its argument list, decoded; its time limit; what feeds it) or a group to collect. */
export function readJobData(data: unknown): ReadJob {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw badJsonError('the job data is not an object with "args"');
  const record = data as Record<string, unknown>;
  if (Object.hasOwn(record, 'collect')) return { kind: 'group', collect: readIds(record.collect, 'collect') };
  const feed = Object.hasOwn(record, 'feed') ? record.feed : 'none';
  if (feed !== 'none' && feed !== 'one' && feed !== 'list') throw badJsonError('the job\'s "feed" must be "one" or "list"');
  const children = feed === 'none' ? [] : readIds(record.children, 'children');
  if (feed === 'one' && children.length !== 1) throw badJsonError('a job fed "one" result names exactly one child');
  const timeout = Object.hasOwn(record, 'timeout') ? record.timeout : undefined;
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout !== Infinity)) throw badJsonError('the job\'s "timeout" must be a positive number of milliseconds');
  const raw = Object.hasOwn(record, 'args') ? record.args : undefined;
  let args: unknown;
  if (Array.isArray(raw)) args = raw;
  else if (typeof raw === 'object' && raw !== null) args = deserialize(raw, { path: 'args' });
  else throw badJsonError('the job data has no "args": expected a JSON wire or a plain JSON array');
  if (!Array.isArray(args)) throw badJsonError('the job\'s "args" is not a list of arguments');
  return { kind: 'task', args, timeout: timeout ?? 0, feed, children };
}

function readIds(ids: unknown, field: string): string[] {
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id !== '')) throw badJsonError(`the job's "${field}" must be a non-empty list of job ids`);
  return ids as string[];
}

/** The stored result of a group. */
export function groupRecord(items: readonly unknown[]): GroupRecord {
  return { celerity: 'group', items };
}

/** A result as it is stored. */
export function resultRecord(value: unknown): JsonWire {
  return serialize(value, { path: 'result' });
}

/** A stored result (a JSON wire, or a group's record of them), decoded. */
export function readResult(stored: unknown, depth = 0, path = 'result'): unknown {
  if (typeof stored === 'object' && stored !== null && (stored as { celerity?: unknown }).celerity === 'group') {
    const items = (stored as { items?: unknown }).items;
    if (!Array.isArray(items)) throw badJsonError('a group\'s stored result has no "items" list');
    if (depth >= MAX_GROUP_DEPTH) throw badJsonError(`groups nested deeper than ${MAX_GROUP_DEPTH} in a stored result`);
    return items.map((item: unknown, i) => readResult(item, depth + 1, `${path}[${i}]`));
  }
  return deserialize(stored, { path });
}

/** A progress value as it is stored. */
export function progressRecord(value: unknown): ProgressRecord {
  return { celerity: 'progress', value: serialize(value, { path: 'progress' }) };
}

/** An attempt's error as it is stored; an error that cannot be written goes as what JSON can carry of it. */
export function errorRecord(error: unknown, attempt: number): ErrorRecord {
  try {
    return { celerity: 'error', attempt, error: serialize(error, { path: 'error', strict: false }) };
  } catch {
    const plain = error instanceof Error ? error : undefined;
    const stand = new Error(plain?.message ?? String(error));
    if (plain !== undefined) {
      Object.defineProperty(stand, 'name', { value: plain.name, writable: true, configurable: true });
      if (plain.stack !== undefined) stand.stack = plain.stack;
    }
    return { celerity: 'error', attempt, error: serialize(stand, { path: 'error' }) };
  }
}

/** What a stored progress value is: a progress value (decoded), an attempt's error (still encoded), or something else. */
export type StoredProgress = { kind: 'progress'; value: unknown } | { kind: 'error'; attempt: number; error: JsonWire } | { kind: 'other'; value: unknown };

/** Sorts a stored progress value (see {@link StoredProgress}); decoding a progress value may throw `ERR_BAD_JSON`. */
export function readProgress(stored: unknown): StoredProgress {
  if (typeof stored === 'object' && stored !== null && !Array.isArray(stored)) {
    const record = stored as Record<string, unknown>;
    if (record.celerity === 'progress' && Object.hasOwn(record, 'value')) return { kind: 'progress', value: deserialize(record.value, { path: 'progress' }) };
    if (record.celerity === 'error' && typeof record.attempt === 'number' && typeof record.error === 'object' && record.error !== null) {
      return { kind: 'error', attempt: record.attempt, error: record.error as JsonWire };
    }
  }
  // Progress written by plain BullMQ code: passed on as it is.
  return { kind: 'other', value: stored };
}

/** An attempt's stored error, decoded (an error that cannot be read becomes an `ERR_BAD_JSON` error). */
export function readError(stored: JsonWire): unknown {
  try {
    return deserialize(stored, { path: 'error' });
  } catch (error) {
    return error;
  }
}

/** Checks a job id given by the caller. */
export function checkJobId(id: unknown): string {
  if (typeof id !== 'string' || id === '' || /^\d+$/.test(id) || id.includes(':')) {
    throw invalidOption('options.jobId must be a non-empty string that is not a plain integer and holds no ":" (BullMQ reserves those)');
  }
  return id;
}
