/**
 * The reading plan: superjson's annotations and shared objects (`meta`) and celerity's own
 * (`ext`; in version 1 texts, `meta.values` and `meta.defs`) merged into one tree of path
 * segments, so the reader visits exactly the annotated places (never the plain data around them)
 * and knows, on arriving at a place, whether it is shared or another occurrence of a shared object.
 * @module
 */
import { show } from './show.js';
import { DEF_BUFFER, DEF_DATA, DEF_VALUE, EXT, parsePath, type ReadableJsonVersion } from './format.js';
import { badJsonError } from '../errors.js';
import { getOwn } from '../codec/own-property.js';

/** Above this many children, a node indexes them by segment (most nodes have one or two). */
const INDEX_FROM = 8;

/** One place of the value that the reader must visit. */
export class PlanNode {
  /** superjson's annotation type, unchecked (the reader checks it); `undefined` when it has none. */
  type: unknown = undefined;
  /** celerity's own annotation type (`[kind, ...]`), unchecked; `undefined` when it has none. */
  ext: unknown[] | undefined = undefined;
  /** Index of the shared object that stands here (another occurrence of it), or -1. */
  ref = -1;
  /** Places below, in the order they were named. */
  children: PlanNode[] | undefined = undefined;
  /**
   * The children by segment, once there are many: a record without prototype, not a Map, as the
   * segments of a long array's elements are its indices, which an object keeps as elements,
   * without hashing (a Map of thousands of entries is allocated as a large object at each growth).
   */
  private index: Record<string, PlanNode> | undefined = undefined;
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
      const index = (this.index ??= indexOf(children));
      const found = index[segment];
      if (found !== undefined) return found;
    }
    const child = new PlanNode(segment);
    children.push(child);
    if (this.index !== undefined) this.index[segment] = child;
    return child;
  }

  /** The child at `segment`, if there is one. */
  find(segment: string): PlanNode | undefined {
    return this.index !== undefined ? this.index[segment] : this.children?.find((child) => child.segment === segment);
  }
}

/** A plan and the number of shared objects it names. */
export interface Plan {
  /** The place of the value itself. */
  root: PlanNode;
  /** Length of `meta.defs`. */
  defCount: number;
}

