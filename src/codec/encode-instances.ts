/**
 * The conversion of instances, the part of an encode call that is celerity's own: each registered
 * instance (and each Error) is converted once, its data encoded in turn and recorded as a place,
 * innermost first; from a wire's 17th instance on, data that is a plain object travels as a row
 * (see `row-shape.ts`). The walk over plain containers is the subclass's (`encode.ts`).
 * @module
 */
import { className } from './builtins.js';
import { errorToRecord } from './error-record.js';
import { TO_THREAD, instanceCycleError, toSerialisableError, uncloneableError } from '../errors.js';
import { EncodeMemo } from './encode-memo.js';
import { IdentityTable } from './identity.js';
import { RowWriter } from './encode-rows.js';
import { addSegment, propertySegment } from './path.js';
import type { RegistryEntry, Serialisable } from './registry.js';
import { PLACE_PROPERTY, PLACE_ROW_VALUE, type Wire } from './wire.js';

/**
 * Thrown by the fast encoder when an object sent as a row is also reached elsewhere in the value:
 * a row is rebuilt as a new object, so such a value is encoded again without rows to keep it one.
 */
export const SHARED_ROW: unique symbol = Symbol('celerity.encode.shared-row');

/** Marks an instance whose data is still being encoded (so meeting it again is a cycle). */
const IN_PROGRESS = Symbol('in progress');

/** What stands in a container for an instance whose data travels as a row (decode replaces it). */
const ROW_DATA = 0;

/**
 * Instances whose data is always sent as an object: rows pay a fixed cost per wire (the row table,
 * the shapes, a builder lookup on decode) that only many instances win back, so a small value keeps
 * the plain layout, and a large one switches to rows after its first few instances.
 */
const OBJECT_INSTANCES = 16;

type PlainObject = Record<string, unknown>;

/** Converts the instances of one encode call; the container walk is the subclass's. */
export abstract class InstanceEncoder extends EncodeMemo {
  /** Nesting depth of instances whose data is being encoded (the graph encoder needs it). */
  protected instanceDepth = 0;
  /**
   * Class index and instance number of the value the last `value()` call returned, when that value
   * replaced an instance; `pendingInstance` is -1 otherwise. The caller records the place.
   */
  protected pendingClass = 0;
  protected pendingInstance = -1;
  /** Every plain object walked as a container, checked against the rows' objects at the end. */
  protected readonly walkedObjects: object[] = [];
  /** Whether instance data that is a plain object may travel as a row (see `row-shape.ts`). */
  private readonly rows: boolean;
  private readonly rowWriter = new RowWriter();

  /** `rows: false` keeps every instance's data an object. */
  constructor(rows: boolean) {
    super();
    this.rows = rows;
  }

  /** Encodes one value; see {@link pendingInstance} for how instances are reported. */
  protected abstract value(value: unknown): unknown;

  /** Marks `container` as being walked. */
  protected abstract enter(container: object): void;

  /** Ends the walk of the container entered last. */
  protected abstract leave(): void;

  /** Records a place for the instance the last `value()` call reported. */
  protected place(kind: number, container: unknown, key: unknown): void {
    this.record(kind, container, key, this.pendingClass, this.pendingInstance);
    this.pendingInstance = -1;
  }

  /** Converts a registered instance (or any Error, when `entry` is undefined) once. */
  protected instance(value: object, entry: RegistryEntry | undefined): unknown {
    const instance = this.beginInstance(value, entry);
    if (instance < 0) return this.instanceData[~instance];
    let data: unknown;
    if (entry === undefined || entry.isError) {
      data = this.errorData(value as Error);
    } else {
      const raw = serialised(value, entry);
      if (this.rows && instance >= OBJECT_INSTANCES && typeof raw === 'object' && raw !== null && Object.getPrototypeOf(raw) === Object.prototype) {
        this.row(instance, raw as PlainObject, entry);
        data = ROW_DATA;
      } else {
        this.dataRoot = raw;
        data = this.value(raw);
      }
    }
    return this.endInstance(instance, data);
  }

  /**
   * Starts converting an instance: returns its number, or, for an instance met before, the
   * complement of its number (negative) with {@link pendingInstance} set to it.
   * @throws {CelerityError} `ERR_CYCLE` when the instance is met inside its own data.
   */
  protected beginInstance(value: object, entry: RegistryEntry | undefined): number {
    const met = (this.seen ??= new IdentityTable());
    const seen = met.get(value);
    if (seen !== undefined) {
      if (this.instanceData[seen] === IN_PROGRESS) {
        throw instanceCycleError(describeInstance(value, entry), entry?.id);
      }
      this.sharing = true;
      this.pendingClass = this.instanceClasses[seen] as number;
      this.pendingInstance = seen;
      return ~seen;
    }
    const instance = this.instanceCount++;
    met.set(value, instance);
    this.instanceClasses[instance] = this.classFor(entry);
    this.instanceData[instance] = IN_PROGRESS;
    this.instanceDepth++;
    return instance;
  }

