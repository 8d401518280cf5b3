/**
 * The reading plan: `meta.values` and `meta.defs` merged into one tree of path segments, so the
 * reader visits exactly the annotated places (never the plain data around them) and knows, on
 * arriving at a place, whether it is shared.
 * @module
 */
import { show } from './show.js';
import { DEF_BUFFER, DEF_DATA, DEF_VALUE, parsePath } from './format.js';
import { badJsonError } from '../errors.js';
import { getOwn } from '../codec/own-property.js';

/** Above this many children, a node indexes them by segment (most nodes have one or two). */
const INDEX_FROM = 8;

/** One place of the value that the reader must visit. */
export class PlanNode {
  /** The annotation type, unchecked (the reader checks it); `undefined` for a plain container. */
  type: unknown = undefined;
  /** Places below, in the order they were named. */
  children: PlanNode[] | undefined = undefined;
  private index: Map<string, PlanNode> | undefined = undefined;
  /** Index in `meta.defs` of the value here, or -1. */
  def = -1;
  /** Index in `meta.defs` of the data of the class instance here, or -1. */
  dataDef = -1;
  /** Index in `meta.defs` of the buffer of the view here, or -1. */
  bufferDef = -1;

  /** Creates the place at raw path segment `segment` of its parent. */
  constructor(readonly segment: string) {}

  /** The child at `segment`, made if missing. */
  child(segment: string): PlanNode {
    const children = (this.children ??= []);
    if (children.length < INDEX_FROM) {
      for (const child of children) if (child.segment === segment) return child;
    } else {
      this.index ??= new Map(children.map((child) => [child.segment, child]));
      const found = this.index.get(segment);
      if (found !== undefined) return found;
    }
    const child = new PlanNode(segment);
    children.push(child);
    this.index?.set(segment, child);
    return child;
  }

  /** The child at `segment`, if there is one. */
  find(segment: string): PlanNode | undefined {
    return this.index !== undefined ? this.index.get(segment) : this.children?.find((child) => child.segment === segment);
  }
}

/** A plan and the number of shared objects it names. */
export interface Plan {
  /** The place of the value itself. */
  root: PlanNode;
  /** Length of `meta.defs`. */
  defCount: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Builds the plan of a wire's `meta`; `fromText`: it was just parsed from JSON text, so it is a tree. */
export function buildPlan(meta: unknown, fromText = false): Plan {
  if (!isRecord(meta)) throw badJsonError('"meta" must be an object');
  if (getOwn(meta, 'v') !== 1) throw badJsonError(`unsupported superjson path version ${show(getOwn(meta, 'v'))} in "meta.v" (expected 1)`);
  const root = new PlanNode('');
  const values = getOwn(meta, 'values');
  if (Array.isArray(values)) annotateAll(root, values, undefined, fromText);
  else if (isRecord(values)) annotateAll(root, undefined, values, fromText);
  else if (values !== undefined) throw badJsonError('"meta.values" must be an annotation or an object of annotations');
  const defs = getOwn(meta, 'defs');
  if (defs === undefined) return { root, defCount: 0 };
  if (!Array.isArray(defs)) throw badJsonError('"meta.defs" must be an array');
  // Walked until the first hole, which is an error: a sparse list costs what it holds.
  for (let index = 0; index < defs.length; index++) {
    if (!(index in defs)) throw badJsonError(`"meta.defs" has a hole at ${index}`);
    addDef(root, defs[index], index);
  }
  return { root, defCount: defs.length };
}

/**
 * Files the annotation tree into the plan. Iterative, so that meta nested as deep as the value
 * it describes never exhausts the stack. Every way down passes through a children object; unless
 * the meta was just read from JSON text (a tree), each is followed once, and one met again (meta
 * given as an object may share or loop; the writer never makes two places share one) is
 * malformed, which also bounds the work by the size of the meta. Leaf annotations may be shared:
 * the writer shares its frozen ones.
 */
function annotateAll(root: PlanNode, annotation: unknown[] | undefined, children: Record<string, unknown> | undefined, fromText: boolean): void {
  const seen = fromText ? undefined : new Set<object>();
  // Places still to fill with children objects, and those objects.
  const nodes: PlanNode[] = [];
  const records: Record<string, unknown>[] = [];
  const file = (node: PlanNode, item: unknown): void => {
    if (!Array.isArray(item) || item.length < 1 || item.length > 2) {
      throw badJsonError(`an annotation must be [type] or [type, children], got ${show(item)}`);
    }
    if (node.type !== undefined) throw badJsonError('two annotations for one place');
    const type: unknown = item[0];
    if (type === undefined) throw badJsonError('an annotation without a type');
    node.type = type;
    if (item.length === 2) {
      const below: unknown = item[1];
      if (!isRecord(below)) throw badJsonError('the children of an annotation must be an object');
      nodes.push(node);
      records.push(below);
    }
  };
  if (annotation !== undefined) file(root, annotation);
  else if (children !== undefined) {
    nodes.push(root);
    records.push(children);
  }
  while (nodes.length > 0) {
    const node = nodes.pop() as PlanNode;
    const record = records.pop() as Record<string, unknown>;
    if (seen !== undefined) {
      if (seen.has(record)) throw badJsonError('"meta.values" uses one annotation object in two places (or is cyclic)');
      seen.add(record);
    }
    for (const key of Object.keys(record)) file(pathTarget(node, key), getOwn(record, key));
  }
}

/** The place a children key (a superjson path relative to `node`) names. */
function pathTarget(node: PlanNode, key: string): PlanNode {
  // The usual case, one plain segment, without the allocations of a general parse.
  if (!key.includes('.') && !key.includes('\\')) return node.child(key);
  const segments = parsePath(key);
  if (segments === undefined) throw badJsonError(`invalid path ${JSON.stringify(key)} in "meta.values"`);
  let target = node;
  for (const segment of segments) target = target.child(segment);
  return target;
}

function addDef(root: PlanNode, entry: unknown, index: number): void {
  if (!Array.isArray(entry) || entry.length < 1) throw badJsonError(`"meta.defs[${index}]" must be [kind, ...path]`);
  let node = root;
  for (let i = 1; i < entry.length; i++) {
    const segment: unknown = entry[i];
    if (typeof segment !== 'string' && typeof segment !== 'number') throw badJsonError(`"meta.defs[${index}]" has a path segment that is not a string or number`);
    node = node.child(String(segment));
  }
  const kind: unknown = entry[0];
  const slot = kind === DEF_VALUE ? 'def' : kind === DEF_DATA ? 'dataDef' : kind === DEF_BUFFER ? 'bufferDef' : undefined;
  if (slot === undefined) throw badJsonError(`"meta.defs[${index}]" has an unknown kind ${show(kind)}`);
  if (node[slot] >= 0) throw badJsonError(`"meta.defs[${index}]" names a place that is already shared`);
  node[slot] = index;
}
