/**
 * The reader: rebuilds a value from a wire by visiting the places its plan names, in place.
 *
 * Containers are made on arrival (before their contents), so a reference back to an enclosing
 * Map, Set or object finds the very object that will hold it; instances and errors are built on
 * leaving (after their data), as they must be. When the wire shares objects, children are
 * visited in the order the writer met them, so every reference finds its object already made.
 * Nothing outside the plan is ever interpreted: data that looks like an annotation is data. The
 * reader keeps its own stack (`read-frame.ts`), so nesting is bounded by memory, not by the call
 * stack.
 * @module
 */
import { show } from './show.js';
import { recordToError, type ErrorRecord } from '../codec/error-record.js';
import { fromSerialisableError, badJsonError, celerityError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from '../codec/path.js';
import { registryTable } from '../codec/registry.js';
import { fromBase64, typedArrayConstructor, viewConstructor } from './bytes.js';
import { Ext, NATIVE_ERROR_NAMES, type ReadableJsonVersion } from './format.js';
import type { PlanNode } from './plan.js';
import { getOwn, setOwn } from '../codec/own-property.js';
import { isArrayIndex } from '../codec/array-named-keys.js';
import type { RegistryEntry } from '../codec/registry.js';
import { Ending, ReadFrame, Slots } from './read-frame.js';

/** What a `["celerity","hole"]` place reads as: its array slot is deleted. */
export const HOLE: unique symbol = Symbol('celerity.json.hole');
const UNSET: unique symbol = Symbol('celerity.json.unset');

const NUMBERS = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['-0', -0],
]);
/** Whether `text` is an integer in decimal (a loop: see `isIdentifier` in codec/path.ts). */
function isInteger(text: string): boolean {
  const start = text.startsWith('-') ? 1 : 0;
  if (text.length === start) return false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
const NO_CHILDREN: readonly PlanNode[] = [];

type Container = Record<string, unknown>;

function isRecord(value: unknown): value is Container {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The index an array segment names, or -1. */
function arrayIndex(segment: string, length: number): number {
  if (!isArrayIndex(segment)) return -1;
  const n = Number(segment);
  return n < length ? n : -1;
}


/** Returned by the readers of a place when its children are still to read (its frame is on top). */
const PENDING: unique symbol = Symbol('celerity.json.pending');

/**
 * One parse call's state. Not reusable. Places with annotated children are read on the reader's
 * own stack of frames (`read-frame.ts`), not by recursion, so meta as deep as memory allows is read.
 */
export class JsonReader {
  private readonly byId = registryTable().byId;
  private readonly defs: unknown[];
  /** Whether children must be visited in the writer's order (only references depend on it). */
  private readonly ordered: boolean;
  private readonly frames: ReadFrame[] = [];

  /** Creates the state for a wire of format `version` naming `defCount` shared objects. */
  constructor(
    defCount: number,
    private readonly version: ReadableJsonVersion,
  ) {
    this.defs = new Array<unknown>(defCount).fill(UNSET);
    this.ordered = defCount > 0;
  }

  /** The value `raw` stands for at the place `node`. */
  revive(raw: unknown, node: PlanNode): unknown {
    const value = this.open(raw, node);
    return value === PENDING ? this.walk() : value;
  }

  /**
   * Reads the frames until the one on top when called is done; returns its value. Each turn either
   * reads the top frame's next child, or ends the frame and files its value in the frame below.
   */
  private walk(): unknown {
    const frames = this.frames;
    const base = frames.length - 1;
    try {
      for (;;) {
        const frame = frames[frames.length - 1] as ReadFrame;
        if (frame.position < frame.children.length) {
          const child = frame.children[frame.position++] as PlanNode;
          frame.at = undefined;
          const raw = this.enter(frame, child);
          if (raw === PENDING) continue;
          const value = this.open(raw, child);
          if (value !== PENDING) this.store(frame, value);
          continue;
        }
        frames.pop();
        const value = this.end(frame);
        if (frames.length === base) return value;
        this.store(frames[frames.length - 1] as ReadFrame, value);
      }
    } catch (error) {
      for (let i = frames.length - 1; i >= base; i--) addSegment(error, segmentOf(frames[i] as ReadFrame));
      frames.length = base;
      throw error;
    }
  }

  /** Starts reading a place: its value, or {@link PENDING} with a frame pushed for its children. */
  private open(raw: unknown, node: PlanNode): unknown {
    if (node.ref >= 0) return this.another(node);
    if (node.ext !== undefined) return this.extension(raw, node, node.ext);
    const type = node.type;
    if (type === undefined) {
      this.noSpecialDefs(node);
      if (node.def >= 0) this.defs[node.def] = raw;
      return node.children === undefined ? raw : this.pushContainer(Ending.Raw, node, raw, node.children);
    }
    if (typeof type === 'string') return this.builtIn(raw, node, type);
    if (Array.isArray(type) && type.length === 2) {
      if (type[0] === 'custom') return this.instance(raw, node, type[1], false);
      if (type[0] === 'typed-array' && this.version >= 2) return this.typedArray(raw, node, type[1]);
    }
    throw badJsonError(`unknown annotation ${show(type)}`);
  }

  /** Another occurrence of a shared object (superjson's `referentialEqualities`): the object, already made. */
  private another(node: PlanNode): unknown {
    if (node.type !== undefined || node.ext !== undefined || node.def >= 0) throw badJsonError('an annotation at a place that repeats a shared object');
    const target = this.defs[node.ref];
    this.leaf(node, target !== UNSET && target !== undefined);
    return target;
  }

  private push(slots: Slots, ending: Ending, node: PlanNode, json: object, children: readonly PlanNode[]): ReadFrame {
    const frame = new ReadFrame(slots, ending, node, json, this.order(children, json));
    this.frames.push(frame);
    return frame;
  }

  /** Pushes a frame reading `children` of a plain container (an array or an object) in place. */
  private pushContainer(ending: Ending, node: PlanNode, raw: unknown, children: readonly PlanNode[]): typeof PENDING {
    if (Array.isArray(raw)) this.push(Slots.Array, ending, node, raw, children);
    else if (isRecord(raw)) this.push(Slots.Object, ending, node, raw, children);
    else throw badJsonError('an annotation names a property of a value that is not an object');
    return PENDING;
  }

  /** Finds the json of `frame`'s next child `child` (checking it is there); {@link PENDING} when it has a frame of its own. */
  private enter(frame: ReadFrame, child: PlanNode): unknown {
    const segment = child.segment;
    switch (frame.slots) {
      case Slots.Array: {
        const array = frame.json as unknown[];
        const index = arrayIndex(segment, array.length);
        if (index >= 0 && index in array) {
          frame.at = index;
          return array[index];
        }
        // A named property, which only the object form gives an array.
        if (index < 0 && segment !== 'length' && !isArrayIndex(segment) && Object.hasOwn(array, segment)) {
          frame.at = segment;
          return getOwn(array, segment);
        }
        throw badJsonError(`an annotation names element ${JSON.stringify(segment)}, which the array does not have`);
      }
      case Slots.Object: {
        const record = frame.json as Container;
        if (!Object.hasOwn(record, segment)) throw badJsonError(`an annotation names property ${JSON.stringify(segment)}, which the object does not have`);
        frame.at = segment;
        return getOwn(record, segment);
      }
      case Slots.Entries: {
        const entries = frame.json as unknown[];
        const index = arrayIndex(segment, entries.length);
        const pair = entries[index];
        if (index < 0 || !Array.isArray(pair) || pair.length !== 2 || child.type !== undefined || child.def >= 0) {
          throw badJsonError(`an annotation names Map entry ${JSON.stringify(segment)}, which is not a [key, value] pair`);
        }
        frame.at = index;
        this.push(Slots.Pair, Ending.Part, child, pair, child.children ?? NO_CHILDREN).made = index;
        return PENDING;
      }
      case Slots.Pair: {
        const at = segment === '0' ? 0 : segment === '1' ? 1 : -1;
        if (at < 0) throw badJsonError(`an annotation names part ${JSON.stringify(segment)} of a Map entry`);
        frame.at = at;
        return (frame.json as unknown[])[at];
      }
      case Slots.Members: {
        const members = frame.json as unknown[];
        const index = arrayIndex(segment, members.length);
        if (index < 0) throw badJsonError(`an annotation names Set member ${JSON.stringify(segment)}, which the Set does not have`);
        frame.at = index;
        return members[index];
      }
      case Slots.ErrorFields: {
        const record = frame.json as Container;
        if (segment === 'cause' && this.hasCause(record)) {
          frame.at = segment;
          return record.cause;
        }
        if ((segment === 'errors' || segment === 'props') && record[segment] !== undefined) {
          if (child.type !== undefined || child.def >= 0 || child.children === undefined) throw badJsonError(`malformed annotation of an error's ${segment}`);
          frame.at = segment;
          return this.pushContainer(Ending.Part, child, record[segment], child.children);
        }
        throw badJsonError(`an annotation names ${JSON.stringify(segment)} of an error record`);
      }
      default:
        // A boxed instance's data, or a view's buffer: element 0, checked when the frame was made.
        frame.at = 0;
        return (frame.json as unknown[])[0];
    }
  }

  /** Files `value`, read at `frame`'s current child, in its place. */
  private store(frame: ReadFrame, value: unknown): void {
    const at = frame.at;
    switch (frame.slots) {
      case Slots.Array:
        if (value !== HOLE) setOwn(frame.json as unknown[], at as number | string, value);
        else if (typeof at === 'number') Reflect.deleteProperty(frame.json as unknown[], at);
        else throw badJsonError('a hole as a named property of an array');
        return;
      case Slots.Object:
        if (value === HOLE) throw badJsonError('a hole outside an array');
        setOwn(frame.json as Container, at as string, value);
        return;
      case Slots.Entries:
        return;
      case Slots.Pair:
        if (value === HOLE) throw badJsonError('a hole in a Map');
        (frame.json as unknown[])[at as number] = value;
        return;
      case Slots.Members:
        if (value === HOLE) throw badJsonError('a hole in a Set');
        (frame.json as unknown[])[at as number] = value;
        return;
      case Slots.ErrorFields:
        if (at !== 'cause') return;
        if (value === HOLE) throw badJsonError("a hole as an error's cause");
        (frame.json as Container).cause = value;
        return;
      default:
        if (value === HOLE) throw badJsonError('a hole as instance data or a buffer');
        frame.made = value;
    }
  }

  /** The value of a place whose children are all read. */
  private end(frame: ReadFrame): unknown {
    switch (frame.ending) {
      case Ending.Raw:
        return frame.json;
      case Ending.Part:
        return undefined;
      case Ending.Map:
        return fillMap(frame.made as Map<unknown, unknown>, frame.json as unknown[]);
      case Ending.Set:
        return fillSet(frame.made as Set<unknown>, frame.json as unknown[]);
      case Ending.Instance:
        return this.build(frame.node, frame.classId, frame.entry as RegistryEntry, frame.slots === Slots.Box ? frame.made : frame.json);
      case Ending.Error:
        return this.buildError(frame.node, frame.json as Container, frame.classId);
      default:
        return this.buildView(frame.node, frame.type as unknown[], frame.json as unknown[], frame.made);
    }
  }

  private builtIn(raw: unknown, node: PlanNode, type: string): unknown {
    switch (type) {
      case 'undefined':
        this.leaf(node, raw === null);
        return undefined;
      case 'bigint':
        this.leaf(node, typeof raw === 'string' && isInteger(raw));
        return BigInt(raw as string);
      case 'number':
        this.leaf(node, NUMBERS.has(raw));
        return NUMBERS.get(raw);
      case 'Date':
        this.leaf(node, typeof raw === 'string');
        return this.made(node, new Date(raw as string));
      case 'regexp': {
        const text = typeof raw === 'string' ? raw : '';
        const end = text.lastIndexOf('/');
        this.leaf(node, text.startsWith('/') && end > 0);
        try {
          return this.made(node, new RegExp(text.slice(1, end), text.slice(end + 1)));
        } catch (cause) {
          throw badJsonError(`invalid regular expression ${JSON.stringify(text)}`, cause);
        }
      }
      case 'URL': {
        this.leaf(node, typeof raw === 'string');
        try {
          return this.made(node, new URL(raw as string));
        } catch (cause) {
          throw badJsonError(`invalid URL ${JSON.stringify(raw)}`, cause);
        }
      }
      case 'map':
        return this.map(raw, node);
      case 'set':
        return this.set(raw, node);
      case 'Error': {
        // Without our annotation beside it: a native error, of the class its name says.
        if (this.version === 1) break;
        const name = isRecord(raw) ? getOwn(raw, 'name') : undefined;
        return this.error(raw, node, typeof name === 'string' && NATIVE_ERROR_NAMES.has(name) ? name : '');
      }
    }
    throw badJsonError(`unknown annotation ${show(type)}`);
  }

  /** A place with one of celerity's own annotations, `[kind, ...]` (in version 2, beside superjson's only for an error). */
  private extension(raw: unknown, node: PlanNode, type: unknown[]): unknown {
    const kind = type[0];
    if (kind === Ext.Error) {
      if (node.type !== (this.version === 1 ? undefined : 'Error')) throw badJsonError(`a celerity error annotation beside ${show(node.type)}`);
      return this.error(raw, node, type[1]);
    }
    if (node.type !== undefined) throw badJsonError(`two annotations for one place: ${show(node.type)} and ${show(type)}`);
    switch (kind) {
      case Ext.Class:
        return this.instance(raw, node, type[1], true);
      case Ext.Ref: {
        const target = typeof raw === 'number' && Number.isInteger(raw) ? this.defs[raw] : UNSET;
        this.leaf(node, target !== UNSET && target !== undefined);
        return target;
      }
      case Ext.Hole:
        this.leaf(node, raw === null);
        return HOLE;
      case Ext.NullProto: {
        this.noSpecialDefs(node);
        if (!isRecord(raw)) throw badJsonError('a null-prototype object must be written as an object');
        Object.setPrototypeOf(raw, null);
        if (node.def >= 0) this.defs[node.def] = raw;
        return node.children === undefined ? raw : this.pushContainer(Ending.Raw, node, raw, node.children);
      }
      case Ext.Sparse: {
        this.noSpecialDefs(node);
        const array = this.made(node, sparseArray(raw));
        return node.children === undefined ? array : this.pushContainer(Ending.Raw, node, array, node.children);
      }
      case Ext.Buffer: {
        const bytes = fromBase64(raw, type[1] === 'shared');
        this.leaf(node, bytes !== undefined);
        return this.made(node, type[1] === 'resizable' ? resizableCopy(bytes as ArrayBuffer, type[2]) : bytes);
      }
      case Ext.View:
        return this.view(raw, node, type);
      case Ext.Wrapper:
        return this.made(node, this.wrapper(raw, node, type[1]));
      default:
        throw badJsonError(`unknown celerity annotation ${show(type)}`);
    }
  }

  /** Checks a place with no children; `valid` says whether its json has the expected form. */
  private leaf(node: PlanNode, valid: boolean): void {
    if (node.children !== undefined) throw badJsonError(`annotations below a ${show(node.type)} value`);
    this.noSpecialDefs(node);
    if (!valid) throw badJsonError(`malformed ${show(node.type)} value`);
  }

  private noSpecialDefs(node: PlanNode): void {
    if (node.dataDef >= 0 || node.bufferDef >= 0) throw badJsonError('"meta.defs" names instance data or a buffer at a place that has none');
  }

  /** Files a value made at `node` as shared, when the plan says it is. */
  private made<T>(node: PlanNode, value: T): T {
    if (node.def >= 0) this.defs[node.def] = value;
    return value;
  }

  /** The children of a place in the writer's order when that matters, else in any order. */
  private order(children: readonly PlanNode[], container: object): readonly PlanNode[] {
    if (!this.ordered || children.length < 2) return children;
    const sorted = children.slice();
    if (Array.isArray(container)) {
      sorted.sort((a, b) => Number(a.segment) - Number(b.segment));
    } else {
      const position = new Map(Object.keys(container).map((key, index) => [key, index]));
      sorted.sort((a, b) => (position.get(a.segment) ?? -1) - (position.get(b.segment) ?? -1));
    }
    return sorted;
  }

  private map(raw: unknown, node: PlanNode): unknown {
    this.noSpecialDefs(node);
    if (!Array.isArray(raw)) throw badJsonError('a Map must be written as an array of entries');
    // Made before its entries are read, so a reference back to it finds it.
    const map = this.made(node, new Map<unknown, unknown>());
    if (node.children === undefined) return fillMap(map, raw as unknown[]);
    this.push(Slots.Entries, Ending.Map, node, raw, node.children).made = map;
    return PENDING;
  }

  private set(raw: unknown, node: PlanNode): unknown {
    this.noSpecialDefs(node);
    if (!Array.isArray(raw)) throw badJsonError('a Set must be written as an array of members');
    const set = this.made(node, new Set<unknown>());
    if (node.children === undefined) return fillSet(set, raw as unknown[]);
    this.push(Slots.Members, Ending.Set, node, raw, node.children).made = set;
    return PENDING;
  }

  private instance(raw: unknown, node: PlanNode, id: unknown, boxed: boolean): unknown {
    if (typeof id !== 'string') throw badJsonError('a class annotation without a class id');
    if (node.bufferDef >= 0) throw badJsonError('"meta.defs" names a buffer at a class instance');
    const entry = this.byId.get(id);
    if (entry === undefined) {
      throw celerityError(
        'ERR_UNKNOWN_CLASS',
        `Class id "${id}" is not registered in this thread: import the module that registers it before parsing, or register it with that id`,
        { classId: id },
      );
    }
    if (entry.fromSerialisable === undefined) throw badJsonError(`class id "${id}" travels by the error protocol, not as data`);
    let frame: ReadFrame;
    if (boxed) {
      const child = node.find('0');
      if (!Array.isArray(raw) || raw.length !== 1 || node.dataDef >= 0 || (node.children !== undefined && (child === undefined || node.children.length !== 1))) {
        throw badJsonError(`malformed data of a ${id} instance`);
      }
      if (child === undefined) return this.build(node, id, entry, raw[0]);
      frame = this.push(Slots.Box, Ending.Instance, node, raw, [child]);
    } else {
      if (node.dataDef >= 0) this.defs[node.dataDef] = raw;
      if (node.children === undefined) return this.build(node, id, entry, raw);
      this.pushContainer(Ending.Instance, node, raw, node.children);
      frame = this.frames[this.frames.length - 1] as ReadFrame;
    }
    frame.classId = id;
    frame.entry = entry;
    return PENDING;
  }

  /** An instance of `entry`'s class, built by its `fromSerialisable` from `data`. */
  private build(node: PlanNode, id: string, entry: RegistryEntry, data: unknown): unknown {
    let value: unknown;
    try {
      value = (entry.fromSerialisable as (data: unknown) => unknown)(data);
    } catch (cause) {
      throw fromSerialisableError(id, cause);
    }
    return this.made(node, value);
  }

  private error(raw: unknown, node: PlanNode, id: unknown): unknown {
    this.noSpecialDefs(node);
    if (typeof id !== 'string') throw badJsonError('an error annotation without a class id');
    if (!isRecord(raw)) throw badJsonError('an error must be written as an object');
    const { name, message, stack, hasCause, errors, props } = raw;
    if (
      typeof name !== 'string' ||
      (message !== undefined && typeof message !== 'string') ||
      (stack !== undefined && typeof stack !== 'string') ||
      (this.version === 1 && hasCause !== undefined && hasCause !== 1) ||
      (errors !== undefined && !Array.isArray(errors)) ||
      (props !== undefined && !isRecord(props))
    ) {
      throw badJsonError('malformed error record');
    }
    if (node.children === undefined) return this.buildError(node, raw, id);
    this.push(Slots.ErrorFields, Ending.Error, node, raw, node.children).classId = id;
    return PENDING;
  }

  /** Whether an error record has a cause: flagged in version 1; in version 2, as superjson writes it, by having the key. */
  private hasCause(record: Container): boolean {
    return this.version === 1 ? record.hasCause === 1 : Object.hasOwn(record, 'cause');
  }

  /** The error an error record (checked, its fields read) stands for. */
  private buildError(node: PlanNode, raw: Container, id: string): Error {
    const record: ErrorRecord = { name: raw.name as string };
    if (raw.message !== undefined) record.message = raw.message as string;
    if (raw.stack !== undefined) record.stack = raw.stack as string;
    if (this.hasCause(raw)) {
      record.hasCause = 1;
      record.cause = raw.cause;
    }
    if (raw.errors !== undefined) record.errors = raw.errors as unknown[];
    if (raw.props !== undefined) record.props = raw.props as Container;
    const entry = id === '' ? undefined : this.byId.get(id);
    // An unknown or non-error class id arrives as a RemoteError, as in the codec.
    return this.made(node, recordToError(record, entry?.isError === true ? (entry.cls as Parameters<typeof recordToError>[1]) : undefined));
  }

  /** A typed array as superjson writes it: a list of its numbers. */
  private typedArray(raw: unknown, node: PlanNode, name: unknown): unknown {
    const View = typedArrayConstructor(name);
    if (View === undefined) throw badJsonError(`unknown typed array ${show(name)}`);
    let valid = Array.isArray(raw);
    // Checked before anything is allocated: a list given as an object may claim any length, and
    // stops at its first hole.
    if (valid) for (let i = 0; valid && i < (raw as unknown[]).length; i++) valid = typeof (raw as unknown[])[i] === 'number';
    if (node.children !== undefined || node.dataDef >= 0 || !valid) throw badJsonError(`malformed ${String(name)} value`);
    // set() copies a list many times faster than the constructor iterates one.
    const view = new View((raw as number[]).length);
    view.set(raw as number[]);
    if (node.bufferDef >= 0) this.defs[node.bufferDef] = view.buffer;
    return this.made(node, view);
  }

  private view(raw: unknown, node: PlanNode, type: unknown[]): unknown {
    const spec = viewConstructor(type[1]);
    if (spec === undefined) throw badJsonError(`unknown view type ${show(type[1])}`);
    if (typeof raw === 'string') {
      if (node.children !== undefined || node.dataDef >= 0) throw badJsonError('malformed view');
      const buffer = fromBase64(raw, type[2] === 'shared');
      if (buffer === undefined || buffer.byteLength % spec[1] !== 0) throw badJsonError(`malformed ${String(type[1])} bytes`);
      if (node.bufferDef >= 0) this.defs[node.bufferDef] = buffer;
      return this.made(node, new spec[0](buffer));
    }
    this.noSpecialDefs(node);
    const child = node.find('0');
    if (!Array.isArray(raw) || raw.length !== 3 || (node.children !== undefined && (child === undefined || node.children.length !== 1))) {
      throw badJsonError('malformed view');
    }
    if (child === undefined) return this.buildView(node, type, raw as unknown[], raw[0]);
    this.push(Slots.ViewBuffer, Ending.View, node, raw, [child]).type = type;
    return PENDING;
  }

  /** The view `[buffer, offset, length]` stands for, its buffer read as `buffer`. */
  private buildView(node: PlanNode, type: unknown[], raw: unknown[], buffer: unknown): ArrayBufferView {
    const [View] = viewConstructor(type[1]) as NonNullable<ReturnType<typeof viewConstructor>>;
    const [, byteOffset, length] = raw;
    if (!(buffer instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer))) {
      throw badJsonError('a view whose buffer is not a buffer');
    }
    if (typeof byteOffset !== 'number' || typeof length !== 'number') throw badJsonError('malformed view');
    try {
      return this.made(node, new View(buffer, byteOffset, length));
    } catch (cause) {
      throw badJsonError('a view that does not fit its buffer', cause);
    }
  }

  private wrapper(raw: unknown, node: PlanNode, type: unknown): object {
    const text = typeof raw === 'string' ? raw : undefined;
    switch (type) {
      case 'number':
        this.leaf(node, text !== undefined);
        return Object(Number(text)) as object;
      case 'string':
        this.leaf(node, text !== undefined);
        return Object(text) as object;
      case 'boolean':
        this.leaf(node, text === 'true' || text === 'false');
        return Object(text === 'true') as object;
      case 'bigint':
        this.leaf(node, text !== undefined && isInteger(text));
        return Object(BigInt(text as string)) as object;
      default:
        throw badJsonError(`unknown wrapper type ${show(type)}`);
    }
  }
}

/**
 * The array an object form (`{"0":a,"7":b,"length":8,"name":c}`) stands for: its elements by
 * index, its length, its named properties. Costs what its elements cost, whatever its length; an
 * index must be below the length.
 */
function sparseArray(raw: unknown): unknown[] {
  if (!isRecord(raw)) throw badJsonError('a sparse array must be written as an object');
  const length = getOwn(raw, 'length');
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0 || length > 2 ** 32 - 1) throw badJsonError('a sparse array without a valid length');
  const array: unknown[] = [];
  const named: string[] = [];
  for (const key of Object.keys(raw)) {
    if (key === 'length') continue;
    if (!isArrayIndex(key)) {
      named.push(key);
      continue;
    }
    const index = arrayIndex(key, length);
    if (index < 0) throw badJsonError(`a sparse array with the index ${JSON.stringify(key)}, which is not below its length`);
    array[index] = getOwn(raw, key);
  }
  array.length = length;
  for (const key of named) setOwn(array, key, getOwn(raw, key));
  return array;
}

