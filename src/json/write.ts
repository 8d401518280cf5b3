/**
 * The writer: turns a value into a {@link JsonWire} in one walk.
 *
 * It builds a fresh JSON tree (never sharing containers with the input, so getters run once and
 * the wire can be deserialized without touching the input) and, beside it, superjson's annotation
 * tree. Each annotation goes into the children of the nearest annotated ancestor, keyed by the
 * path from there, which is how superjson nests them; the current path is kept as a stack of raw
 * segments and joined only when an annotation needs it.
 *
 * Every object is remembered with a link to its parent, so that when one is met a second time
 * (a shared reference, or a cycle back to an ancestor) its first path can be rebuilt and listed in
 * `meta.defs`; the second occurrence becomes a reference to that entry.
 * @module
 */
import { BuiltInKind, classifyBuiltIn, className, isError } from '../codec/builtins.js';
import { errorToRecord } from '../codec/error-record.js';
import { TO_JSON, uncloneableError, unregisteredError, instanceCycleError, containerCycleError, toSerialisableError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from '../codec/path.js';
import { registryTable, type RegistryEntry, type Serialisable } from '../codec/registry.js';
import { toBase64, viewName } from './bytes.js';
import { isoText } from './date.js';
import {
  DEF_BUFFER,
  DEF_DATA,
  DEF_VALUE,
  escapeSegment,
  EXT,
  Ext,
  JSON_FORMAT_VERSION,
  type Annotation,
  type AnnotationChildren,
  type AnnotationType,
  type DefEntry,
  type JsonMeta,
  type JsonValue,
  type JsonWire,
} from './format.js';
import { setOwn } from '../codec/own-property.js';

/** The state of an object whose walk has finished (others hold the instance depth they began at). */
const DONE = -1;

type Segment = string | number;
/** The path from an object's parent to it: one segment, or several (none for the root). */
type Link = Segment | readonly Segment[];

const ROOT_LINK: readonly Segment[] = [];
/** The data root of a class instance sits where the instance does. */
const DATA_LINK: readonly Segment[] = [];
/** The buffer of a view written in compact form has no path of its own. */
const BUFFER_LINK: readonly Segment[] = [];

// Leaf annotations never gain children, so one array each serves every occurrence.
const UNDEFINED: Annotation = ['undefined'];
const BIGINT: Annotation = ['bigint'];
const NUMBER: Annotation = ['number'];
const DATE: Annotation = ['Date'];
const REGEXP: Annotation = ['regexp'];
const REF: Annotation = [[EXT, Ext.Ref]];
const HOLE: Annotation = [[EXT, Ext.Hole]];
const BUFFER: Annotation = [[EXT, Ext.Buffer]];
const SHARED_BUFFER: Annotation = [[EXT, Ext.Buffer, 'shared']];
const NULL_PROTO: AnnotationType = [EXT, Ext.NullProto];

/** Whether a number is written as itself (not NaN, ±Infinity or -0). */
function ordinary(n: number): boolean {
  return n - n === 0 && (n !== 0 || 1 / n > 0);
}

function isShared(buffer: ArrayBufferLike): boolean {
  return typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer;
}


/** One stringify call's state. Not reusable. */
export class JsonWriter {
  private readonly strict: boolean;
  private readonly byPrototype = registryTable().byPrototype;
  /** Raw path segments of the current position, `depth` of them. */
  private readonly segments: Segment[] = [];
  private depth = 0;
  /** Annotations of the nearest annotated ancestor (or the root), and that ancestor's depth. */
  private owner: AnnotationChildren | undefined;
  private ownerDepth = 0;
  private rootAnnotation: Annotation | undefined;
  /** Object → number; by number: parent's number, link from the parent, depth, walk state. */
  private readonly ids = new Map<object, number>();
  private readonly parents: number[] = [];
  private readonly links: Link[] = [];
  private readonly depths: number[] = [];
  private readonly states: number[] = [];
  /** Number of the container (or instance) being walked; -1 at the root. */
  private current = -1;
  /** The owners (and their depths) that the annotated nodes being written hide, innermost last. */
  private readonly outerOwners: (AnnotationChildren | undefined)[] = [];
  private readonly outerOwnerDepths: number[] = [];
  /** How many instances' data enclose the current position. */
  private instanceDepth = 0;
  private defs: DefEntry[] | undefined;
  private defIndex: Map<number, number> | undefined;
  private readonly types = {
    custom: new Map<RegistryEntry | undefined, AnnotationType>(),
    [Ext.Class]: new Map<RegistryEntry | undefined, AnnotationType>(),
    [Ext.Error]: new Map<RegistryEntry | undefined, AnnotationType>(),
  };

  /** Creates the state for one call; `strict` refuses instances of unregistered classes. */
  constructor(strict: boolean) {
    this.strict = strict;
  }

  /** Writes `value` into a fresh wire. */
  run(value: unknown): JsonWire {
    const json = this.value(value);
    const wire: JsonWire = { celerity: JSON_FORMAT_VERSION, json };
    const values = this.rootAnnotation ?? this.owner;
    if (values !== undefined || this.defs !== undefined) {
      const meta: Partial<JsonMeta> = {};
      if (values !== undefined) meta.values = values;
      if (this.defs !== undefined) meta.defs = this.defs;
      meta.v = 1;
      wire.meta = meta as JsonMeta;
    }
    return wire;
  }

  private value(value: unknown): JsonValue {
    switch (typeof value) {
      case 'string':
      case 'boolean':
        return value;
      case 'number':
        return ordinary(value) ? value : this.special(value);
      case 'object':
        return value === null ? null : this.object(value);
      case 'undefined':
        this.put(UNDEFINED);
        return null;
      case 'bigint':
        this.put(BIGINT);
        return value.toString();
      default:
        throw uncloneableError(typeof value, TO_JSON);
    }
  }

  private special(n: number): string {
    this.put(NUMBER);
    return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : '-0';
  }

  private object(value: object): JsonValue {
    const id = this.ids.get(value);
    if (id !== undefined) return this.reference(id, value);
    if (Array.isArray(value)) return this.array(value as unknown[]);
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Object.prototype) return this.plain(value, false);
    if (prototype === null) return this.plain(value, true);
    if (prototype === Date.prototype) return this.date(value as Date);
    const entry = this.byPrototype.get(prototype);
    if (entry !== undefined) return entry.isError ? this.error(value as Error, entry) : this.instance(value, entry);
    return this.builtIn(value, prototype);
  }

  private builtIn(value: object, prototype: object): JsonValue {
    if (prototype === Map.prototype) return this.map(value as Map<unknown, unknown>);
    if (prototype === Set.prototype) return this.set(value as Set<unknown>);
    if (ArrayBuffer.isView(value)) return this.view(value);
    if (prototype === ArrayBuffer.prototype) return this.buffer(value as ArrayBuffer, BUFFER);
    if (typeof SharedArrayBuffer === 'function' && prototype === SharedArrayBuffer.prototype) return this.buffer(value as SharedArrayBuffer, SHARED_BUFFER);
    if (prototype === RegExp.prototype) return this.leaf(value, REGEXP, RegExp.prototype.toString.call(value));
    if (prototype === Number.prototype) return this.wrapper(value, 'number', numberText((value as { valueOf(): number }).valueOf()));
    if (prototype === String.prototype) return this.wrapper(value, 'string', (value as { valueOf(): string }).valueOf());
    if (prototype === Boolean.prototype) return this.wrapper(value, 'boolean', String((value as { valueOf(): boolean }).valueOf()));
    if (prototype === BigInt.prototype) return this.wrapper(value, 'bigint', (value as { valueOf(): bigint }).valueOf().toString());
    switch (classifyBuiltIn(value, prototype)) {
      case BuiltInKind.Map:
        return this.map(value as Map<unknown, unknown>);
      case BuiltInKind.Set:
        return this.set(value as Set<unknown>);
      case BuiltInKind.Error:
        return this.error(value as Error, undefined);
      case BuiltInKind.Unregistered:
        if (this.strict) throw unregisteredError(className(value), TO_JSON);
        // Not strict: sent as structured clone would send it, a plain object of its own properties.
        return this.plain(value, false);
      case BuiltInKind.Leaf: {
        // Subclasses of the built-ins and objects from another realm travel as the built-in type.
        const tag = Object.prototype.toString.call(value);
        if (tag === '[object Date]') return this.date(value as Date);
        if (tag === '[object RegExp]') return this.leaf(value, REGEXP, RegExp.prototype.toString.call(value));
        if (tag === '[object ArrayBuffer]') return this.buffer(value as ArrayBuffer, BUFFER);
        throw uncloneableError(className(value), TO_JSON);
      }
      default:
        throw uncloneableError(className(value), TO_JSON);
    }
  }

  /** Files `annotation` for the current position under the nearest annotated ancestor. */
  private put(annotation: Annotation): void {
    const from = this.ownerDepth;
    const to = this.depth;
    if (to === 0) {
      this.rootAnnotation = annotation;
      return;
    }
    const segments = this.segments;
    let key = escapeSegment(segments[from] as Segment);
    for (let i = from + 1; i < to; i++) key += '.' + escapeSegment(segments[i] as Segment);
    setOwn((this.owner ??= {}), key, annotation);
  }

  /** Remembers a newly met object; see the module notes. */
  private enter(value: object): number {
    const id = this.parents.length;
    this.ids.set(value, id);
    const parent = this.current;
    const from = parent < 0 ? 0 : (this.depths[parent] as number);
    const count = this.depth - from;
    this.links[id] = count === 1 ? (this.segments[from] as Segment) : count === 0 ? (parent < 0 ? ROOT_LINK : DATA_LINK) : this.segments.slice(from, this.depth);
    this.parents[id] = parent;
    this.depths[id] = this.depth;
    this.states[id] = this.instanceDepth;
    return id;
  }

  /** A second occurrence of object number `id`: a reference, unless it closes a cycle through class data. */
  private reference(id: number, value: object): JsonValue {
    const state = this.states[id] as number;
    if (state !== DONE && state < this.instanceDepth) {
      const entry = this.byPrototype.get(Object.getPrototypeOf(value) as object);
      if (entry !== undefined) throw instanceCycleError(`An instance of ${entry.id}`, entry.id);
      if (isError(value)) throw instanceCycleError(`The ${className(value)} error`, undefined);
      throw containerCycleError();
    }
    this.put(REF);
    return this.defFor(id);
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

  /** Rebuilds the first path of object number `id` from the parent links. */
  private defEntry(id: number): DefEntry {
    const own = this.links[id];
    const kind = own === DATA_LINK ? DEF_DATA : own === BUFFER_LINK ? DEF_BUFFER : DEF_VALUE;
    const reversed: Segment[] = [];
    for (let at = id; at >= 0; at = this.parents[at] as number) {
      const link = this.links[at] as Link;
      if (typeof link === 'object') for (let i = link.length - 1; i >= 0; i--) reversed.push(link[i] as Segment);
      else reversed.push(link);
    }
    return [kind, ...reversed.reverse()];
  }

  private plain(source: object, nullProto: boolean): JsonValue {
    const id = this.enter(source);
    this.current = id;
    if (nullProto) this.openOwner();
    const record = source as Record<string, unknown>;
    const out: Record<string, JsonValue> = {};
    const keys = Object.keys(record);
    const depth = this.depth;
    let key = '';
    try {
      for (let i = 0; i < keys.length; i++) {
        key = keys[i] as string;
        const child = record[key];
        let json: JsonValue;
        if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && ordinary(child))) {
          json = child;
        } else {
          this.segments[depth] = key;
          this.depth = depth + 1;
          json = this.value(child);
          this.depth = depth;
        }
        setOwn(out, key, json);
      }
    } catch (error) {
      addSegment(error, propertySegment(key));
      throw error;
    }
    this.leave(id);
    if (nullProto) this.close(NULL_PROTO);
    return out;
  }

  private array(source: unknown[]): JsonValue {
    const id = this.enter(source);
    this.current = id;
    const out: JsonValue[] = [];
    const depth = this.depth;
    let i = 0;
    try {
      for (const length = source.length; i < length; i++) {
        const child = source[i];
        if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && ordinary(child))) {
          out.push(child);
          continue;
        }
        this.segments[depth] = i;
        this.depth = depth + 1;
        if (child === undefined && !(i in source)) {
          this.put(HOLE);
          out.push(null);
        } else {
          out.push(this.value(child));
        }
        this.depth = depth;
      }
    } catch (error) {
      addSegment(error, propertySegment(i));
      throw error;
    }
    this.leave(id);
    return out;
  }

  private map(source: Map<unknown, unknown>): JsonValue {
    const id = this.enter(source);
    this.current = id;
    const depth = this.openOwner();
    const out: JsonValue[] = [];
    let index = 0;
    let key: unknown;
    let inKey = true;
    try {
      for (const [k, v] of source) {
        key = k;
        inKey = true;
        this.segments[depth] = index;
        this.segments[depth + 1] = 0;
        this.depth = depth + 2;
        const keyJson = this.value(k);
        inKey = false;
        this.segments[depth + 1] = 1;
        const valueJson = this.value(v);
        this.depth = depth;
        out.push([keyJson, valueJson]);
        index++;
      }
    } catch (error) {
      addSegment(error, inKey ? mapKeySegment(index) : mapValueSegment(key));
      throw error;
    }
    this.leave(id);
    this.close('map');
    return out;
  }

  private set(source: Set<unknown>): JsonValue {
    const id = this.enter(source);
    this.current = id;
    const depth = this.openOwner();
    const out: JsonValue[] = [];
    let index = 0;
    try {
      for (const member of source) {
        this.segments[depth] = index;
        this.depth = depth + 1;
        out.push(this.value(member));
        this.depth = depth;
        index++;
      }
    } catch (error) {
      addSegment(error, setMemberSegment(index));
      throw error;
    }
    this.leave(id);
    this.close('set');
    return out;
  }

  /**
   * Starts an annotated node at the current position: annotations met inside it are filed under it
   * until {@link close}. Returns the node's depth.
   */
  private openOwner(): number {
    this.outerOwners.push(this.owner);
    this.outerOwnerDepths.push(this.ownerDepth);
    this.owner = undefined;
    return (this.ownerDepth = this.depth);
  }

  /** Ends the annotated node {@link openOwner} started: restores the outer owner and files the node's annotation there. */
  private close(type: AnnotationType): void {
    const children = this.owner;
    this.owner = this.outerOwners.pop();
    this.ownerDepth = this.outerOwnerDepths.pop() as number;
    this.put(children === undefined ? [type] : [type, children]);
  }

  /** Ends the walk of object number `id`: its parent is current again, and it is done. */
  private leave(id: number): void {
    this.current = this.parents[id] as number;
    this.states[id] = DONE;
  }

  /** The annotation type of a class or error entry, made once per call and kind. */
  private typeOf(kind: 'custom' | typeof Ext.Class | typeof Ext.Error, entry: RegistryEntry | undefined): AnnotationType {
    const cache = this.types[kind];
    let type = cache.get(entry);
    if (type === undefined) {
      const id = entry?.id ?? '';
      type = kind === 'custom' ? ['custom', id] : [EXT, kind, id];
      cache.set(entry, type);
    }
    return type;
  }

  private instance(value: object, entry: RegistryEntry): JsonValue {
    const id = this.enter(value);
    this.instanceDepth++;
    let raw: unknown;
    try {
      raw = (value as Serialisable).toSerialisable();
    } catch (cause) {
      throw toSerialisableError(entry.id, cause);
    }
    this.current = id;
    const depth = this.openOwner();
    let json: JsonValue;
    let kind: 'custom' | typeof Ext.Class;
    if (this.unboxed(raw)) {
      // The data sits where the instance does, as superjson's custom types do.
      json = this.value(raw);
      kind = 'custom';
    } else {
      // The data needs an annotation of its own: box it so it has a path of its own.
      this.segments[depth] = 0;
      this.depth = depth + 1;
      json = [this.value(raw)];
      this.depth = depth;
      kind = Ext.Class;
    }
    this.close(this.typeOf(kind, entry));
    this.instanceDepth--;
    this.leave(id);
    return json;
  }

  /** Whether an instance's data can stand in the instance's place: it needs no annotation of its own. */
  private unboxed(raw: unknown): boolean {
    switch (typeof raw) {
      case 'string':
      case 'boolean':
        return true;
      case 'number':
        return ordinary(raw);
      case 'object': {
        if (raw === null) return true;
        if (this.ids.has(raw)) return false;
        return Array.isArray(raw) || Object.getPrototypeOf(raw) === Object.prototype;
      }
      default:
        return false;
    }
  }

  private error(value: Error, entry: RegistryEntry | undefined): JsonValue {
    const id = this.enter(value);
    this.instanceDepth++;
    const record = errorToRecord(value);
    this.current = id;
    const depth = this.openOwner();
    const out: Record<string, JsonValue> = { name: record.name, message: record.message };
    if (record.stack !== undefined) out.stack = record.stack;
    if (record.hasCause === 1) {
      out.hasCause = 1;
      this.segments[depth] = 'cause';
      this.depth = depth + 1;
      try {
        out.cause = this.value(record.cause);
      } catch (error) {
        addSegment(error, '.cause');
        throw error;
      }
      this.depth = depth;
    }
    if (record.errors !== undefined) out.errors = this.errorField('errors', record.errors, depth);
    if (record.props !== undefined) {
      const props: Record<string, JsonValue> = {};
      let key = '';
      try {
        for (key of Object.keys(record.props)) {
          this.segments[depth] = 'props';
          this.segments[depth + 1] = key;
          this.depth = depth + 2;
          setOwn(props, key, this.value(record.props[key]));
          this.depth = depth;
        }
      } catch (error) {
        addSegment(error, propertySegment(key));
        throw error;
      }
      out.props = props;
    }
    this.close(this.typeOf(Ext.Error, entry));
    this.instanceDepth--;
    this.leave(id);
    return out;
  }

  private errorField(field: string, items: unknown[], depth: number): JsonValue[] {
    const out: JsonValue[] = [];
    let i = 0;
    try {
      for (; i < items.length; i++) {
        this.segments[depth] = field;
        this.segments[depth + 1] = i;
        this.depth = depth + 2;
        out.push(this.value(items[i]));
        this.depth = depth;
      }
    } catch (error) {
      addSegment(error, `.${field}[${i}]`);
      throw error;
    }
    return out;
  }

  private date(value: Date): JsonValue {
    return this.leaf(value, DATE, isoText(value));
  }

  /** A value with no children: remembered (for identity), annotated, written as `json`. */
  private leaf(value: object, annotation: Annotation, json: JsonValue): JsonValue {
    const id = this.enter(value);
    this.states[id] = DONE;
    this.put(annotation);
    return json;
  }

  private wrapper(value: object, type: string, text: string): JsonValue {
    return this.leaf(value, [[EXT, Ext.Wrapper, type]], text);
  }

  private buffer(value: ArrayBufferLike, annotation: Annotation): JsonValue {
    return this.leaf(value, annotation, toBase64(value, 0, value.byteLength));
  }

  private view(value: ArrayBufferView): JsonValue {
    const name = viewName(value);
    if (name === undefined) throw uncloneableError(className(value), TO_JSON);
    const buffer = value.buffer;
    const type: AnnotationType = isShared(buffer) ? [EXT, Ext.View, name, 'shared'] : [EXT, Ext.View, name];
    const known = this.ids.get(buffer);
    const id = this.enter(value);
    if (known === undefined) {
      // Compact form: the view's own bytes. A view over part of a buffer sends only that part (so a
      // Node Buffer never carries its shared pool); one over a whole buffer lets the buffer be shared.
      if (value.byteOffset === 0 && value.byteLength === buffer.byteLength) {
        const bufferId = this.enter(buffer);
        this.parents[bufferId] = id;
        this.links[bufferId] = BUFFER_LINK;
        this.states[bufferId] = DONE;
      }
      this.states[id] = DONE;
      this.put([type]);
      return toBase64(buffer, value.byteOffset, value.byteLength);
    }
    // Linked form: the buffer was met before, so the view refers to it.
    this.current = id;
    const depth = this.openOwner();
    this.segments[depth] = 0;
    this.depth = depth + 1;
    const bufferJson = this.reference(known, buffer);
    this.depth = depth;
    this.close(type);
    this.leave(id);
    const length = value instanceof DataView ? value.byteLength : (value as Uint8Array).length;
    return [bufferJson, value.byteOffset, length];
  }
}

/** The text of a number in a wrapper object; `String` would lose the sign of -0. */
function numberText(n: number): string {
  return Object.is(n, -0) ? '-0' : String(n);
}
