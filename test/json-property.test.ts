/**
 * Property-based round trips through the JSON wire: generated values mixing registered classes,
 * errors, plain containers (with awkward keys and null prototypes), Maps, Sets, Dates, BigInts,
 * typed arrays, buffers, shared references and cycles. Each must come back with the same shape,
 * prototypes and identities, just as it does through the structured-clone codec.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encode, parse, stringify } from 'celerity';
import { Box, Point, RouteError, Segment, assertSameShape } from './json-support.js';

/** A description of a value; built into a value by {@link build}. */
type Recipe =
  | { t: 'leaf'; make: () => unknown }
  | { t: 'array'; items: Recipe[] }
  | { t: 'object'; entries: [string, Recipe][]; bare: boolean }
  | { t: 'map'; entries: [Recipe, Recipe][] }
  | { t: 'set'; items: Recipe[] }
  | { t: 'point'; x: number; y: number }
  | { t: 'segment'; at: number }
  | { t: 'box'; content: Recipe }
  | { t: 'error'; message: string; cause: Recipe | undefined; registered: boolean }
  | { t: 'shared'; index: number }
  | { t: 'cycle'; up: number };

const KEYS = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'a.b', 'x\\y', '', '0', '12', 'json', 'meta', 'celerity', 'v', 'toJSON'));

/** Leaves are made fresh at each build, so two runs never share an object by accident. */
const LEAF: fc.Arbitrary<Recipe> = fc.oneof(
  fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt()).map((v) => ({ t: 'leaf' as const, make: () => v })),
  fc.date({ noInvalidDate: false }).map((d) => ({ t: 'leaf' as const, make: () => new Date(d.getTime()) })),
  fc.constantFrom('a+', '^x$', '[/.]').chain((source) => fc.constantFrom('', 'g', 'iu').map((flags) => ({ t: 'leaf' as const, make: () => new RegExp(source, flags) }))),
  fc
    .oneof(
      fc.int8Array({ maxLength: 4 }),
      fc.uint8Array({ maxLength: 4 }),
      fc.uint8ClampedArray({ maxLength: 4 }),
      fc.int16Array({ maxLength: 4 }),
      fc.uint16Array({ maxLength: 4 }),
      fc.int32Array({ maxLength: 4 }),
      fc.uint32Array({ maxLength: 4 }),
      fc.float32Array({ maxLength: 4 }),
      fc.float64Array({ maxLength: 4 }),
      fc.bigInt64Array({ maxLength: 4 }),
      fc.bigUint64Array({ maxLength: 4 }),
    )
    .map((array) => ({ t: 'leaf' as const, make: () => array.slice() })),
  fc.uint8Array({ maxLength: 6 }).map((bytes) => ({ t: 'leaf' as const, make: () => bytes.slice().buffer })),
  fc.uint8Array({ maxLength: 6 }).map((bytes) => ({ t: 'leaf' as const, make: () => new DataView(bytes.slice().buffer) })),
  fc.float64Array({ minLength: 2, maxLength: 5 }).map((array) => ({ t: 'leaf' as const, make: () => array.slice().subarray(1) })),
);

const { recipe } = fc.letrec<{ recipe: Recipe }>((tie) => ({
  recipe: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    LEAF,
    fc.array(tie('recipe'), { maxLength: 4 }).map((items): Recipe => ({ t: 'array', items })),
    fc.record({ entries: fc.array(fc.tuple(KEYS, tie('recipe')), { maxLength: 4 }), bare: fc.boolean() }).map(({ entries, bare }): Recipe => ({ t: 'object', entries, bare })),
    fc.array(fc.tuple(tie('recipe'), tie('recipe')), { maxLength: 3 }).map((entries): Recipe => ({ t: 'map', entries })),
    fc.array(tie('recipe'), { maxLength: 3 }).map((items): Recipe => ({ t: 'set', items })),
    fc.record({ x: fc.double(), y: fc.integer() }).map(({ x, y }): Recipe => ({ t: 'point', x, y })),
    fc.integer().map((at): Recipe => ({ t: 'segment', at })),
    tie('recipe').map((content): Recipe => ({ t: 'box', content })),
    fc
      .record({ message: fc.string({ maxLength: 5 }), cause: fc.option(tie('recipe'), { nil: undefined }), registered: fc.boolean() })
      .map(({ message, cause, registered }): Recipe => ({ t: 'error', message, cause, registered })),
    fc.nat(7).map((index): Recipe => ({ t: 'shared', index })),
    fc.nat(7).map((up): Recipe => ({ t: 'cycle', up })),
  ),
}));

