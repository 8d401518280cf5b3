/**
 * The reader: rebuilds a value from a wire by visiting the places its plan names, in place.
 *
 * Containers are made on arrival (before their contents), so a reference back to an enclosing
 * Map, Set or object finds the very object that will hold it; instances and errors are built on
 * leaving (after their data), as they must be. When the wire shares objects, children are
 * visited in the order the writer met them, so every reference finds its object already made.
 * Nothing outside the plan is ever interpreted: data that looks like an annotation is data.
 * @module
 */
import { show } from './show.js';
import { recordToError, type ErrorRecord } from '../codec/error-record.js';
import { fromSerialisableError, badJsonError, celerityError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from '../codec/path.js';
import { registryTable } from '../codec/registry.js';
import { fromBase64, viewConstructor } from './bytes.js';
import { EXT, Ext } from './format.js';
import type { PlanNode } from './plan.js';
import { getOwn, setOwn } from '../codec/own-property.js';

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
  const n = Number(segment);
  return Number.isInteger(n) && n >= 0 && n < length && String(n) === segment ? n : -1;
}


/** One parse call's state. Not reusable. */
export class JsonReader {
  private readonly byId = registryTable().byId;
  private readonly defs: unknown[];
  /** Whether children must be visited in the writer's order (only references depend on it). */
  private readonly ordered: boolean;

  /** Creates the state for a wire naming `defCount` shared objects. */
  constructor(defCount: number) {
    this.defs = new Array<unknown>(defCount).fill(UNSET);
    this.ordered = defCount > 0;
  }