/** A resizable buffer of at most `max` bytes holding `bytes` (refused when `max` is not a valid size for them). */
function resizableCopy(bytes: ArrayBuffer, text: unknown): ArrayBuffer {
  const max = typeof text === 'string' && isInteger(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(max) || String(max) !== text || max < bytes.byteLength) throw badJsonError('a resizable buffer without a valid maximum length');
  let buffer: ArrayBuffer;
  try {
    buffer = new (ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ArrayBuffer)(bytes.byteLength, { maxByteLength: max });
  } catch (cause) {
    throw badJsonError(`a resizable buffer whose maximum length (${max}) this machine cannot reserve`, cause);
  }
  new Uint8Array(buffer).set(new Uint8Array(bytes));
  return buffer;
}

/** Fills `map` from its entries, each checked to be a `[key, value]` pair. */
function fillMap(map: Map<unknown, unknown>, entries: unknown[]): Map<unknown, unknown> {
  for (let i = 0; i < entries.length; i++) {
    const pair = entries[i];
    if (!Array.isArray(pair) || pair.length !== 2) throw badJsonError(`Map entry ${i} is not a [key, value] pair`);
    map.set(pair[0], pair[1]);
  }
  return map;
}

/** Fills `set` from its members; until the first hole, which is an error: a sparse list costs what it holds. */
function fillSet(set: Set<unknown>, members: unknown[]): Set<unknown> {
  for (let i = 0; i < members.length; i++) {
    if (!(i in members)) throw badJsonError(`Set member ${i} is missing`);
    set.add(members[i]);
  }
  return set;
}

/** The path step from `frame`'s place to the child being read, for an error's path. */
function segmentOf(frame: ReadFrame): string {
  const at = frame.at;
  if (at === undefined) return '';
  switch (frame.slots) {
    case Slots.Array:
    case Slots.Object:
      return propertySegment(at);
    case Slots.Pair:
      return at === 0 ? mapKeySegment(frame.made as number) : mapValueSegment((frame.json as unknown[])[0]);
    case Slots.Members:
      return setMemberSegment(at as number);
    case Slots.ErrorFields:
      // The fields of `props` read as properties of the error itself, as in the codec's paths.
      return at === 'cause' ? '.cause' : at === 'errors' ? '.errors' : '';
    case Slots.ViewBuffer:
      return '.buffer';
    default:
      return '';
  }
}