/** While building: objects to share, and the plain containers enclosing the current place (for cycles). */
interface Context {
  pool: unknown[];
  ancestors: object[];
  /** Whether null-prototype objects may be made (structured clone, and so the codec, gives them a prototype). */
  bare: boolean;
}

function define(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Builds the value a recipe describes. Cycles only ever close through plain containers. */
function build(recipe: Recipe, context: Context): unknown {
  const inside = (container: object, fill: () => void): object => {
    context.ancestors.push(container);
    fill();
    context.ancestors.pop();
    return container;
  };
  // Instance data starts a new level: a cycle from it back out would be a cycle through class data.
  const fresh = (): Context => ({ ...context, ancestors: [] });
  switch (recipe.t) {
    case 'leaf':
      return recipe.make();
    case 'array': {
      const array: unknown[] = [];
      return inside(array, () => {
        for (const item of recipe.items) array.push(build(item, context));
      });
    }
    case 'object': {
      const object = recipe.bare && context.bare ? (Object.create(null) as object) : {};
      return inside(object, () => {
        for (const [key, item] of recipe.entries) define(object, key, build(item, context));
      });
    }
    case 'map': {
      const map = new Map<unknown, unknown>();
      return inside(map, () => {
        for (const [key, value] of recipe.entries) map.set(build(key, context), build(value, context));
      });
    }
    case 'set': {
      const set = new Set<unknown>();
      return inside(set, () => {
        for (const item of recipe.items) set.add(build(item, context));
      });
    }
    case 'point':
      return new Point(recipe.x, recipe.y);
    case 'segment':
      return new Segment(new Point(recipe.at, 0), new Point(0, recipe.at), new Date(recipe.at));
    case 'box':
      return new Box(build(recipe.content, fresh()));
    case 'error': {
      const options = recipe.cause === undefined ? undefined : { cause: build(recipe.cause, fresh()) };
      return recipe.registered ? new RouteError(recipe.message, recipe.message.length, options) : new TypeError(recipe.message, options);
    }
    case 'shared':
      return context.pool.length === 0 ? null : context.pool[recipe.index % context.pool.length];
    case 'cycle': {
      const { ancestors } = context;
      return ancestors.length === 0 ? 'no cycle' : ancestors[ancestors.length - 1 - (recipe.up % ancestors.length)];
    }
  }
}

/** Values from a main recipe and a pool of shared objects (built without references of their own). */
function values(bare: boolean): fc.Arbitrary<unknown> {
  return fc.tuple(recipe, fc.array(recipe, { maxLength: 3 })).map(([main, shared]) => {
    const pool = shared.map((item) => build(item, { pool: [], ancestors: [], bare }));
    return build(main, { pool, ancestors: [], bare });
  });
}

await test('property: 1,500 generated values survive stringify / parse with prototypes and identities', () => {
  fc.assert(
    fc.property(values(true), (value) => {
      assertSameShape(parse(stringify(value)), value);
    }),
    { numRuns: 1_500 },
  );
});

await test('property: whatever the codec round-trips, the JSON wire round-trips the same way', () => {
  fc.assert(
    fc.property(values(false), (value) => {
      const viaCodec = decode(structuredClone(encode(value)));
      const viaJson = parse(stringify(value));
      assertSameShape(viaCodec, value);
      assertSameShape(viaJson, value);
    }),
    { numRuns: 500 },
  );
});

await test('property: a value of 10,000 mixed items with shared instances keeps every identity', () => {
  const shared = new Point(1, 2);
  const date = new Date(5);
  const items = Array.from({ length: 10_000 }, (_, i) =>
    i % 3 === 0 ? new Segment(shared, new Point(i, i), date) : i % 3 === 1 ? new Map([[shared, new Box([i, 2n ** BigInt(i % 70)])]]) : new Set([date, new Float32Array([i])]),
  );
  const copy = parse(stringify(items)) as unknown[];
  assertSameShape(copy, items);
  assert.ok(copy[0] instanceof Segment && copy[0].from === (copy[3] as Segment).from);
});
