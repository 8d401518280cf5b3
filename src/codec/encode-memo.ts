/**
 * What an encode call has met: each instance (converted once, so a shared instance stays one
 * object on the other side) and each container it had to copy (so a shared container stays one
 * too). Like the other tables of an encode call, the maps here are made on first use, so plain
 * data pays for none of them.
 * @module
 */
import { PlaceRecorder } from './encode-places.js';
import { IdentityTable } from './identity.js';

/** The memo of one encode call; the encoders build on it. */
export class EncodeMemo extends PlaceRecorder {
  /** Every instance met, with its number. */
  protected seen: IdentityTable | undefined;
  /**
   * Every object sent as a row (a plain object, so never an instance: the two tables are kept
   * apart, each lookup asks only the one it concerns).
   */
  protected rowObjects: IdentityTable | undefined;
  /** The class index of each instance (negated for boxed data), by number. */
  protected readonly instanceClasses: number[] = [];
  /** The encoded data of each instance, by number. */
  protected readonly instanceData: unknown[] = [];
  protected instanceCount = 0;
  /** The object the current `toSerialisable()` returned (see {@link rememberCopy}). */
  protected dataRoot: unknown;
  /** Set once an instance or a copied container has been met twice. */
  protected sharing = false;
  private copies: Map<object, object> | undefined;
  /**
   * Copies of objects that `toSerialisable()` returned, as `[source, copy, ...]`: kept out of
   * {@link copies} because such an object is almost always fresh and a map entry per instance is
   * costly. Indexed only if one could be reached again (see {@link rememberCopy}).
   */
  private readonly dataCopies: object[] = [];
  private dataCopyIndex: Map<object, object> | undefined;

  /** The copy already made of `source`, if it was walked before and needed one. */
  protected knownCopy(source: object): object | undefined {
    if (this.copies === undefined) return undefined;
    const known = this.copies.get(source);
    if (known !== undefined) this.sharing = true;
    return known;
  }

  /**
   * Remembers the copy of a container just walked, so that a shared container stays one object on
   * the wire, and returns the copy to use. The object a `toSerialisable()` call just returned
   * (`isDataRoot`) goes to the cheaper {@link dataCopies} list instead of {@link copies}.
   *
   * A container copied a second time holds something already converted (an instance, or a copied
   * container, met again), so only once {@link sharing} is set can it be the data of an instance
   * walked before; the first copy is then used, and this walk's copy is dropped (the places
   * recorded in it still point at the same instances, so decoding it is harmless).
   */
  protected rememberCopy(source: object, copy: object, isDataRoot: boolean): object {
    if (this.sharing && this.dataCopies.length > 0) {
      const earlier = this.dataCopyOf(source);
      if (earlier !== undefined) {
        (this.copies ??= new Map()).set(source, earlier);
        return earlier;
      }
    }
    if (!isDataRoot) (this.copies ??= new Map()).set(source, copy);
    else if (this.dataCopyIndex !== undefined) this.dataCopyIndex.set(source, copy);
    else this.dataCopies.push(source, copy);
    return copy;
  }

  /** The copy made when `source` was walked as an instance's data, if it was. */
  private dataCopyOf(source: object): object | undefined {
    let index = this.dataCopyIndex;
    if (index === undefined) {
      index = this.dataCopyIndex = new Map();
      const list = this.dataCopies;
      for (let i = 0; i < list.length; i += 2) index.set(list[i] as object, list[i + 1] as object);
    }
    return index.get(source);
  }
}