  /**
   * Ends converting instance `instance`, whose data encoded as `data` (an instance itself when
   * {@link pendingInstance} says so), and reports it as the pending instance.
   */
  protected endInstance(instance: number, data: unknown): unknown {
    let cls = this.instanceClasses[instance] as number;
    if (this.pendingInstance >= 0) {
      // The data is itself an instance: box it so it has a container to be rebuilt in.
      const box = [data];
      this.place(PLACE_PROPERTY, box, 0);
      data = box;
      cls = ~cls;
    }
    this.instanceDepth--;
    this.instanceClasses[instance] = cls;
    this.instanceData[instance] = data;
    this.pendingClass = cls;
    this.pendingInstance = instance;
    return data;
  }

  /**
   * Sends `raw`, the plain object `instance`'s `toSerialisable()` returned, as a row: its values
   * go to the row values and its key list to the wire's shapes. Throws {@link SHARED_ROW} when
   * another instance returned the same object.
   */
  private row(instance: number, raw: PlainObject, entry: RegistryEntry): void {
    // A sentinel, not an error: `encode` catches it and never lets it escape.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    if (!(this.rowObjects ??= new IdentityTable()).add(raw)) throw SHARED_ROW;
    const rows = this.rowWriter;
    rows.used = true;
    this.enter(raw);
    const scratch = rows.scratch;
    const start = rows.top;
    // The fill level, kept local while the values are primitives; nested rows fill above it.
    let top = start;
    const instancesStart = rows.instanceTop;
    const expected = entry.rowShape?.keys;
    // Built only when the keys differ from the shape this class's data had last.
    let keys: string[] | undefined;
    let count = 0;
    let key = '';
    try {
      for (key in raw) {
        if (keys === undefined && expected?.[count] !== key) keys = expected === undefined ? [] : expected.slice(0, count);
        keys?.push(key);
        const child = raw[key];
        if (typeof child !== 'object' || child === null) {
          if (typeof child === 'function' || typeof child === 'symbol') throw uncloneable(typeof child);
          scratch[top++] = child;
        } else {
          rows.top = top;
          const result = this.value(child);
          if (this.pendingInstance >= 0) {
            const found = rows.instances;
            const at = rows.instanceTop;
            found[at] = count;
            found[at + 1] = this.pendingClass;
            found[at + 2] = this.pendingInstance;
            rows.instanceTop = at + 3;
            this.pendingInstance = -1;
          }
          scratch[top++] = result;
        }
        count++;
      }
    } catch (e) {
      addSegment(e, propertySegment(key));
      throw e;
    }
    rows.top = top;
    this.leave();
    if (keys === undefined && expected?.length !== count) keys = expected === undefined ? [] : expected.slice(0, count);
    const shape = rows.shapeOf(entry, keys);
    const offset = rows.commit(start);
    const found = rows.instances;
    for (let i = instancesStart; i < rows.instanceTop; i += 3) {
      this.record(PLACE_ROW_VALUE, ROW_DATA, offset + (found[i] as number), found[i + 1] as number, found[i + 2] as number);
    }
    rows.instanceTop = instancesStart;
    rows.setRow(instance, shape, offset);
  }

  /**
   * Throws {@link SHARED_ROW} when an object sent as a row (`rows` holds them) was also walked as
   * a plain object.
   */
  private checkRowsUnshared(rows: IdentityTable): void {
    for (const walked of this.walkedObjects) {
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (rows.has(walked)) throw SHARED_ROW;
    }
  }

  /** The error protocol's record of `error`, its nested values encoded in place. */
  private errorData(error: Error): unknown {
    const record = errorToRecord(error);
    if (record.hasCause === 1) {
      try {
        record.cause = this.value(record.cause);
      } catch (e) {
        addSegment(e, '.cause');
        throw e;
      }
      if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, record, 'cause');
    }
    const errors = record.errors;
    if (errors !== undefined) {
      let i = 0;
      try {
        for (; i < errors.length; i++) {
          errors[i] = this.value(errors[i]);
          if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, errors, i);
        }
      } catch (e) {
        addSegment(e, `.errors[${i}]`);
        throw e;
      }
    }
    const props = record.props;
    if (props !== undefined) {
      let key = '';
      try {
        for (key of Object.keys(props)) {
          props[key] = this.value(props[key]);
          if (this.pendingInstance >= 0) this.place(PLACE_PROPERTY, props, key);
        }
      } catch (e) {
        addSegment(e, propertySegment(key));
        throw e;
      }
    }
    return record;
  }

  /** Writes the rows, if any, into `wire` (after checking that no row's object is shared). */
  protected writeRows(wire: Wire): void {
    if (!this.rowWriter.used) return;
    this.checkRowsUnshared(this.rowObjects as IdentityTable);
    this.rowWriter.writeTo(wire, this.instanceCount);
  }
}

/** What `toSerialisable()` returns for `value`; its failure is `ERR_TO_SERIALISABLE`. */
export function serialised(value: object, entry: RegistryEntry): unknown {
  try {
    return (value as Serialisable).toSerialisable();
  } catch (cause) {
    throw toSerialisableError(entry.id, cause);
  }
}

/** The ERR_UNCLONEABLE error for a value of the given kind. */
export function uncloneable(kind: string): Error {
  return uncloneableError(kind, TO_THREAD);
}

function describeInstance(value: object, entry: RegistryEntry | undefined): string {
  return entry === undefined ? `The ${className(value)} error` : `An instance of ${entry.id}`;
}
