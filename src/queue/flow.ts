/**
 * A workflow as a BullMQ flow: each node of the plan (`src/workflow/plan.ts`) is one job whose
 * children are the nodes it waits for, so Redis holds the whole and any worker takes up any part:
 * it survives the crash of a worker and of the submitting process. The root job's id is the
 * workflow's; part `i` is `<root>.<i>`. Every part but the root fails its parent when it fails
 * for good, so a failure anywhere ends the whole; and the worker whose part failed cancels the
 * other parts, so that nothing of it runs on for nobody, whether or not its submitter is alive.
 * @module
 */
import type { FlowJob, JobsOptions } from 'bullmq';
import type { Plan, PlanNode } from '../workflow/plan.js';
import { GROUP_JOB_NAME, jobData, type GroupData, type JobData, type WorkflowRef } from './job-format.js';

/** What every part's job gets: attempts, backoff, priority, what Redis keeps. */
export type PartOptions = Pick<JobsOptions, 'attempts' | 'backoff' | 'priority' | 'removeOnComplete' | 'removeOnFail'>;

/** The id of part `node` of workflow `root`. */
export function partId(root: string, plan: Plan, node: PlanNode): string {
  // The root is the last node the plan lays out, so these are the ids `workflowParts` lists.
  return node === plan.root ? root : `${root}.${node.index}`;
}

/**
 * The flow of `plan` under workflow id `root`, on queue `queueName` with key prefix `prefix`.
 * `timeout` goes to every task call; `delay` holds back the parts that start first (those
 * without children); `extra` joins every task's data (the retry factor of celerity's backoff).
 *
 * @throws what `jobData` throws for arguments that cannot be written (path rooted at the step).
 */
export function flowOf(plan: Plan, root: string, queueName: string, prefix: string, options: { timeout: number; delay: number; part: PartOptions; extra: Record<string, unknown> }): FlowJob {
  // Every part names its workflow, so that a worker whose part fails for good can stop the others.
  const workflow: WorkflowRef = { root, parts: plan.nodes.length };
  const build = (node: PlanNode): FlowJob => {
    const id = partId(root, plan, node);
    const childIds = node.children.map((child) => partId(root, plan, child));
    const opts: JobsOptions = { jobId: id, ...options.part };
    if (node !== plan.root) opts.failParentOnFailure = true;
    if (node.children.length === 0 && options.delay > 0) opts.delay = options.delay;
    const children = node.children.map(build);
    if (node.kind === 'group') {
      const data: GroupData = { collect: childIds, workflow };
      return { name: GROUP_JOB_NAME, queueName, prefix, data, opts, children };
    }
    const own = jobData(node.args, options.timeout, `steps[${node.index}].args`);
    const data: JobData & Record<string, unknown> = { ...own, ...options.extra, workflow, ...(node.feed === 'none' ? {} : { feed: node.feed, children: childIds }) };
    return { name: node.name, queueName, prefix, data, opts, ...(children.length === 0 ? {} : { children }) };
  };
  return build(plan.root);
}
