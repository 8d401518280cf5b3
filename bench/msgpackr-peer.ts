/**
 * msgpackr set up as its users set it up for class instances: records (each object shape written
 * once, its decoder compiled once), and an extension per class whose data msgpackr packs in turn.
 * A baseline for the conversion suite; it keeps no shared references (no `structuredClone`
 * option), which is msgpackr at its fastest.
 * @module
 */
import { Packr, addExtension } from 'msgpackr';
import type { FoundClass } from './dist.js';

/** Extension types from here up; msgpackr's own types sit elsewhere. */
const FIRST_TYPE = 40;
/** Classes given an extension so far (msgpackr's extensions are global to the module). */
const extended = new Map<object, number>();

/** A Packr with records, after an extension for each class of `classes` that has none yet. */
export function msgpackrFor(classes: readonly FoundClass[]): Packr {
  for (const cls of classes) {
    if (extended.has(cls.prototype)) continue;
    const type = FIRST_TYPE + extended.size;
    extended.set(cls.prototype, type);
    addExtension({
      Class: (cls.prototype as { constructor: new (...args: never[]) => unknown }).constructor,
      type,
      write: (instance: object) => cls.toData(instance),
      read: (data: unknown) => cls.fromData(data),
    });
  }
  return new Packr({ useRecords: true, moreTypes: true });
}
