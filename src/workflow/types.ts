/**
 * What a workflow means at the type level, against a tasks module `T`: the type of its result
 * ({@link WorkflowResult}) and whether it fits `T` ({@link CheckWorkflow}): every name a task of
 * `T`, every signature's arguments its parameters, and every chain step's first parameter the
 * previous step's result.
 * @module
 */
import type { TaskArgs, TaskName, TaskResult } from '../protocol/tasks.js';
import type { Chain, Chord, Group, Signature, Workflow } from './signature.js';

/** The result of workflow `W` run on an app of tasks `T`. */
export type WorkflowResult<T, W> =
  // A workflow typed only as "some workflow" (built from a loosely typed list) has a result of unknown type.
  Workflow extends W
    ? unknown
    : W extends Signature<infer N>
    ? N extends TaskName<T>
      ? TaskResult<T, N>
      : never
    : W extends Chain<infer S>
      ? S extends readonly [...unknown[], infer Last]
        ? WorkflowResult<T, Last>
        : S extends readonly (infer Step)[]
          ? WorkflowResult<T, Step>
          : never
      : W extends Group<infer M>
        ? { -readonly [I in keyof M]: WorkflowResult<T, M[I]> }
        : W extends Chord<readonly Workflow[], infer B>
          ? WorkflowResult<T, B>
          : never;

/** What a workflow that does not fit its app's tasks is told, at the argument that does not. */
export interface WorkflowTypeError<Message extends string> {
  /** Why the workflow does not fit the app's tasks module. */
  readonly 'workflow does not fit the tasks': Message;
}

/** No input: the first step of a workflow. */
interface NoInput {
  readonly 'no input': true;
}

/** `true` when `W` fits tasks `T` given `Input` (the previous step's result), else a {@link WorkflowTypeError}. */
type Check<T, W, Input> =
  // A workflow typed only as "some workflow" cannot be checked here; the app checks it when it runs.
  Workflow extends W
    ? true
    : W extends Signature<infer N, infer A>
    ? CheckSignature<T, N, A, Input>
    : W extends Chain<infer S>
      ? CheckSteps<T, S, Input>
      : W extends Group<infer M>
        ? [Input] extends [NoInput]
          ? CheckAll<T, M>
          : WorkflowTypeError<'a group can only be the first step of a chain (a later step gets one result, not several)'>
        : W extends Chord<infer H, infer B>
          ? [Input] extends [NoInput]
            ? CheckAll<T, H> extends true
              ? Check<T, B, WorkflowResult<T, Group<H>>>
              : CheckAll<T, H>
            : WorkflowTypeError<'a chord can only be the first step of a chain (a later step gets one result, not several)'>
          : WorkflowTypeError<'not a workflow: make it with task(), chain(), group() or chord()'>;

type CheckSignature<T, N extends string, A extends readonly unknown[], Input> =
  N extends TaskName<T>
    ? [Input] extends [NoInput]
      ? A extends TaskArgs<T, N>
        ? true
        : WorkflowTypeError<`the arguments given to task("${N}") do not fit its parameters`>
      : [Input, ...A] extends TaskArgs<T, N>
        ? true
        : WorkflowTypeError<`task("${N}") does not take the previous step's result (then its own arguments) as its parameters`>
    : WorkflowTypeError<`"${N}" is not a task of this app's tasks module`>;

/** The steps of a chain, each given the previous one's result. Steps given as an array of unknown length are not checked one by one. */
type CheckSteps<T, S, Input> = S extends readonly [infer First, ...infer Rest]
  ? Check<T, First, Input> extends true
    ? Rest extends readonly []
      ? true
      : CheckSteps<T, Rest, WorkflowResult<T, First>>
    : Check<T, First, Input>
  : true;

/** Members of a group or chord header, each on its own. */
type CheckAll<T, M> = M extends readonly [infer First, ...infer Rest]
  ? Check<T, First, NoInput> extends true
    ? CheckAll<T, Rest>
    : Check<T, First, NoInput>
  : M extends readonly []
    ? true
    : M extends readonly (infer Member)[]
      ? Check<T, Member, NoInput>
      : true;

/**
 * `unknown` when workflow `W` fits tasks `T`, else a {@link WorkflowTypeError} saying why: the
 * type an app's `run` and `submit` intersect their workflow parameter with, so that a workflow
 * that does not fit is a type error where it is run.
 */
export type CheckWorkflow<T, W> = Check<T, W, NoInput> extends true ? unknown : Check<T, W, NoInput>;
