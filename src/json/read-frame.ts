/**
 * The JSON reader's own call stack: one frame per annotated place whose children are being read.
 * @module
 */
import type { RegistryEntry } from '../codec/registry.js';
import type { PlanNode } from './plan.js';

/** How a frame's children are found in its json and where their values go. */
export const Slots = {
  /** Elements of an array (a hole deletes the element). */
  Array: 0,
  /** Own properties of an object. */
  Object: 1,
  /** Entries of a Map, each a `[key, value]` pair read by a {@link Slots.Pair} frame of its own. */
  Entries: 2,
  /** The key (`0`) and value (`1`) of one Map entry. */
  Pair: 3,
  /** Members of a Set. */
  Members: 4,
  /** The one element of boxed instance data, `[data]`. */
  Box: 5,
  /** The fields of an error record: `cause`, and `errors` and `props` read by frames of their own. */
  ErrorFields: 6,
  /** The buffer of a view, `[buffer, offset, length]`. */
  ViewBuffer: 7,
} as const;
export type Slots = (typeof Slots)[keyof typeof Slots];

/** What a frame's place becomes once its children are read. */
export const Ending = {
  /** The json itself, its children revived in place. */
  Raw: 0,
  Map: 1,
  Set: 2,
  /** An instance built by `fromSerialisable` from the (revived) data. */
  Instance: 3,
  Error: 4,
  View: 5,
  /** Nothing: a part of the frame below (a Map entry, an error's `errors` or `props`). */
  Part: 6,
} as const;
export type Ending = (typeof Ending)[keyof typeof Ending];

/** One place being read. */
export class ReadFrame {
  /** The child being read: its array index or property key; `undefined` between children. */
  at: number | string | undefined;
  /** The children's position in the wanted order. */
  position = 0;
  /** Ending.Instance and Ending.Map: what the frame builds from (the data, the entries). */
  made: unknown;
  /** Ending.Instance: the class id and its entry. */
  classId = '';
  entry: RegistryEntry | undefined;
  /** Ending.View: the view's type from the annotation. */
  type: unknown[] | undefined;

  constructor(
    readonly slots: Slots,
    readonly ending: Ending,
    /** The place. */
    readonly node: PlanNode,
    /** The json the children are read from (an array or object). */
    readonly json: unknown,
    /** The places below, in the order they are read. */
    readonly children: readonly PlanNode[],
  ) {}
}
