/**
 * Object identity in the JSON writer. Every object is remembered with a link to its parent, so
 * that when one is met a second time (a shared reference, or a cycle back to an ancestor) its
 * first path can be rebuilt. Where superjson can follow it (both places outside instance data, an
 * error's extra properties and a view's buffer), the pair goes into superjson's
 * `referentialEqualities` and the second place holds a placeholder; otherwise the first place is
 * listed in `ext.defs` and the second becomes a reference to that entry. A cycle that runs through
 * an instance's data cannot be rebuilt: `ERR_CYCLE`.
 * @module
 */
import { className, isError } from '../codec/builtins.js';
import type { RegistryEntry } from '../codec/registry.js';
import { containerCycleError, instanceCycleError } from '../errors.js';
import { setOwn } from '../codec/own-property.js';
import { IdentityTable } from '../codec/identity.js';
import { AnnotationWriter, type Segment } from './annotations.js';
import { DEF_BUFFER, DEF_DATA, DEF_VALUE, Ext, sharedAnnotation, type DefEntry, type ExtType, type JsonValue, type ReferentialEqualities } from './format.js';

/** The state of an object whose walk has finished (others hold the instance depth they began at). */
const DONE = -1;

/** The path from an object's parent to it: one segment, or several (none for the root). */
type Link = Segment | readonly Segment[];

const ROOT_LINK: readonly Segment[] = [];
/** The data root of a class instance sits where the instance does. */
const DATA_LINK: readonly Segment[] = [];
/** The buffer of a view written in compact form has no path of its own. */
const BUFFER_LINK: readonly Segment[] = [];

const REF: ExtType = sharedAnnotation([Ext.Ref]);

/** The integers kept per object (see `ReferenceWriter.facts`), and where each sits. */
const SLOTS = 4;
const PARENT = 0;
const DEPTH = 1;
const STATE = 2;
const VISIBLE = 3;

/** The objects of one stringify call and their first paths; the writer builds on it. */
export class ReferenceWriter extends AnnotationWriter {
  /** Object → number; by number: link from the parent, and {@link facts}. */
  protected readonly ids = new IdentityTable();
  private readonly links: Link[] = [];
  /**
   * By number, {@link SLOTS} integers: parent's number, depth, walk state, whether the object was
   * met where superjson sees it (1 or 0). Typed, and grown by doubling, because JS arrays of tens
   * of thousands become large objects reallocated at each growth.
   */
  private facts = new Int32Array(64 * SLOTS);
  /** How many objects have a number. */
  private count = 0;
  /** Number of the container (or instance) being walked; -1 at the root. */
  protected current = -1;
  /** How many instances' data enclose the current position. */
  protected instanceDepth = 0;
  /**
   * How many places enclose the current position whose insides superjson does not see as we
   * write them (instance data, an error's `errors` and `props`, a view's buffer).
   */
  protected hidden = 0;
  private defs: DefEntry[] | undefined;
  private defIndex: Map<number, number> | undefined;
  /** Objects shared where superjson sees them: number → the paths of their later occurrences. */
  private equalities: Map<number, string[]> | undefined;

  /** Remembers a newly met object at the current position; returns its number. */
  protected enter(value: object): number {
    const id = this.count++;
    this.ids.set(value, id);
    let facts = this.facts;
    const at = id * SLOTS;
    if (at + SLOTS > facts.length) {
      const grown = new Int32Array(facts.length * 2);
      grown.set(facts);
      this.facts = facts = grown;
    }
    const parent = this.current;
    const from = parent < 0 ? 0 : (facts[parent * SLOTS + DEPTH] as number);
    const steps = this.depth - from;
    this.links.push(steps === 1 ? (this.segments[from] as Segment) : steps === 0 ? (parent < 0 ? ROOT_LINK : DATA_LINK) : this.segments.slice(from, this.depth));
    facts[at + PARENT] = parent;
    facts[at + DEPTH] = this.depth;
    facts[at + STATE] = this.instanceDepth;
    facts[at + VISIBLE] = this.hidden === 0 ? 1 : 0;
    return id;
  }

