/**
 * The writer: turns a value into a {@link JsonWire} in one walk.
 *
 * It builds a fresh JSON tree (never sharing containers with the input, so getters run once and
 * the wire can be deserialized without touching the input) and, beside it, superjson's annotation
 * tree (`annotations.ts`); objects met twice become references (`references.ts`). It keeps its
 * own stack (`write-frame.ts`), so nesting is bounded by memory, not by the call stack.
 * @module
 */
import { BuiltInKind, classifyBuiltIn, className, describeClass } from '../codec/builtins.js';
import { errorToRecord } from '../codec/error-record.js';
import { TO_JSON, uncloneableError, unregisteredError, toSerialisableError } from '../errors.js';
import { addSegment, mapKeySegment, mapValueSegment, propertySegment, setMemberSegment } from '../codec/path.js';
import { registryTable, type RegistryEntry, type Serialisable } from '../codec/registry.js';
import { Ext, JSON_FORMAT_VERSION, NATIVE_ERROR_NAMES, sharedAnnotation, type Annotation, type AnnotationType, type ExtType, type JsonExt, type JsonMeta, type JsonValue, type JsonWire } from './format.js';
import { getOwn, setOwn } from '../codec/own-property.js';
import { LeafWriter, numberText, REGEXP } from './leaves.js';
import { ErrorStep, FrameKind, WriteFrame } from './write-frame.js';
import { firstHole, presentIndices } from '../codec/copy.js';
import { namedKeys } from '../codec/array-named-keys.js';

// Leaf annotations never gain children, so one (frozen) array each serves every occurrence.
const UNDEFINED: Annotation = sharedAnnotation(['undefined']);
const BIGINT: Annotation = sharedAnnotation(['bigint']);
const NUMBER: Annotation = sharedAnnotation(['number']);
const URL_TYPE: Annotation = sharedAnnotation(['URL']);
const HOLE: ExtType = sharedAnnotation([Ext.Hole]);
const SPARSE: ExtType = sharedAnnotation([Ext.Sparse]);
const NULL_PROTO: ExtType = sharedAnnotation([Ext.NullProto]);
const ERROR_TYPE = 'Error';

/** Whether a number is written as itself (not NaN, ±Infinity or -0). */
function ordinary(n: number): boolean {
  return n - n === 0 && (n !== 0 || 1 / n > 0);
}

/** Returned by {@link JsonWriter.value} for a container: its frame is pushed, its JSON comes later. */
const STARTED: JsonValue = Object.freeze({});

/**
 * One stringify call's walk. Not reusable. Containers are written on the writer's own stack of
 * frames (`write-frame.ts`), not by recursion, so any depth that fits in memory can be written.
 * Where annotations go, and how a second occurrence of an object becomes a reference, is the work
 * of the classes it builds on (`annotations.ts`, `references.ts`).
 */
export class JsonWriter extends LeafWriter {
  private readonly strict: boolean;
  /** The `["custom", id]` annotation type of each class met, made once per call. */
  private readonly customTypes = new Map<RegistryEntry, AnnotationType>();
  /** The frames, reused by depth; the first {@link top} are being written. */
  private readonly frames: WriteFrame[] = [];
  private top = 0;

  /**
   * Creates the state for one call; `strict` refuses instances of unregistered classes;
   * `typedAsNumbers` writes the typed arrays superjson knows in its form, else in base64.
   */
  constructor(strict: boolean, typedAsNumbers: boolean) {
    super(registryTable().byPrototype, typedAsNumbers);
    this.strict = strict;
  }

  /** Writes `value` into a fresh wire. */
  run(value: unknown): JsonWire {
    let json = this.value(value);
    if (json === STARTED) json = this.walk();
    const wire: JsonWire = { celerity: JSON_FORMAT_VERSION, json };
    const values = this.annotations();
    const equalities = this.referentialEqualities();
    if (values !== undefined || equalities !== undefined) {
      const meta: Partial<JsonMeta> = {};
      if (values !== undefined) meta.values = values;
      if (equalities !== undefined) meta.referentialEqualities = equalities;
      meta.v = 1;
      wire.meta = meta as JsonMeta;
    }
    const types = this.extAnnotations();
    const defs = this.definitions();
    if (types !== undefined || defs !== undefined) {
      const ext: JsonExt = {};
      if (types !== undefined) ext.types = types;
      if (defs !== undefined) ext.defs = defs;
      wire.ext = ext;
    }
    return wire;
  }

