/**
 * msgpackr set up as its users set it up for class instances: records (each object shape written
 * once, its decoder compiled once), and an extension per class whose data msgpackr packs in turn.
 * A baseline of `celerity bench` and of the conversion benchmark; it keeps no shared references
 * (no `structuredClone` option), which is msgpackr at its fastest. msgpackr is not a dependency of
 * celerity: without it installed, the baseline is left out with a note.
 * @module
 */
import type * as Msgpackr from 'msgpackr';
import type { FoundClass } from './inspect.js';
import { importOptional } from './optional.js';

/** Extension types from here up; msgpackr's own types sit elsewhere. */
const FIRST_TYPE = 40;
/** Classes given an extension so far (msgpackr's extensions are global to the module). */
const extended = new Map<object, number>();

/** A pack-and-unpack round trip through msgpackr. */
export interface MsgpackrTrip {
  /** `unpack(pack(value))`. */
  trip(value: unknown): unknown;
}

/**
 * A msgpackr round trip with records, after an extension for each class of `classes` that has
 * none yet; `undefined` when msgpackr is not installed.
 */
export async function msgpackrFor(classes: readonly FoundClass[]): Promise<MsgpackrTrip | undefined> {
  const msgpackr = await importOptional<typeof Msgpackr>('msgpackr');
  if (msgpackr === undefined) return undefined;
  for (const cls of classes) {
    if (extended.has(cls.prototype)) continue;
    const type = FIRST_TYPE + extended.size;
    extended.set(cls.prototype, type);
    msgpackr.addExtension({
      Class: (cls.prototype as { constructor: new (...args: never[]) => unknown }).constructor,
      type,
      write: (instance: object) => cls.toData(instance),
      read: (data: unknown) => cls.fromData(data),
    });
  }
  const packr = new msgpackr.Packr({ useRecords: true, moreTypes: true });
  return { trip: (value) => packr.unpack(packr.pack(value)) as unknown };
}
