/**
 * The writer: turns a value into a {@link JsonWire} in one walk.
 *
 * It builds a fresh JSON tree (never sharing containers with the input, so getters run once and
 * the wire can be deserialized without touching the input) and, beside it, superjson's annotation
 * tree (`annotations.ts`); objects met twice become references (`references.ts`).
 * @module
 */
import { BuiltInKind, classifyBuiltIn, className } from '../codec/builtins.js';
import { errorToRecord } from '../codec/error-record.js';
import { TO_JSON, uncloneableError, unregisteredError, toSerialisableError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from '../codec/path.js';
import { registryTable, type RegistryEntry, type Serialisable } from '../codec/registry.js';
import {
  EXT,
  Ext,
  JSON_FORMAT_VERSION,
  sharedAnnotation,
  type Annotation,
  type AnnotationType,
  type JsonMeta,
  type JsonValue,
  type JsonWire,
} from './format.js';
import { setOwn } from '../codec/own-property.js';
import { BUFFER, LeafWriter, numberText, REGEXP, SHARED_BUFFER } from './leaves.js';

// Leaf annotations never gain children, so one (frozen) array each serves every occurrence.
const UNDEFINED: Annotation = sharedAnnotation(['undefined']);
const BIGINT: Annotation = sharedAnnotation(['bigint']);
const NUMBER: Annotation = sharedAnnotation(['number']);
const HOLE: Annotation = sharedAnnotation([[EXT, Ext.Hole]]);
const NULL_PROTO: AnnotationType = sharedAnnotation([EXT, Ext.NullProto]);

/** Whether a number is written as itself (not NaN, ±Infinity or -0). */
function ordinary(n: number): boolean {
  return n - n === 0 && (n !== 0 || 1 / n > 0);
}

/**
 * One stringify call's walk. Not reusable. Where annotations go, and how a second occurrence of an
 * object becomes a reference, is the work of the classes it builds on (`annotations.ts`,
 * `references.ts`).
 */
export class JsonWriter extends LeafWriter {
  private readonly strict: boolean;
  private readonly types = {
    custom: new Map<RegistryEntry | undefined, AnnotationType>(),
    [Ext.Class]: new Map<RegistryEntry | undefined, AnnotationType>(),
    [Ext.Error]: new Map<RegistryEntry | undefined, AnnotationType>(),
  };

  /** Creates the state for one call; `strict` refuses instances of unregistered classes. */
  constructor(strict: boolean) {
    super(registryTable().byPrototype);
    this.strict = strict;
  }

  /** Writes `value` into a fresh wire. */
  run(value: unknown): JsonWire {
    const json = this.value(value);
    const wire: JsonWire = { celerity: JSON_FORMAT_VERSION, json };
    const values = this.annotations();
    const defs = this.definitions();
    if (values !== undefined || defs !== undefined) {
      const meta: Partial<JsonMeta> = {};
      if (values !== undefined) meta.values = values;
      if (defs !== undefined) meta.defs = defs;
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
    if (id !== undefined) return this.reference(id, value, this.byPrototype);
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

}