  /**
   * Writes the frames until the first one is done; returns its JSON. Each turn either moves the
   * top frame to its next child, or finishes it and hands its JSON to the frame below.
   */
  private walk(): JsonValue {
    const frames = this.frames;
    try {
      for (;;) {
        const frame = frames[this.top - 1] as WriteFrame;
        const child = this.next(frame);
        if (child !== DONE) {
          const json = this.value(child);
          if (json !== STARTED) this.store(frame, json);
          continue;
        }
        const json = this.finish(frame);
        if (--this.top === 0) return json;
        this.store(frames[this.top - 1] as WriteFrame, json);
      }
    } catch (error) {
      for (let i = this.top - 1; i >= 0; i--) addSegment(error, segmentOf(frames[i] as WriteFrame));
      throw error;
    }
  }

  /** Pushes a frame for `source`, remembered as number `id`, written at the current depth. */
  private push(kind: FrameKind, source: object, id: number): WriteFrame {
    let frame = this.frames[this.top];
    if (frame === undefined) this.frames.push((frame = new WriteFrame()));
    this.top++;
    frame.reset(kind, source, id, this.depth);
    this.current = id;
    return frame;
  }

  /** Writes a value: its JSON, or {@link STARTED} for a container (its frame now on top). */
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
    if (id !== undefined) return this.reference(id, value, this.byPrototype, this.placeholder());
    if (Array.isArray(value)) return this.startArray(value);
    const prototype = Object.getPrototypeOf(value) as object | null;
    if (prototype === Object.prototype) return this.startPlain(value, false);
    if (prototype === null) return this.startPlain(value, true);
    if (prototype === Date.prototype) return this.date(value as Date);
    const entry = this.byPrototype.get(prototype);
    if (entry !== undefined) return entry.isError ? this.startError(value as Error, entry) : this.startInstance(value, entry);
    return this.builtIn(value, prototype);
  }

  private builtIn(value: object, prototype: object): JsonValue {
    if (prototype === Map.prototype) return this.startMap(value as Map<unknown, unknown>);
    if (prototype === Set.prototype) return this.startSet(value as Set<unknown>);
    if (ArrayBuffer.isView(value)) return this.view(value);
    if (prototype === ArrayBuffer.prototype) return this.buffer(value as ArrayBuffer);
    if (typeof SharedArrayBuffer === 'function' && prototype === SharedArrayBuffer.prototype) return this.buffer(value as SharedArrayBuffer);
    if (prototype === RegExp.prototype) return this.leaf(value, REGEXP, RegExp.prototype.toString.call(value));
    // As superjson writes it (structured clone has no form for a URL).
    if (prototype === URL.prototype) return this.leaf(value, URL_TYPE, (value as URL).href);
    if (prototype === Number.prototype) return this.wrapper(value, 'number', numberText((value as { valueOf(): number }).valueOf()));
    if (prototype === String.prototype) return this.wrapper(value, 'string', (value as { valueOf(): string }).valueOf());
    if (prototype === Boolean.prototype) return this.wrapper(value, 'boolean', String((value as { valueOf(): boolean }).valueOf()));
    if (prototype === BigInt.prototype) return this.wrapper(value, 'bigint', (value as { valueOf(): bigint }).valueOf().toString());
    switch (classifyBuiltIn(value, prototype)) {
      case BuiltInKind.Map:
        return this.startMap(value as Map<unknown, unknown>);
      case BuiltInKind.Set:
        return this.startSet(value as Set<unknown>);
      case BuiltInKind.Error:
        return this.startError(value as Error, undefined);
      case BuiltInKind.Unregistered:
        if (this.strict) throw unregisteredError(describeClass(value), TO_JSON);
        // Not strict: sent as structured clone would send it, a plain object of its own properties.
        return this.startPlain(value, false);
      case BuiltInKind.Leaf: {
        // Subclasses of the built-ins and objects from another realm travel as the built-in type.
        const tag = Object.prototype.toString.call(value);
        if (tag === '[object Date]') return this.date(value as Date);
        if (tag === '[object RegExp]') return this.leaf(value, REGEXP, RegExp.prototype.toString.call(value));
        if (tag === '[object ArrayBuffer]') return this.buffer(value as ArrayBuffer);
        throw uncloneableError(className(value), TO_JSON);
      }
      default:
        throw uncloneableError(className(value), TO_JSON);
    }
  }

  /**
   * What stands in the place of a second occurrence that superjson restores: `null`, as superjson
   * writes it, but a fresh `{}` for a Set member or Map key, where two nulls would merge into one.
   */
  private placeholder(): JsonValue {
    const frame = this.frames[this.top - 1];
    return frame !== undefined && (frame.kind === FrameKind.Set || (frame.kind === FrameKind.Map && frame.inKey)) ? {} : null;
  }

  private startPlain(source: object, nullProto: boolean): JsonValue {
    const frame = this.push(FrameKind.Plain, source, this.enter(source));
    if (nullProto) this.putExt(NULL_PROTO);
    frame.keys = Object.keys(source);
    frame.out = {};
    return STARTED;
  }

  private startArray(source: unknown[]): JsonValue {
    const frame = this.push(FrameKind.Array, source, this.enter(source));
    frame.out = [];
    const named = namedKeys(source);
    if (named !== undefined) {
      // JSON arrays have no names: the object form, holes and all.
      frame.holesCounted = true;
      this.objectForm(frame, presentIndices(source, 0), named);
    }
    return STARTED;
  }

  private startMap(source: Map<unknown, unknown>): JsonValue {
    const frame = this.push(FrameKind.Map, source, this.enter(source));
    this.openOwner();
    frame.iterator = source.entries();
    frame.out = [];
    return STARTED;
  }

  private startSet(source: Set<unknown>): JsonValue {
    const frame = this.push(FrameKind.Set, source, this.enter(source));
    this.openOwner();
    frame.iterator = source.values();
    frame.out = [];
    return STARTED;
  }

  private startInstance(value: object, entry: RegistryEntry): JsonValue {
    const id = this.enter(value);
    this.instanceDepth++;
    let raw: unknown;
    try {
      raw = (value as Serialisable).toSerialisable();
    } catch (cause) {
      throw toSerialisableError(entry.id, cause);
    }
    const frame = this.push(FrameKind.Instance, value, id);
    this.hidden++;
    frame.entry = entry;
    // The data sits where the instance does, as superjson's custom types do, unless it needs an
    // annotation of its own: then it is boxed, so it has a path of its own.
    frame.boxed = !this.unboxed(raw);
    if (frame.boxed) this.putExt([Ext.Class, entry.id]);
    else this.openOwner();
    frame.data = raw;
    return STARTED;
  }

  private startError(value: Error, entry: RegistryEntry | undefined): JsonValue {
    const id = this.enter(value);
    this.instanceDepth++;
    const record = errorToRecord(value);
    const frame = this.push(FrameKind.Error, value, id);
    this.openOwner();
    // The class travels beside superjson's annotation, unless the name already says it.
    if (entry === undefined || entry.id !== record.name || !NATIVE_ERROR_NAMES.has(entry.id)) this.putExt([Ext.Error, entry?.id ?? '']);
    frame.entry = entry;
    // superjson's form of an error (name, message, stack, cause) plus, where superjson does not
    // look, an AggregateError's errors and the other own properties.
    const out: Record<string, JsonValue> = { name: record.name };
    if (record.message !== undefined) out.message = record.message;
    if (record.stack !== undefined) out.stack = record.stack;
    if (record.hasCause === 1) {
      out.cause = null;
      frame.cause = record.cause;
    } else {
      frame.step = ErrorStep.Errors;
    }
    if (record.errors !== undefined) {
      out.errors = [];
      frame.errors = record.errors;
    }
    if (record.props !== undefined) {
      out.props = {};
      frame.props = record.props;
      frame.keys = Object.keys(record.props);
    }
    frame.out = out;
    return STARTED;
  }

  /**
   * Moves `frame` to its next child that needs writing and positions the path on it; returns the
   * child, or {@link DONE}. Children that are plain JSON are written here, in the same turn.
   */
  private next(frame: WriteFrame): unknown {
    const depth = frame.depth;
    const segments = this.segments;
    switch (frame.kind) {
      case FrameKind.Plain: {
        const keys = frame.keys as string[];
        const record = frame.source as Record<string, unknown>;
        const out = frame.out as Record<string, JsonValue>;
        for (let i = frame.index; i < keys.length; i++) {
          const key = keys[i] as string;
          const child = record[key];
          if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && ordinary(child))) {
            setOwn(out, key, child);
            continue;
          }
          frame.index = i;
          segments[depth] = key;
          this.depth = depth + 1;
          return child;
        }
        frame.index = keys.length;
        return DONE;
      }
      case FrameKind.Array: {
        if (frame.present !== undefined) return this.nextPresent(frame, depth);
        const source = frame.source as unknown[];
        const out = frame.out as JsonValue[];
        for (let i = frame.index, length = source.length; i < length; i++) {
          const child = source[i];
          if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && ordinary(child))) {
            out.push(child);
            continue;
          }
          frame.index = i;
          if (child === undefined && !(i in source)) {
            if (!frame.holesCounted) {
              frame.holesCounted = true;
              if (this.goSparse(frame, i)) return this.nextPresent(frame, depth);
            }
            segments[depth] = i;
            this.depth = depth + 1;
            this.putExt(HOLE);
            out.push(null);
            continue;
          }
          segments[depth] = i;
          this.depth = depth + 1;
          return child;
        }
        frame.index = source.length;
        this.depth = depth;
        return DONE;
      }
      case FrameKind.Map: {
        if (frame.inKey) {
          // The key is written: now its value.
          frame.inKey = false;
          segments[depth + 1] = 1;
          this.depth = depth + 2;
          return (frame.source as Map<unknown, unknown>).get(frame.mapKey);
        }
        const step = (frame.iterator as Iterator<[unknown, unknown]>).next();
        if (step.done === true) return DONE;
        frame.mapKey = step.value[0];
        frame.inKey = true;
        segments[depth] = frame.index;
        segments[depth + 1] = 0;
        this.depth = depth + 2;
        return frame.mapKey;
      }
      case FrameKind.Set: {
        const step = (frame.iterator as Iterator<unknown>).next();
        if (step.done === true) return DONE;
        segments[depth] = frame.index;
        this.depth = depth + 1;
        return step.value;
      }
      case FrameKind.Instance: {
        if (frame.index > 0) return DONE;
        if (frame.boxed) {
          segments[depth] = 0;
          this.depth = depth + 1;
        }
        return frame.data;
      }
      default:
        return this.nextOfError(frame, depth);
    }
  }

  /**
   * At the first hole of an array (index `hole`): switches it to the sparse form when it has more
   * holes than elements from there on, so it costs what its elements cost, not its length. The
   * elements before the hole move into the object, under the same paths.
   */
  private goSparse(frame: WriteFrame, hole: number): boolean {
    const source = frame.source as unknown[];
    const present = presentIndices(source, hole);
    // Few holes: each is written as null with a hole annotation.
    if (source.length - hole - present.length <= present.length) return false;
    this.objectForm(frame, present, undefined);
    return true;
  }

  /**
   * Switches an array's frame to the object form (`{"0":a,"7":b,"length":8,"name":c}`, the
   * `sparse` annotation): the elements written so far move into the object under the same paths,
   * and the frame goes on through the indices in `present`, then the `named` properties.
   */
  private objectForm(frame: WriteFrame, present: (number | string)[], named: readonly string[] | undefined): void {
    const dense = frame.out as JsonValue[];
    const out: Record<string, JsonValue> = {};
    for (let i = 0; i < dense.length; i++) out[i] = dense[i] as JsonValue;
    out.length = (frame.source as unknown[]).length;
    if (named !== undefined) for (const key of named) present.push(key);
    frame.out = out;
    frame.present = present;
    frame.index = 0;
    this.depth = frame.depth;
    this.putExt(SPARSE);
  }

  /** {@link next} for an array in the sparse form: through the indices of its elements. */
  private nextPresent(frame: WriteFrame, depth: number): unknown {
    const present = frame.present as (number | string)[];
    const source = frame.source as unknown[];
    const out = frame.out as Record<string, JsonValue>;
    for (let n = frame.index; n < present.length; n++) {
      const i = present[n] as number | string;
      const child = getOwn(source, i);
      if (typeof child === 'string' || typeof child === 'boolean' || child === null || (typeof child === 'number' && ordinary(child))) {
        setOwn(out, i, child);
        continue;
      }
      frame.index = n;
      this.segments[depth] = i;
      this.depth = depth + 1;
      return child;
    }
    frame.index = present.length;
    this.depth = depth;
    return DONE;
  }

  private nextOfError(frame: WriteFrame, depth: number): unknown {
    const segments = this.segments;
    for (;;) {
      switch (frame.step) {
        case ErrorStep.Cause:
          segments[depth] = 'cause';
          this.depth = depth + 1;
          return frame.cause;
        case ErrorStep.Errors: {
          // superjson sees the cause, but not what follows it.
          if (!frame.hiding) {
            frame.hiding = true;
            this.hidden++;
          }
          const errors = frame.errors;
          if (errors !== undefined && frame.index < errors.length) {
            segments[depth] = 'errors';
            segments[depth + 1] = frame.index;
            this.depth = depth + 2;
            return errors[frame.index];
          }
          frame.step = ErrorStep.Props;
          frame.index = 0;
          break;
        }
        case ErrorStep.Props: {
          const keys = frame.keys;
          if (keys !== undefined && frame.index < keys.length) {
            const key = keys[frame.index] as string;
            segments[depth] = 'props';
            segments[depth + 1] = key;
            this.depth = depth + 2;
            return (frame.props as Record<string, unknown>)[key];
          }
          frame.step = ErrorStep.Done;
          break;
        }
        default:
          return DONE;
      }
    }
  }

  /** Files the JSON of `frame`'s current child and moves past it. */
  private store(frame: WriteFrame, json: JsonValue): void {
    this.depth = frame.depth;
    this.current = frame.id;
    switch (frame.kind) {
      case FrameKind.Plain:
        setOwn(frame.out as Record<string, JsonValue>, (frame.keys as string[])[frame.index++] as string, json);
        return;
      case FrameKind.Array:
        if (frame.present === undefined) (frame.out as JsonValue[]).push(json);
        else (frame.out as Record<string, JsonValue>)[frame.present[frame.index] as number] = json;
        frame.index++;
        return;
      case FrameKind.Map:
        if (frame.inKey) {
          frame.keyJson = json;
        } else {
          (frame.out as JsonValue[]).push([frame.keyJson, json]);
          frame.index++;
        }
        return;
      case FrameKind.Set:
        (frame.out as JsonValue[]).push(json);
        frame.index++;
        return;
      case FrameKind.Instance:
        frame.out = frame.boxed ? [json] : json;
        frame.index++;
        return;
      default:
        this.storeInError(frame, json);
    }
  }

  private storeInError(frame: WriteFrame, json: JsonValue): void {
    const out = frame.out as Record<string, JsonValue>;
    switch (frame.step) {
      case ErrorStep.Cause:
        out.cause = json;
        frame.step = ErrorStep.Errors;
        return;
      case ErrorStep.Errors:
        (out.errors as JsonValue[]).push(json);
        frame.index++;
        return;
      default:
        setOwn(out.props as Record<string, JsonValue>, (frame.keys as string[])[frame.index++] as string, json);
    }
  }

  /** Ends the walk of `frame`'s object: closes its annotation and returns its JSON. */
  private finish(frame: WriteFrame): JsonValue {
    this.depth = frame.depth;
    this.leave(frame.id);
    switch (frame.kind) {
      case FrameKind.Map:
        this.close('map');
        break;
      case FrameKind.Set:
        this.close('set');
        break;
      case FrameKind.Instance:
        if (!frame.boxed) this.close(this.customType(frame.entry as RegistryEntry));
        this.hidden--;
        this.instanceDepth--;
        break;
      case FrameKind.Error:
        this.close(ERROR_TYPE);
        if (frame.hiding) this.hidden--;
        this.instanceDepth--;
        break;
    }
    const json = frame.out;
    frame.source = frame.data = frame.cause = undefined;
    frame.out = null;
    return json;
  }

  /** superjson's annotation type of a registered class, `["custom", id]`, made once per call. */
  private customType(entry: RegistryEntry): AnnotationType {
    let type = this.customTypes.get(entry);
    if (type === undefined) this.customTypes.set(entry, (type = ['custom', entry.id]));
    return type;
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
        // An array with holes or names may be written in the object form, an annotation of its own.
        if (Array.isArray(raw)) return firstHole(raw) === raw.length && namedKeys(raw) === undefined;
        return Object.getPrototypeOf(raw) === Object.prototype;
      }
      default:
        return false;
    }
  }
}

/** Returned by {@link JsonWriter.next} when a frame has no child left. */
const DONE: unique symbol = Symbol('done');

/** The path step from `frame`'s object to the child being written, for an error's path. */
function segmentOf(frame: WriteFrame): string {
  switch (frame.kind) {
    case FrameKind.Plain:
      return propertySegment((frame.keys as string[])[frame.index] as string);
    case FrameKind.Array:
      return propertySegment(frame.present === undefined ? frame.index : (frame.present[frame.index] as number | string));
    case FrameKind.Map:
      return frame.inKey ? mapKeySegment(frame.index) : mapValueSegment(frame.mapKey);
    case FrameKind.Set:
      return setMemberSegment(frame.index);
    case FrameKind.Instance:
      return '';
    default:
      return frame.step === ErrorStep.Cause ? '.cause' : frame.step === ErrorStep.Errors ? `.errors[${frame.index}]` : propertySegment((frame.keys as string[])[frame.index] as string);
  }
}