  /** Remembers the whole buffer of view number `view`, written inside the view (compact form). */
  protected enterBufferOf(buffer: object, view: number): void {
    const id = this.enter(buffer);
    this.facts[id * SLOTS + PARENT] = view;
    this.links[id] = BUFFER_LINK;
    this.facts[id * SLOTS + STATE] = DONE;
  }

  /** Marks object number `id` as walked (an object with no children needs no {@link leave}). */
  protected done(id: number): void {
    this.facts[id * SLOTS + STATE] = DONE;
  }

  /** Ends the walk of object number `id`: its parent is current again, and it is done. */
  protected leave(id: number): void {
    const at = id * SLOTS;
    this.current = this.facts[at + PARENT] as number;
    this.facts[at + STATE] = DONE;
  }

  /**
   * A second occurrence of object number `id`: a reference, unless it closes a cycle through class
   * data. `byPrototype` names the class of such an instance. `placeholder` is the json superjson
   * replaces with the object (`null`, as superjson writes it; a Set member or Map key needs a fresh
   * `{}`, as two nulls would merge).
   */
  protected reference(id: number, value: object, byPrototype: ReadonlyMap<object, RegistryEntry>, placeholder: JsonValue = null): JsonValue {
    const state = this.facts[id * SLOTS + STATE] as number;
    if (state !== DONE && state < this.instanceDepth) {
      const entry = byPrototype.get(Object.getPrototypeOf(value) as object);
      if (entry !== undefined) throw instanceCycleError(`An instance of ${entry.id}`, entry.id);
      if (isError(value)) throw instanceCycleError(`The ${className(value)} error`, undefined);
      throw containerCycleError();
    }
    const link = this.links[id];
    if (this.hidden === 0 && this.facts[id * SLOTS + VISIBLE] === 1 && link !== DATA_LINK && link !== BUFFER_LINK) {
      const paths = (this.equalities ??= new Map<number, string[]>());
      let later = paths.get(id);
      if (later === undefined) paths.set(id, (later = []));
      later.push(this.pathText(this.segments.slice(0, this.depth)));
      return placeholder;
    }
    this.putExt(REF);
    return this.defFor(id);
  }

  /** The `ext.defs` of the whole value, once the walk is over; none if nothing needed one. */
  protected definitions(): DefEntry[] | undefined {
    return this.defs;
  }

  /** superjson's `referentialEqualities` of the whole value, once the walk is over. */
  protected referentialEqualities(): ReferentialEqualities | undefined {
    if (this.equalities === undefined) return undefined;
    let root: string[] | undefined;
    let others: Record<string, string[]> | undefined;
    // In the order the objects were first met, as superjson lists them: it restores a Set member by
    // moving it to the end, which keeps the positions the later entries name only in this order.
    const ids = [...this.equalities.keys()].sort((a, b) => a - b);
    for (const id of ids) {
      const later = this.equalities.get(id) as string[];
      const path = this.firstPath(id);
      if (path.length === 0) root = later;
      else setOwn((others ??= {}), this.pathText(path), later);
    }
    if (root === undefined) return others;
    return others === undefined ? [root] : [root, others];
  }

  private defFor(id: number): number {
    const defIndex = (this.defIndex ??= new Map<number, number>());
    let index = defIndex.get(id);
    if (index === undefined) {
      const defs = (this.defs ??= []);
      index = defs.length;
      defs.push(this.defEntry(id));
      defIndex.set(id, index);
    }
    return index;
  }

  private defEntry(id: number): DefEntry {
    const own = this.links[id];
    const kind = own === DATA_LINK ? DEF_DATA : own === BUFFER_LINK ? DEF_BUFFER : DEF_VALUE;
    return [kind, ...this.firstPath(id)];
  }

  /** Rebuilds the first path of object number `id` from the parent links. */
  private firstPath(id: number): Segment[] {
    const reversed: Segment[] = [];
    for (let at = id; at >= 0; at = this.facts[at * SLOTS + PARENT] as number) {
      const link = this.links[at] as Link;
      if (typeof link === 'object') for (let i = link.length - 1; i >= 0; i--) reversed.push(link[i] as Segment);
      else reversed.push(link);
    }
    return reversed.reverse();
  }
}
