/**
 * A workflow as both backends run it: a tree in which every node waits for its children and is
 * fed their results. A chain `a → b → c` is `c` over `b` over `a`; a group is a node that only
 * collects its members' results; a chord (and a chain whose first step is a group) is its body
 * over the header's members, fed their list. The in-process app walks the tree; the queue app
 * makes it a BullMQ flow, whose parents run once their children are done.
 * @module
 */
import { celerityError, unknownTaskError } from '../errors.js';
import { isWorkflow, type Workflow } from './signature.js';

/** How a task node gets its children's results. */
export type Feed = 'none' | 'one' | 'list';

/** One task call: it runs once its children are done, with their results before its own arguments. */
export interface TaskNode {
  readonly kind: 'task';
  /** Its number among the plan's nodes, in the order the tree is walked depth first, children first. */
  readonly index: number;
  readonly name: string;
  readonly args: readonly unknown[];
  /** `'one'`: the one child's result is the first argument; `'list'`: the list of the children's results is. */
  readonly feed: Feed;
  readonly children: readonly PlanNode[];
}

/** A group: its result is the list of its children's results, in order. */
export interface GroupNode {
  readonly kind: 'group';
  readonly index: number;
  readonly children: readonly PlanNode[];
}

/** A node of a {@link Plan}. */
export type PlanNode = TaskNode | GroupNode;

/** A checked workflow. */
export interface Plan {
  /** The node whose result is the workflow's. */
  readonly root: PlanNode;
  /** Every node, by index (children before their parents). */
  readonly nodes: readonly PlanNode[];
  /** How many task calls it makes: the total of its progress. */
  readonly steps: number;
}

/** What feeds a node: nothing, one node's result, or the list of several nodes' results. */
type Input = { feed: 'none' } | { feed: 'one'; from: PlanNode } | { feed: 'list'; from: readonly PlanNode[] };

const NONE: Input = { feed: 'none' };

/**
 * Checks `workflow` and lays it out as a tree.
 *
 * @throws `ERR_INVALID_WORKFLOW` for what no app can run (not a workflow, a group or chord after
 *   the first step of a chain).
 */
export function planWorkflow(workflow: unknown): Plan {
  const nodes: PlanNode[] = [];
  const root = place(workflow, NONE, nodes, 'workflow');
  return { root, nodes, steps: nodes.filter((node) => node.kind === 'task').length };
}

/**
 * Checks that every step names one of `tasks`.
 *
 * @throws `ERR_UNKNOWN_TASK` naming the first step that does not, and the tasks that exist.
 */
export function checkTaskNames(plan: Plan, tasks: ReadonlySet<string>): void {
  for (const node of plan.nodes) {
    if (node.kind === 'task' && !tasks.has(node.name)) throw unknownTaskError(node.name, tasks);
  }
}

function place(workflow: unknown, input: Input, nodes: PlanNode[], at: string): PlanNode {
  if (!isWorkflow(workflow)) throw celerityError('ERR_INVALID_WORKFLOW', `${at} is not a workflow: make it with task(), chain(), group() or chord()`);
  switch (workflow.kind) {
    case 'task': {
      const children = input.feed === 'none' ? [] : input.feed === 'one' ? [input.from] : input.from;
      return add(nodes, { kind: 'task', index: nodes.length, name: workflow.name, args: workflow.args, feed: input.feed, children });
    }
    case 'chain': {
      const steps = flatten(workflow.steps);
      let last = place(steps[0], input, nodes, `${at}.steps[0]`);
      for (let i = 1; i < steps.length; i++) {
        const step = steps[i];
        const where = `${at}.steps[${i}]`;
        if (isWorkflow(step) && step.kind !== 'task') throw celerityError('ERR_INVALID_WORKFLOW', `${where}: a ${step.kind} can only be the first step of a chain (a later step gets one result, not several)`);
        // A group's results feed the next step as a list, straight from its members (a chord).
        last = place(step, last.kind === 'group' ? { feed: 'list', from: last.children } : { feed: 'one', from: last }, nodes, where);
      }
      return last;
    }
    case 'group': {
      if (input.feed !== 'none') throw celerityError('ERR_INVALID_WORKFLOW', `${at}: a group can only be the first step of a chain`);
      const children = workflow.members.map((member, i) => place(member, NONE, nodes, `${at}.members[${i}]`));
      return add(nodes, { kind: 'group', index: nodes.length, children });
    }
    case 'chord': {
      if (input.feed !== 'none') throw celerityError('ERR_INVALID_WORKFLOW', `${at}: a chord can only be the first step of a chain`);
      const header = workflow.header.map((member, i) => place(member, NONE, nodes, `${at}.header[${i}]`));
      return place(workflow.body, { feed: 'list', from: header }, nodes, `${at}.body`);
    }
  }
}

/** A chain's steps with the steps of chains inside it put in their place. */
function flatten(steps: readonly Workflow[]): Workflow[] {
  const out: Workflow[] = [];
  for (const step of steps) {
    if (isWorkflow(step) && step.kind === 'chain') out.push(...flatten(step.steps));
    else out.push(step);
  }
  return out;
}

function add(nodes: PlanNode[], node: PlanNode): PlanNode {
  nodes.push(node);
  return node;
}

/** The arguments of a task node, given its children's results in order. */
export function nodeArgs(node: TaskNode, inputs: readonly unknown[]): unknown[] {
  if (node.feed === 'none') return [...node.args];
  if (node.feed === 'one') return [inputs[0], ...node.args];
  return [[...inputs], ...node.args];
}
