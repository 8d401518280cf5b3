/**
 * The encoder for values whose plain containers form cycles.
 *
 * Copy-on-write needs to know whether a container holds an instance before the container is
 * finished, which a cycle makes impossible in one pass. This encoder finds the strongly connected
 * components of the container graph (Tarjan's algorithm, on the same recursion as the walk):
 * the members of one component reach each other, so they are either all copied or all sent as
 * they are, decided when the component is complete. A back edge that crosses an instance's data
 * is a cycle through a Serialisable, which is `ERR_CYCLE`.
 * @module
 */
import { Encoder } from './encode.js';
import { celerityError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from './path.js';
import type { RegistryEntry } from './registry.js';
import { PLACE_MAP_KEYS, PLACE_MAP_VALUE, PLACE_NULL_PROTOTYPE, PLACE_PROPERTY, PLACE_SET_MEMBERS } from './wire.js';
import { setOwn } from './own-property.js';
import { firstHole, presentIndices } from './copy.js';

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

/** A container in the walk, with its Tarjan bookkeeping. */
class ContainerNode {
  low: number;
  done = false;
  changed = false;
  result: unknown;
  readonly slots: Slot[] = [];

  constructor(
    readonly original: object,
    readonly kind: ContainerKind,
    readonly index: number,
    readonly instanceDepth: number,
  ) {
    this.low = index;
  }
}

/** An encoder that handles cycles through plain containers; see the module notes. */
export class CyclicEncoder extends Encoder {
  private readonly nodes = new Map<object, ContainerNode>();
  private readonly stack: ContainerNode[] = [];
  private nextIndex = 0;
  /** The entry of each instance whose data is being encoded, outermost first, to name it in `ERR_CYCLE`. */
  private readonly open: (RegistryEntry | undefined)[] = [];

  /** Creates the state for one encode call. Instance data stays objects: no rows (see `row-shape.ts`). */
  constructor(strict: boolean) {
    super(strict, false);
  }

  protected override instance(value: object, entry: RegistryEntry | undefined): unknown {
    this.open.push(entry);
    try {
      return super.instance(value, entry);
    } finally {
      this.open.pop();
    }
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
    this.walk(node);
    if (node.low === node.index) this.finishComponent(node);
    return node.done ? node.result : node;
  }

  /** Encodes one child and files it in `slot`, tracking whether the container must change. */
  private child(node: ContainerNode, original: unknown, asKey: boolean, slot: Slot): void {
    const result = this.value(original);
    const instance = this.pendingInstance;
    this.pendingInstance = -1;
    if (result instanceof ContainerNode) node.low = Math.min(node.low, result.low);
    else if (instance >= 0 || result !== original) node.changed = true;
    if (asKey) {
      slot.key = result;
      slot.keyClass = this.pendingClass;
      slot.keyInstance = instance;
    } else {
      slot.value = result;
      slot.valueClass = this.pendingClass;
      slot.valueInstance = instance;
    }
  }

  private walk(node: ContainerNode): void {
    const newSlot = (key: unknown): Slot => ({ key, keyClass: 0, keyInstance: -1, value: undefined, valueClass: 0, valueInstance: -1 });
    let segment = '';
    try {
      switch (node.kind) {
        case OBJECT: {
          const source = node.original as Record<string, unknown>;
          for (const key of Object.keys(source)) {
            segment = propertySegment(key);
            const slot = newSlot(key);
            node.slots.push(slot);
            this.child(node, source[key], false, slot);
          }
          break;
        }
        case ARRAY: {
          const source = node.original as unknown[];
          // By index until the first hole, then only the elements the array has (see presentIndices).
          const dense = firstHole(source);
          const indices = dense === source.length ? undefined : presentIndices(source, dense);
          for (let n = 0, end = indices === undefined ? source.length : dense + indices.length; n < end; n++) {
            const i = n < dense ? n : (indices as number[])[n - dense] as number;
            segment = propertySegment(i);
            const slot = newSlot(i);
            node.slots.push(slot);
            this.child(node, source[i], false, slot);
          }
          break;
        }
        case MAP: {
          let index = 0;
          for (const [key, value] of node.original as Map<unknown, unknown>) {
            const slot = newSlot(undefined);
            node.slots.push(slot);
            segment = mapKeySegment(index++);
            this.child(node, key, true, slot);
            segment = mapValueSegment(key);
            this.child(node, value, false, slot);
          }
          break;
        }
        case SET: {
          let index = 0;
          for (const member of node.original as Set<unknown>) {
            const slot = newSlot(undefined);
            node.slots.push(slot);
            segment = setMemberSegment(index++);
            this.child(node, member, false, slot);
          }
          break;
        }
      }
    } catch (e) {
      addSegment(e, segment);
      throw e;
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
        break;
      case MAP: {
        const map = target as Map<unknown, unknown>;
        const fixes: unknown[] = [];
        for (const slot of node.slots) {
          let key = resolve(slot.key);
          if (slot.keyInstance >= 0) {
            key = [key];
            fixes.push(key, slot.keyClass, slot.keyInstance);
          }
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
          let member = resolve(slot.value);
          if (slot.valueInstance >= 0) {
            member = [member];
            fixes.push(member, slot.valueClass, slot.valueInstance);
          }
          set.add(member);
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
      return new Array<unknown>((node.original as unknown[]).length);
    case MAP:
      return new Map();
    case SET:
      return new Set();
  }
}

