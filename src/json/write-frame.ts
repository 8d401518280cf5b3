/**
 * The JSON writer's own call stack: one frame per container (or instance, or error) whose children
 * are being written. Frames are reused by depth, so a walk allocates as many as its deepest
 * nesting, not one per container.
 * @module
 */
import type { RegistryEntry } from '../codec/registry.js';
import type { JsonValue } from './format.js';

/** What a frame writes. */
export const FrameKind = { Plain: 0, Array: 1, Map: 2, Set: 3, Instance: 4, Error: 5 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** The parts of an error record with children, in the order they are written. */
export const ErrorStep = { Cause: 0, Errors: 1, Props: 2, Done: 3 } as const;
export type ErrorStep = (typeof ErrorStep)[keyof typeof ErrorStep];

/** One container being written, and how far its walk has got. */
export class WriteFrame {
  kind: FrameKind = FrameKind.Plain;
  /** The object being written. */
  source: unknown;
  /** Its JSON: the object or array the children go into. */
  out: JsonValue = null;
  /** The object's number (see `references.ts`). */
  id = 0;
  /** The path depth of the object itself: its children sit one level (two in a Map) below. */
  depth = 0;
  /** The child being written: property index, array index, entry or member number. */
  index = 0;
  /** Plain objects: the keys in order. Errors: the keys of the extra properties. */
  keys: string[] | undefined;
  /**
   * Arrays written in the object form: the indices of the elements still to write, then the
   * names of the named properties (`index` counts through them; `out` is the object by key).
   */
  present: (number | string)[] | undefined;
  /** Arrays: whether the first hole was met (and the form chosen). */
  holesCounted = false;
  /** Maps and Sets: the iterator over the entries or members. */
  iterator: Iterator<unknown> | undefined;
  /** Maps: the current entry's original key, its JSON once written, and whether the key is the child now. */
  mapKey: unknown;
  keyJson: JsonValue = null;
  inKey = false;
  /** Instances and errors: the class entry (undefined for an unregistered error). */
  entry: RegistryEntry | undefined;
  /** Instances: what `toSerialisable()` returned, the one child. */
  data: unknown;
  /** Instances: whether the data is boxed, `[data]`, to carry an annotation of its own. */
  boxed = false;
  /** Errors: which part of the record is being written, and the record's nested values. */
  step: ErrorStep = ErrorStep.Cause;
  /** Errors: past the cause, into the parts superjson does not see. */
  hiding = false;
  cause: unknown;
  errors: unknown[] | undefined;
  props: Record<string, unknown> | undefined;

  /** Makes the frame ready for a new object (frames are reused). */
  reset(kind: FrameKind, source: object, id: number, depth: number): void {
    this.kind = kind;
    this.source = source;
    this.id = id;
    this.depth = depth;
    this.index = 0;
    this.keys = undefined;
    this.present = undefined;
    this.holesCounted = false;
    this.iterator = undefined;
    this.mapKey = undefined;
    this.keyJson = null;
    this.inKey = false;
    this.hiding = false;
    this.entry = undefined;
    this.data = undefined;
    this.boxed = false;
    this.step = ErrorStep.Cause;
    this.cause = undefined;
    this.errors = undefined;
    this.props = undefined;
  }
}