function indexOf(children: readonly PlanNode[]): Record<string, PlanNode> {
  const index = Object.create(null) as Record<string, PlanNode>;
  for (const child of children) index[child.segment] = child;
  return index;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the plan of a wire's `meta` and `ext` (either may be undefined); `fromText`: they were
 * just parsed from JSON text, so they are trees.
 */
export function buildPlan(meta: unknown, ext: unknown, version: ReadableJsonVersion, fromText = false): Plan {
  const root = new PlanNode('');
  let defCount = 0;
  if (meta !== undefined) {
    if (!isRecord(meta)) throw badJsonError('"meta" must be an object');
    if (getOwn(meta, 'v') !== 1) throw badJsonError(`unsupported superjson path version ${show(getOwn(meta, 'v'))} in "meta.v" (expected 1)`);
    const values = getOwn(meta, 'values');
    if (Array.isArray(values)) annotateAll(root, values, undefined, fromText, version);
    else if (isRecord(values)) annotateAll(root, undefined, values, fromText, version);
    else if (values !== undefined) throw badJsonError('"meta.values" must be an annotation or an object of annotations');
    if (version === 1) defCount = addDefs(root, getOwn(meta, 'defs'), '"meta.defs"');
  }
  if (version === 2) {
    if (ext !== undefined) {
      if (!isRecord(ext)) throw badJsonError('"ext" must be an object');
      addExtTypes(root, getOwn(ext, 'types'));
      defCount = addDefs(root, getOwn(ext, 'defs'), '"ext.defs"');
    }
    if (meta !== undefined) defCount = addEqualities(root, getOwn(meta, 'referentialEqualities'), defCount, fromText);
  }
  return { root, defCount };
}

/** Files a list of shared objects (`[kind, ...path]` each); returns how many there are. */
function addDefs(root: PlanNode, defs: unknown, where: string): number {
  if (defs === undefined) return 0;
  if (!Array.isArray(defs)) throw badJsonError(`${where} must be an array`);
  // Walked until the first hole, which is an error: a sparse list costs what it holds.
  for (let index = 0; index < defs.length; index++) {
    if (!(index in defs)) throw badJsonError(`${where} has a hole at ${index}`);
    addDef(root, defs[index], index, where);
  }
  return defs.length;
}

/** The place raw path segments `path[from..]` name below `node`, made if missing. */
function placeAt(node: PlanNode, path: readonly unknown[], from: number, where: string): PlanNode {
  let target = node;
  for (let i = from; i < path.length; i++) {
    const segment: unknown = path[i];
    if (typeof segment !== 'string' && typeof segment !== 'number') throw badJsonError(`${where} has a path segment that is not a string or number`);
    target = target.child(String(segment));
  }
  return target;
}

/** Files `ext.types`: celerity's own annotations, `[type, ...path]` each. */
function addExtTypes(root: PlanNode, types: unknown): void {
  if (types === undefined) return;
  if (!Array.isArray(types)) throw badJsonError('"ext.types" must be an array');
  for (let index = 0; index < types.length; index++) {
    const entry: unknown = types[index];
    if (!Array.isArray(entry) || entry.length < 1 || !Array.isArray(entry[0]) || typeof entry[0][0] !== 'string') {
      throw badJsonError(`"ext.types[${index}]" must be [[kind, ...], ...path]`);
    }
    const node = placeAt(root, entry, 1, `"ext.types[${index}]"`);
    if (node.ext !== undefined) throw badJsonError('two of celerity\'s annotations for one place');
    node.ext = entry[0] as unknown[];
  }
}

/**
 * Files superjson's `referentialEqualities`: the first place of each object becomes a shared
 * object (numbered after those of `ext.defs`, or sharing the number the place already has), and
 * its other places references to it. Returns the number of shared objects.
 */
function addEqualities(root: PlanNode, equalities: unknown, defCount: number, fromText: boolean): number {
  if (equalities === undefined) return defCount;
  const seen = fromText ? undefined : new Set<object>();
  let count = defCount;
  const add = (first: PlanNode, later: unknown): void => {
    if (!Array.isArray(later)) throw badJsonError('"meta.referentialEqualities" must list paths');
    if (seen !== undefined) {
      if (seen.has(later)) throw badJsonError('"meta.referentialEqualities" uses one list in two places');
      seen.add(later);
    }
    if (first.def < 0) first.def = count++;
    for (let i = 0; i < later.length; i++) {
      if (!(i in later)) throw badJsonError(`"meta.referentialEqualities" has a hole at ${i}`);
      const node = pathPlace(root, later[i]);
      if (node === root || node.ref >= 0) throw badJsonError('"meta.referentialEqualities" names one place twice');
      node.ref = first.def;
    }
  };
  const addAll = (record: unknown): void => {
    if (!isRecord(record)) throw badJsonError('"meta.referentialEqualities" must be an object of path lists');
    for (const key of Object.keys(record)) add(pathPlace(root, key), getOwn(record, key));
  };
  if (Array.isArray(equalities)) {
    if (equalities.length < 1 || equalities.length > 2) throw badJsonError('"meta.referentialEqualities" must be [rootPaths] or [rootPaths, others]');
    add(root, equalities[0]);
    if (equalities.length === 2) addAll(equalities[1]);
  } else {
    addAll(equalities);
  }
  return count;
}

/** The place a superjson path (from the root) names. */
function pathPlace(root: PlanNode, path: unknown): PlanNode {
  if (typeof path !== 'string') throw badJsonError('"meta.referentialEqualities" has a path that is not a string');
  const segments = parsePath(path);
  if (segments === undefined) throw badJsonError(`invalid path ${JSON.stringify(path)} in "meta.referentialEqualities"`);
  return placeAt(root, segments, 0, '"meta.referentialEqualities"');
}

/**
 * Files the annotation tree into the plan. Iterative, so that meta nested as deep as the value
 * it describes never exhausts the stack. Every way down passes through a children object; unless
 * the meta was just read from JSON text (a tree), each is followed once, and one met again (meta
 * given as an object may share or loop; the writer never makes two places share one) is
 * malformed, which also bounds the work by the size of the meta. Leaf annotations may be shared:
 * the writer shares its frozen ones.
 */
function annotateAll(root: PlanNode, annotation: unknown[] | undefined, children: Record<string, unknown> | undefined, fromText: boolean, version: ReadableJsonVersion): void {
  const seen = fromText ? undefined : new Set<object>();
  // Places still to fill with children objects, and those objects.
  const nodes: PlanNode[] = [];
  const records: Record<string, unknown>[] = [];
  const file = (node: PlanNode, item: unknown): void => {
    if (!Array.isArray(item) || item.length < 1 || item.length > 2) {
      throw badJsonError(`an annotation must be [type] or [type, children], got ${show(item)}`);
    }
    if (node.type !== undefined || node.ext !== undefined) throw badJsonError('two annotations for one place');
    const type: unknown = item[0];
    if (type === undefined) throw badJsonError('an annotation without a type');
    // Version 1 kept celerity's own annotations here, headed "celerity".
    if (version === 1 && Array.isArray(type) && type[0] === EXT) node.ext = type.slice(1);
    else node.type = type;
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

function addDef(root: PlanNode, entry: unknown, index: number, where: string): void {
  if (!Array.isArray(entry) || entry.length < 1) throw badJsonError(`${where}[${index}] must be [kind, ...path]`);
  const node = placeAt(root, entry, 1, `${where}[${index}]`);
  const kind: unknown = entry[0];
  const slot = kind === DEF_VALUE ? 'def' : kind === DEF_DATA ? 'dataDef' : kind === DEF_BUFFER ? 'bufferDef' : undefined;
  if (slot === undefined) throw badJsonError(`${where}[${index}] has an unknown kind ${show(kind)}`);
  if (node[slot] >= 0) throw badJsonError(`${where}[${index}] names a place that is already shared`);
  node[slot] = index;
}
