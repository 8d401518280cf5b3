/**
 * A workflow on the in-process app: the plan's tree walked on the pool. A node starts once its
 * children are done, each task node as one run of the pool (so each step has the run options,
 * its own retries and time limit); the whole settles once, with the root's result, the first
 * failure (cancelling what still runs), or a cancel of the whole.
 * @module
 */
import { Settling } from './settling.js';
import { onAbort } from './abort.js';
import { callBack } from './callback.js';
import type { Core } from './core.js';
import { resolveSubmitOptions, type ResolvedSubmitOptions, type SubmitOptions } from './options.js';
import { Run, type RunState, type TaskRun } from './run.js';
import { abortError, invalidOption } from '../errors.js';
import { checkTaskNames, nodeArgs, planWorkflow, type Plan, type PlanNode } from '../workflow/plan.js';
import type { WorkflowProgress } from '../workflow/progress.js';

function noop(): void {
  // a rejection handled elsewhere
}

/** What a branch throws that only says "the whole has settled already: start nothing more". */
const SETTLED = new Error('the workflow has settled');

/** @internal */
export class WorkflowRun<R> extends Settling<R> implements TaskRun<R> {
  readonly id: string;
  private current: RunState = 'queued';
  private settled = false;
  /** The step runs under way. */
  private readonly live = new Set<Run<unknown>>();
  private options: ResolvedSubmitOptions | undefined;
  /** What each step is submitted with: the options that concern one run. */
  private stepOptions: SubmitOptions = {};
  private done = 0;
  private total = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Stops following the caller's signal. */
  private unfollow: (() => void) | undefined;

  constructor(
    private readonly core: Core,
    workflow: unknown,
    given: SubmitOptions | undefined,
  ) {
    super();
    this.id = String(core.nextNumber());
    core.active.enter(this);
    const refusal = core.refusal();
    if (refusal !== undefined) {
      this.end('failed', refusal);
      return;
    }
    let plan: Plan;
    try {
      if (given?.transfer !== undefined) throw invalidOption('options.transfer does not apply to a workflow: its steps\' arguments are copied');
      this.options = resolveSubmitOptions(given, core.options.timeout);
      plan = planWorkflow(workflow);
    } catch (error) {
      this.end('failed', error);
      return;
    }
    const { timeout, retry, priority } = this.options;
    this.stepOptions = { ...(timeout > 0 ? { timeout } : {}), ...(retry === undefined ? {} : { retry }), ...(priority === 0 ? {} : { priority }) };
    this.total = plan.steps;
    if (this.options.signal !== undefined) {
      this.unfollow = onAbort(this.options.signal, (reason) => {
        this.cancel(reason);
      });
      if (this.unfollow === undefined) return;
    }
    void this.start(plan);
  }

  get state(): RunState {
    return this.current;
  }

  /** Cancels the whole: every running step is cancelled, nothing more starts. */
  cancel(reason?: unknown): void {
    if (this.settled) return;
    this.promise.catch(noop);
    this.end('cancelled', abortError(reason), reason);
  }

  override abort(error: Error): void {
    this.end('failed', error);
  }

  private async start(plan: Plan): Promise<void> {
    try {
      // Every name is checked before any step is queued.
      checkTaskNames(plan, await this.core.taskNames());
    } catch (error) {
      this.end('failed', error);
      return;
    }
    const delay = this.options?.delay ?? 0;
    if (delay > 0 && !this.settled) {
      // Ref'd: the caller waits for this run. A cancel meanwhile clears it, and nothing starts.
      await new Promise((resolve) => {
        this.timer = setTimeout(resolve, delay);
      });
    }
    if (this.settled) return;
    this.exec(plan.root).then(
      (value) => {
        this.end('succeeded', value);
      },
      (error: unknown) => {
        if (error !== SETTLED) this.end('failed', error);
      },
    );
  }

  /** Runs `node` once its children are done; resolves to its result. */
  private async exec(node: PlanNode): Promise<unknown> {
    const inputs = await Promise.all(node.children.map((child) => this.exec(child)));
    if (node.kind === 'group') return inputs;
    if (this.settled) throw SETTLED;
    const run = new Run<unknown>(this.core, node.name, nodeArgs(node, inputs), this.stepOptions, true);
    this.live.add(run);
    if (this.current === 'queued') this.current = 'running';
    try {
      const value = await run.promise;
      this.done++;
      this.report();
      return value;
    } finally {
      this.live.delete(run);
    }
  }

  private report(): void {
    const onProgress = this.options?.onProgress;
    if (onProgress === undefined || this.settled) return;
    const progress: WorkflowProgress = { done: this.done, total: this.total };
    callBack(onProgress, [progress], `onProgress of workflow ${this.id}`);
  }

  /** Settles the whole, exactly once, and stops what still runs. */
  private end(state: 'succeeded' | 'failed' | 'cancelled', outcome: unknown, reason?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.current = state;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.unfollow?.();
    for (const run of this.live) run.cancel(state === 'cancelled' ? reason : outcome);
    this.live.clear();
    this.core.active.leave(this);
    if (state === 'succeeded') this.resolve(outcome as R);
    else this.reject(outcome);
  }
}
