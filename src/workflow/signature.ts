/**
 * Workflows as data: {@link task} makes a signature (a task name and its own arguments);
 * {@link chain}, {@link group} and {@link chord} compose signatures as Celery's canvas does. A
 * workflow knows nothing of an app: the app it runs on checks it, at the type level against its
 * tasks module (see `types.ts`) and at run time against the tasks that exist (see `plan.ts`).
 * @module
 */
import { celerityError } from '../errors.js';

/** Marks the objects these builders make, so that a plain object is never taken for one. */
const BRAND: unique symbol = Symbol.for('celerity.workflow');

/**
 * One call of one task: its name and its own arguments. In a chain, every step after the first
 * gets the previous step's result as its first argument, before these.
 */
export interface Signature<N extends string = string, A extends readonly unknown[] = readonly unknown[]> {
  /** Always `'task'`. */
  readonly kind: 'task';
  /** The task's name in the tasks module. */
  readonly name: N;
  /** The task's own arguments. */
  readonly args: A;
}

/** Steps run one after the other, each fed the previous one's result; the chain's result is the last step's. */
export interface Chain<S extends readonly Workflow[] = readonly Workflow[]> {
  /** Always `'chain'`. */
  readonly kind: 'chain';
  /** The steps, in order. */
  readonly steps: S;
}

/** Members run side by side; the group's result is the list of theirs, in member order. */
export interface Group<M extends readonly Workflow[] = readonly Workflow[]> {
  /** Always `'group'`. */
  readonly kind: 'group';
  /** The members. */
  readonly members: M;
}

/** A group (the header) whose list of results is the first argument of one more task (the body). */
export interface Chord<H extends readonly Workflow[] = readonly Workflow[], B extends Signature = Signature> {
  /** Always `'chord'`. */
  readonly kind: 'chord';
  /** What runs side by side first. */
  readonly header: H;
  /** What gets the header's results, in header order, as its first argument. */
  readonly body: B;
}

/** Anything an app can run as a whole: a signature, a chain, a group or a chord, nested freely (see the README for where a group may stand). */
export type Workflow = Signature | Chain | Group | Chord;

function branded<W extends object>(workflow: W): W {
  Object.defineProperty(workflow, BRAND, { value: true });
  return Object.freeze(workflow);
}

/** Whether `value` is a workflow made by {@link task}, {@link chain}, {@link group} or {@link chord}. */
export function isWorkflow(value: unknown): value is Workflow {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * A signature: task `name` with its own arguments. Typed loosely here; the app that runs it checks
 * the name and arguments against its tasks module.
 *
 * @example
 * await app.run(chain(task('load', id), task('improve', 2_000), task('score')));
 */
export function task<N extends string, A extends unknown[]>(name: N, ...args: A): Signature<N, A> {
  if (typeof name !== 'string' || name === '') throw celerityError('ERR_INVALID_WORKFLOW', 'task(): a task name must be a non-empty string');
  return branded({ kind: 'task' as const, name, args });
}

/**
 * Steps that run one after the other: each step after the first gets the previous result as its
 * first argument, then its own arguments (as in Celery). The first step may be any workflow; a
 * later step is a signature (or a chain of them).
 */
export function chain<S extends readonly [Workflow, ...Workflow[]]>(...steps: S): Chain<S> {
  checkParts(steps, 'chain()', 'step');
  return branded({ kind: 'chain' as const, steps });
}

/** Workflows that run side by side; resolves to their results in member order. */
export function group<const M extends readonly Workflow[]>(members: M): Group<M> {
  if (!Array.isArray(members)) throw celerityError('ERR_INVALID_WORKFLOW', 'group() takes an array of workflows');
  checkParts(members, 'group()', 'member');
  return branded({ kind: 'group' as const, members: Object.freeze([...members]) as unknown as M });
}

/**
 * Runs `header` side by side, then `body` with the list of their results (in header order) as
 * its first argument: `chord(routes.map((r) => task('score', r)), task('best'))`.
 */
export function chord<const H extends readonly Workflow[], B extends Signature>(header: H | Group<H>, body: B): Chord<H, B> {
  const given: unknown = header;
  const members: unknown = isWorkflow(given) && given.kind === 'group' ? given.members : given;
  if (!Array.isArray(members)) throw celerityError('ERR_INVALID_WORKFLOW', 'chord() takes an array of workflows (or a group) as its header');
  checkParts(members, 'chord()', 'header member');
  const last: unknown = body;
  if (!isWorkflow(last) || last.kind !== 'task') throw celerityError('ERR_INVALID_WORKFLOW', 'chord(): the body must be a signature made by task()');
  return branded({ kind: 'chord' as const, header: Object.freeze([...(members as readonly unknown[])]) as unknown as H, body });
}

function checkParts(parts: readonly unknown[], where: string, what: string): void {
  if (parts.length === 0) throw celerityError('ERR_INVALID_WORKFLOW', `${where}: it has no ${what}s; give at least one`);
  parts.forEach((part, index) => {
    if (!isWorkflow(part)) throw celerityError('ERR_INVALID_WORKFLOW', `${where}: ${what} ${index} is not a workflow; make it with task(), chain(), group() or chord()`);
  });
}
