/**
 * The encoder for values whose plain containers form cycles or nest deeply.
 *
 * Copy-on-write needs to know whether a container holds an instance before the container is
 * finished, which a cycle makes impossible in one pass. This encoder finds the strongly connected
 * components of the container graph (Tarjan's algorithm): the members of one component reach each
 * other, so they are either all copied or all sent as they are, decided when the component is
 * complete. A back edge that crosses an instance's data is a cycle through a Serialisable, which is
 * `ERR_CYCLE`.
 *
 * The walk over plain containers keeps its own stack instead of recursing, so it follows nesting as
 * deep as structured clone does (and deeper): the fast encoder hands a value over to it when its
 * recursion gets deep. A registered instance is a step of the same walk (its data is its one
 * child); only an error's nested values are walked by a nested call.
 * @module
 */
import { Encoder } from './encode.js';
import { celerityError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from './path.js';
import type { RegistryEntry } from './registry.js';
import { PLACE_MAP_KEYS, PLACE_MAP_VALUE, PLACE_NULL_PROTOTYPE, PLACE_PROPERTY, PLACE_SET_MEMBERS } from './wire.js';
import { setOwn } from './own-property.js';
import { firstHole, presentIndices } from './copy.js';
import { namedKeys } from './array-named-keys.js';
import { serialised } from './encode-instances.js';
import { boxedMember } from './encode-places.js';

const OBJECT = 0;
const ARRAY = 1;
const MAP = 2;
const SET = 3;
type ContainerKind = typeof OBJECT | typeof ARRAY | typeof MAP | typeof SET;

/** One child of a container: its encoded value (or the pending node) and instance facts. */
interface Slot {
  /** Property key, array index, or the Map key's encoded value (or node). */
  key: unknown;
  keyClass: number;
  /** -1 unless the Map key is an instance. */
  keyInstance: number;
  value: unknown;
  valueClass: number;
  /** -1 unless the value is an instance. */
  valueInstance: number;
}

/** A container in the walk, with its Tarjan bookkeeping and how far its walk has got. */
class ContainerNode {
  low: number;
  done = false;
  changed = false;
  result: unknown;
  readonly slots: Slot[] = [];
  /** What the walk goes through: the keys, indices, entries or members, in order. */
  readonly children: readonly unknown[];
  /** The number of children started (a Map entry counts twice: its key, then its value). */
  position = 0;
  /** The child being encoded: its original value, and whether it is a Map key. */
  child: unknown;
  childIsKey = false;

  constructor(
    readonly original: object,
    readonly kind: ContainerKind,
    readonly index: number,
    readonly instanceDepth: number,
  ) {
    this.low = index;
    this.children = childrenOf(original, kind);
  }

  /** The number of steps the walk takes: one per child, two per Map entry. */
  get steps(): number {
    return this.kind === MAP ? this.children.length * 2 : this.children.length;
  }

  /** Files the next child's slot and returns the child to encode. */
  next(): unknown {
    const child = this.nextChild();
    this.child = child;
    return child;
  }

  private nextChild(): unknown {
    const n = this.position++;
    switch (this.kind) {
      case OBJECT: {
        const key = this.children[n] as string;
        this.slots.push(newSlot(key));
        return (this.original as Record<string, unknown>)[key];
      }
      case ARRAY: {
        // An index, or the name of a named property.
        const key = this.children[n] as number | string;
        this.slots.push(newSlot(key));
        return (this.original as unknown[] & Record<string, unknown>)[key];
      }
      case MAP: {
        const entry = this.children[n >> 1] as [unknown, unknown];
        this.childIsKey = (n & 1) === 0;
        if (this.childIsKey) {
          this.slots.push(newSlot(undefined));
          return entry[0];
        }
        return entry[1];
      }
      default:
        this.slots.push(newSlot(undefined));
        return this.children[n];
    }
  }

  /** The path step to the child being encoded, for an error's path. */
  segment(): string {
    const n = this.position - 1;
    switch (this.kind) {
      case OBJECT:
      case ARRAY:
        return propertySegment(this.children[n] as string | number);
      case MAP:
        return this.childIsKey ? mapKeySegment(n >> 1) : mapValueSegment((this.children[n >> 1] as [unknown, unknown])[0]);
      default:
        return setMemberSegment(n);
    }
  }
}

/** A registered instance in the walk: its one child is what its `toSerialisable()` returned. */
class InstanceFrame {
  position = 0;
  readonly steps = 1;
  readonly childIsKey = false;
  /** The encoded data, and the instance it is when the data is itself an instance (else -1). */
  data: unknown;
  dataClass = 0;
  dataInstance = -1;

  constructor(
    readonly instance: number,
    readonly child: unknown,
  ) {}

  next(): unknown {
    this.position++;
    return this.child;
  }

  /** The data is at the instance's own path. */
  segment(): string {
    return '';
  }
}

type Frame = ContainerNode | InstanceFrame;

/** An encoder that handles cycles and deep nesting through plain containers; see the module notes. */
export class GraphEncoder extends Encoder {
  private readonly nodes = new Map<object, ContainerNode>();
  /** Tarjan's stack: the containers whose component is not complete yet. */
  private readonly stack: ContainerNode[] = [];
  /** The containers being walked, outermost first: the walk's own call stack. */
  private readonly walking: Frame[] = [];
  private nextIndex = 0;
  /** The entry of each instance whose data is being encoded, outermost first, to name it in `ERR_CYCLE`. */
  private readonly open: (RegistryEntry | undefined)[] = [];
  /**
   * Set by the walk just before it encodes a child: a container met then is not walked by a nested
   * call but handed back in {@link started}, for the walk to push on its own stack.
   */
  private deferring = false;
  private started: Frame | undefined;

  /** Creates the state for one encode call. Instance data stays objects: no rows (see `row-shape.ts`). */
  constructor(strict: boolean) {
    super(strict, false);
  }

  protected override instance(value: object, entry: RegistryEntry | undefined): unknown {
    const deferred = this.deferring;
    this.deferring = false;
    if (!deferred || entry === undefined || entry.isError) {
      // Walked to the end by a call of its own (an error's record, or an instance at the root).
      this.open.push(entry);
      try {
        return super.instance(value, entry);
      } finally {
        this.open.pop();
      }
    }
    const instance = this.beginInstance(value, entry);
    if (instance < 0) return this.instanceData[~instance];
    this.open.push(entry);
    const frame = new InstanceFrame(instance, serialised(value, entry));
    this.started = frame;
    return frame;
  }

  protected override object(source: Record<string, unknown>): unknown {
    // A null prototype is recorded when the object's component is finished.
    return this.visit(source, OBJECT);
  }

  protected override array(source: unknown[]): unknown {
    return this.visit(source, ARRAY);
  }

  protected override map(source: Map<unknown, unknown>): unknown {
    return this.visit(source, MAP);
  }

  protected override set(source: Set<unknown>): unknown {
    return this.visit(source, SET);
  }

  private visit(source: object, kind: ContainerKind): unknown {
    const deferred = this.deferring;
    this.deferring = false;
    const known = this.nodes.get(source);
    if (known !== undefined) {
      if (known.done) return known.result;
      if (known.instanceDepth < this.instanceDepth) {
        // The instance entered first since that container: the one whose data leads back to it.
        const entry = this.open[known.instanceDepth];
        throw celerityError(
          'ERR_CYCLE',
          `${entry === undefined ? "An error's data" : `The data of an instance of ${entry.id}`} leads back to a container that holds the instance itself; a cycle through a Serialisable's data cannot be rebuilt. Break the cycle in toSerialisable()`,
          entry === undefined ? {} : { classId: entry.id },
        );
      }
      return known;
    }
    const node = new ContainerNode(source, kind, this.nextIndex++, this.instanceDepth);
    this.nodes.set(source, node);
    this.stack.push(node);
    if (deferred) {
      this.started = node;
      return node;
    }
    return this.walk(node);
  }

  /**
   * Walks the containers under `root` depth first on {@link walking}, not on the call stack, and
   * returns what stands for `root`: its result once its component is complete, the node until then.
   */
  private walk(root: ContainerNode): unknown {
    const walking = this.walking;
    const base = walking.length;
    walking.push(root);
    try {
      for (;;) {
        const frame = walking[walking.length - 1] as Frame;
        if (frame.position < frame.steps) {
          const child = frame.next();
          this.deferring = true;
          const result = this.value(child);
          this.deferring = false;
          const started = this.started;
          if (started !== undefined) {
            this.started = undefined;
            walking.push(started);
          } else {
            this.receive(frame, result, this.pendingInstance);
          }
          continue;
        }
        walking.pop();
        const result = this.finishFrame(frame);
        if (walking.length === base) return result;
        this.receive(walking[walking.length - 1] as Frame, result, frame instanceof InstanceFrame ? frame.instance : -1);
      }
    } catch (e) {
      this.deferring = false;
      this.started = undefined;
      for (let i = walking.length - 1; i >= base; i--) addSegment(e, (walking[i] as Frame).segment());
      walking.length = base;
      throw e;
    }
  }

  /** What stands for a frame whose children are all encoded (an instance is then the pending one). */
  private finishFrame(frame: Frame): unknown {
    if (frame instanceof InstanceFrame) {
      this.open.pop();
      this.pendingClass = frame.dataClass;
      this.pendingInstance = frame.dataInstance;
      return this.endInstance(frame.instance, frame.data);
    }
    if (frame.low === frame.index) this.finishComponent(frame);
    return frame.done ? frame.result : frame;
  }

  /** Files the encoded form of `node`'s current child, tracking whether the container must change. */
  private receive(node: Frame, result: unknown, instance: number): void {
    this.pendingInstance = -1;
    if (node instanceof InstanceFrame) {
      // An instance's data never stays pending: a cycle out of it is ERR_CYCLE.
      node.data = result;
      node.dataClass = this.pendingClass;
      node.dataInstance = instance;
      return;
    }
    if (result instanceof ContainerNode) node.low = Math.min(node.low, result.low);
    else if (instance >= 0 || result !== node.child) node.changed = true;
    const slot = node.slots[node.slots.length - 1] as Slot;
    if (node.childIsKey) {
      slot.key = result;
      slot.keyClass = this.pendingClass;
      slot.keyInstance = instance;
    } else {
      slot.value = result;
      slot.valueClass = this.pendingClass;
      slot.valueInstance = instance;
    }
  }

  /** Pops the component rooted at `root`, copies it if any member changed, and emits its places. */
  private finishComponent(root: ContainerNode): void {
    const members: ContainerNode[] = [];
    let member: ContainerNode | undefined;
    do {
      member = this.stack.pop();
      if (member === undefined) break;
      members.push(member);
    } while (member !== root);
    const copy = members.some((m) => m.changed);
    for (const m of members) {
      m.result = copy ? emptyCopy(m) : m.original;
      if (m.kind === OBJECT && Object.getPrototypeOf(m.original) === null) this.record(PLACE_NULL_PROTOTYPE, m.result, 0, -1, -1);
      m.done = true;
    }
    if (copy) for (const m of members) this.fill(m);
  }

  /** Fills the copy of `node` with its encoded children and records their places. */
  private fill(node: ContainerNode): void {
    const target = node.result;
    switch (node.kind) {
      case OBJECT:
      case ARRAY:
        for (const slot of node.slots) {
          const value = resolve(slot.value);
          setOwn(target as object, slot.key as string | number, value);
          if (slot.valueInstance >= 0) this.record(PLACE_PROPERTY, target, slot.key, slot.valueClass, slot.valueInstance);
        }
        if (node.kind === ARRAY) (target as unknown[]).length = (node.original as unknown[]).length;
        break;
      case MAP: {
        const map = target as Map<unknown, unknown>;
        const fixes: unknown[] = [];
        for (const slot of node.slots) {
          const key = slot.keyInstance >= 0 ? boxedMember(fixes, resolve(slot.key), slot.keyClass, slot.keyInstance) : resolve(slot.key);
          map.set(key, resolve(slot.value));
          if (slot.valueInstance >= 0) this.record(PLACE_MAP_VALUE, map, key, slot.valueClass, slot.valueInstance);
        }
        if (fixes.length > 0) this.record(PLACE_MAP_KEYS, map, fixes, -1, -1);
        break;
      }
      case SET: {
        const set = target as Set<unknown>;
        const fixes: unknown[] = [];
        for (const slot of node.slots) {
          set.add(slot.valueInstance >= 0 ? boxedMember(fixes, resolve(slot.value), slot.valueClass, slot.valueInstance) : resolve(slot.value));
        }
        if (fixes.length > 0) this.record(PLACE_SET_MEMBERS, set, fixes, -1, -1);
        break;
      }
    }
  }
}

function resolve(value: unknown): unknown {
  return value instanceof ContainerNode ? value.result : value;
}

function emptyCopy(node: ContainerNode): object {
  switch (node.kind) {
    case OBJECT:
      return Object.getPrototypeOf(node.original) === null ? (Object.create(null) as object) : {};
    case ARRAY:
      // Filled in index order and given its length after (see fill): a packed array, which structured
      // clone copies on far less stack than a holey one.
      return [];
    case MAP:
      return new Map();
    case SET:
      return new Set();
  }
}


function newSlot(key: unknown): Slot {
  return { key, keyClass: 0, keyInstance: -1, value: undefined, valueClass: 0, valueInstance: -1 };
}

/** What the walk of a container goes through, in order (see {@link ContainerNode.children}). */
function childrenOf(source: object, kind: ContainerKind): readonly unknown[] {
  switch (kind) {
    case OBJECT:
      return Object.keys(source);
    case ARRAY: {
      const array = source as unknown[];
      // By index until the first hole, then only the elements the array has (see presentIndices).
      const dense = firstHole(array);
      const keys: (number | string)[] = [];
      for (let i = 0; i < dense; i++) keys.push(i);
      if (dense < array.length) for (const index of presentIndices(array, dense)) keys.push(index);
      const named = namedKeys(array);
      if (named !== undefined) for (const key of named) keys.push(key);
      return keys;
    }
    case MAP:
      return [...(source as Map<unknown, unknown>)];
    case SET:
      return [...(source as Set<unknown>)];
  }
}
