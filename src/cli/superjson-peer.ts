/**
 * superjson set up the way a user would to carry the same classes: one custom transformer per
 * registered class, whose data goes through the same superjson instance so that instances,
 * Dates, Maps and typed arrays inside it survive too.
 * @module
 */
import SuperJSON from 'superjson';
import type { FoundClass } from './inspect.js';

type Result = ReturnType<SuperJSON['serialize']>;
type Json = Result['json'];
type Input = Parameters<SuperJSON['serialize']>[0];

/** A fresh superjson instance (not the shared default) with `classes` registered. */
export function superjsonFor(classes: readonly FoundClass[]): SuperJSON {
  const sj = new SuperJSON();
  for (const cls of classes) {
    sj.registerCustom<object, Json>(
      {
        // Exact class only: a subclass registered on its own must not be taken for its parent.
        isApplicable: (value): value is object => typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === cls.prototype,
        // A `{ json, meta }` result is JSON itself; its type only lacks an index signature.
        serialize: (instance) => sj.serialize(cls.toData(instance) as Input) as unknown as Json,
        deserialize: (data) => cls.fromData(sj.deserialize(data as unknown as Result)) as object,
      },
      cls.id,
    );
  }
  return sj;
}