  /** The value `raw` stands for at the place `node`. */
  revive(raw: unknown, node: PlanNode): unknown {
    const type = node.type;
    if (type === undefined) {
      this.noSpecialDefs(node);
      if (node.def >= 0) this.defs[node.def] = raw;
      if (node.children !== undefined) this.children(raw, node.children);
      return raw;
    }
    if (typeof type === 'string') return this.builtIn(raw, node, type);
    if (Array.isArray(type)) {
      if (type[0] === 'custom' && type.length === 2) return this.instance(raw, node, type[1], false);
      if (type[0] === EXT) return this.extension(raw, node, type as unknown[]);
    }
    throw badJsonError(`unknown annotation ${show(type)}`);
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
      case 'map':
        return this.map(raw, node);
      case 'set':
        return this.set(raw, node);
      default:
        throw badJsonError(`unknown annotation ${show(type)}`);
    }
  }

  private extension(raw: unknown, node: PlanNode, type: unknown[]): unknown {
    switch (type[1]) {
      case Ext.Class:
        return this.instance(raw, node, type[2], true);
      case Ext.Error:
        return this.error(raw, node, type[2]);
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
        if (node.children !== undefined) this.children(raw, node.children);
        return raw;
      }
      case Ext.Buffer: {
        const buffer = fromBase64(raw, type[2] === 'shared');
        this.leaf(node, buffer !== undefined);
        return this.made(node, buffer);
      }
      case Ext.View:
        return this.view(raw, node, type);
      case Ext.Wrapper:
        return this.made(node, this.wrapper(raw, node, type[2]));
      default:
        throw badJsonError(`unknown annotation ${show(type)}`);
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

  /** Revives the annotated children of a plain container, in place. */
  private children(raw: unknown, children: readonly PlanNode[]): void {
    if (Array.isArray(raw)) {
      const array = raw as unknown[];
      for (const child of this.order(children, array)) {
        const segment = child.segment;
        const index = arrayIndex(segment, array.length);
        if (index < 0) throw badJsonError(`an annotation names element ${JSON.stringify(segment)}, which the array does not have`);
        try {
          const value = this.revive(array[index], child);
          if (value === HOLE) Reflect.deleteProperty(array, index);
          else array[index] = value;
        } catch (error) {
          addSegment(error, propertySegment(index));
          throw error;
        }
      }
      return;
    }
    if (!isRecord(raw)) throw badJsonError('an annotation names a property of a value that is not an object');
    for (const child of this.order(children, raw)) {
      const segment = child.segment;
      if (!Object.hasOwn(raw, segment)) throw badJsonError(`an annotation names property ${JSON.stringify(segment)}, which the object does not have`);
      try {
        const value = this.revive(getOwn(raw, segment), child);
        if (value === HOLE) throw badJsonError('a hole outside an array');
        setOwn(raw, segment, value);
      } catch (error) {
        addSegment(error, propertySegment(segment));
        throw error;
      }
    }
  }

  private map(raw: unknown, node: PlanNode): Map<unknown, unknown> {
    this.noSpecialDefs(node);
    if (!Array.isArray(raw)) throw badJsonError('a Map must be written as an array of entries');
    const entries = raw as unknown[];
    const map = this.made(node, new Map<unknown, unknown>());
    for (const child of this.order(node.children ?? NO_CHILDREN, entries)) {
      const segment = child.segment;
      const index = arrayIndex(segment, entries.length);
      const pair = entries[index];
      if (index < 0 || !Array.isArray(pair) || pair.length !== 2 || child.type !== undefined || child.def >= 0) {
        throw badJsonError(`an annotation names Map entry ${JSON.stringify(segment)}, which is not a [key, value] pair`);
      }
      for (const sideNode of this.order(child.children ?? NO_CHILDREN, pair)) {
        const side = sideNode.segment;
        const at = side === '0' ? 0 : side === '1' ? 1 : -1;
        if (at < 0) throw badJsonError(`an annotation names part ${JSON.stringify(side)} of a Map entry`);
        try {
          const value = this.revive(pair[at], sideNode);
          if (value === HOLE) throw badJsonError('a hole in a Map');
          pair[at] = value;
        } catch (error) {
          addSegment(error, at === 0 ? mapKeySegment(index) : mapValueSegment(pair[0]));
          throw error;
        }
      }
    }
    for (let i = 0; i < entries.length; i++) {
      const pair = entries[i];
      if (!Array.isArray(pair) || pair.length !== 2) throw badJsonError(`Map entry ${i} is not a [key, value] pair`);
      map.set(pair[0], pair[1]);
    }
    return map;
  }

  private set(raw: unknown, node: PlanNode): Set<unknown> {
    this.noSpecialDefs(node);
    if (!Array.isArray(raw)) throw badJsonError('a Set must be written as an array of members');
    const members = raw as unknown[];
    const set = this.made(node, new Set<unknown>());
    for (const child of this.order(node.children ?? NO_CHILDREN, members)) {
      const segment = child.segment;
      const index = arrayIndex(segment, members.length);
      if (index < 0) throw badJsonError(`an annotation names Set member ${JSON.stringify(segment)}, which the Set does not have`);
      try {
        const value = this.revive(members[index], child);
        if (value === HOLE) throw badJsonError('a hole in a Set');
        members[index] = value;
      } catch (error) {
        addSegment(error, setMemberSegment(index));
        throw error;
      }
    }
    // Until the first hole: a sparse list from an object input costs what it holds.
    for (let i = 0; i < members.length; i++) {
      if (!(i in members)) throw badJsonError(`Set member ${i} is missing`);
      set.add(members[i]);
    }
    return set;
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
    const fromSerialisable = entry.fromSerialisable;
    if (fromSerialisable === undefined) throw badJsonError(`class id "${id}" travels by the error protocol, not as data`);
    let data: unknown;
    if (boxed) {
      const child = node.find('0');
      if (!Array.isArray(raw) || raw.length !== 1 || node.dataDef >= 0 || (node.children !== undefined && (child === undefined || node.children.length !== 1))) {
        throw badJsonError(`malformed data of a ${id} instance`);
      }
      data = child === undefined ? raw[0] : this.revive(raw[0], child);
      if (data === HOLE) throw badJsonError('a hole as instance data');
    } else {
      if (node.dataDef >= 0) this.defs[node.dataDef] = raw;
      if (node.children !== undefined) this.children(raw, node.children);
      data = raw;
    }
    let value: unknown;
    try {
      value = fromSerialisable(data);
    } catch (cause) {
      throw fromSerialisableError(id, cause);
    }
    return this.made(node, value);
  }

  private error(raw: unknown, node: PlanNode, id: unknown): Error {
    this.noSpecialDefs(node);
    if (typeof id !== 'string') throw badJsonError('an error annotation without a class id');
    if (!isRecord(raw)) throw badJsonError('an error must be written as an object');
    const { name, message, stack, hasCause, errors, props } = raw;
    if (
      typeof name !== 'string' ||
      typeof message !== 'string' ||
      (stack !== undefined && typeof stack !== 'string') ||
      (hasCause !== undefined && hasCause !== 1) ||
      (errors !== undefined && !Array.isArray(errors)) ||
      (props !== undefined && !isRecord(props))
    ) {
      throw badJsonError('malformed error record');
    }
    for (const child of this.order(node.children ?? NO_CHILDREN, raw)) {
      const field = child.segment;
      if (field === 'cause' && hasCause === 1) {
        try {
          raw.cause = this.revive(raw.cause, child);
        } catch (error) {
          addSegment(error, '.cause');
          throw error;
        }
      } else if ((field === 'errors' && errors !== undefined) || (field === 'props' && props !== undefined)) {
        if (child.type !== undefined || child.def >= 0 || child.children === undefined) throw badJsonError(`malformed annotation of an error's ${field}`);
        try {
          this.children(raw[field], child.children);
        } catch (error) {
          // Properties read as properties of the error itself, as in the codec's paths.
          if (field === 'errors') addSegment(error, '.errors');
          throw error;
        }
      } else {
        throw badJsonError(`an annotation names ${JSON.stringify(field)} of an error record`);
      }
    }
    const record: ErrorRecord = { name, message };
    if (stack !== undefined) record.stack = stack;
    if (hasCause === 1) {
      record.hasCause = 1;
      record.cause = raw.cause;
    }
    if (errors !== undefined) record.errors = errors as unknown[];
    if (props !== undefined) record.props = props;
    const entry = id === '' ? undefined : this.byId.get(id);
    // An unknown or non-error class id arrives as a RemoteError, as in the codec.
    return this.made(node, recordToError(record, entry?.isError === true ? (entry.cls as Parameters<typeof recordToError>[1]) : undefined));
  }

  private view(raw: unknown, node: PlanNode, type: unknown[]): ArrayBufferView {
    const spec = viewConstructor(type[2]);
    if (spec === undefined) throw badJsonError(`unknown view type ${show(type[2])}`);
    const [View, size] = spec;
    if (typeof raw === 'string') {
      if (node.children !== undefined || node.dataDef >= 0) throw badJsonError('malformed view');
      const buffer = fromBase64(raw, type[3] === 'shared');
      if (buffer === undefined || buffer.byteLength % size !== 0) throw badJsonError(`malformed ${String(type[2])} bytes`);
      if (node.bufferDef >= 0) this.defs[node.bufferDef] = buffer;
      return this.made(node, new View(buffer));
    }
    this.noSpecialDefs(node);
    const child = node.find('0');
    if (!Array.isArray(raw) || raw.length !== 3 || (node.children !== undefined && (child === undefined || node.children.length !== 1))) {
      throw badJsonError('malformed view');
    }
    let buffer: unknown;
    try {
      buffer = child === undefined ? raw[0] : this.revive(raw[0], child);
    } catch (error) {
      addSegment(error, '.buffer');
      throw error;
    }
    const [, byteOffset, length] = raw as unknown[];
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
