/**
 * fast-check arbitraries for the codec tests. They generate a *description* of a value; a
 * {@link Builder} turns it into the value afresh for every run, so shared references and cycles are
 * real and no generated object is ever reused between runs.
 */
import fc from 'fast-check';
import { Box, defineOwn, Line, Point } from './codec-support.js';

export type Primitive = number | string | boolean | bigint | null | undefined;
export type TypedKind = 'u8' | 'i32' | 'f64' | 'b64';

/** A description of a value to build. */
export type Spec =
  | { kind: 'prim'; value: Primitive }
  | { kind: 'date'; time: number }
  | { kind: 'regexp'; source: string; flags: string }
  | { kind: 'typed'; type: TypedKind; values: number[] }
  | { kind: 'buffer'; bytes: number[] }
  /** `named`: properties of the array besides its elements (structured clone keeps them). */
  | { kind: 'array'; items: Spec[]; named: [string, Spec][] }
  | { kind: 'object'; nullProto: boolean; entries: [string, Spec][] }
  | { kind: 'map'; entries: [Spec, Spec][] }
  | { kind: 'set'; items: Spec[] }
  | { kind: 'point'; x: number; y: number }
  | { kind: 'line'; from: PointSpec; to: PointSpec; label: string }
  | { kind: 'box'; content: Spec }
  /** An object built earlier (and complete): a shared reference. */
  | { kind: 'ref'; pick: number }
  /** A plain container that is still being built: a cycle through plain containers. */
  | { kind: 'back'; pick: number };

/** A new Point, or one built earlier. */
export type PointSpec = { kind: 'point'; x: number; y: number } | { kind: 'ref'; pick: number };

const KEYS = ['__proto__', 'constructor', 'prototype', 'w', 'v', 'p', 'f', 'k', 'c', 'n', 'a', '0', '10', 'toString', 'then'];

const primitive: fc.Arbitrary<Spec> = fc
  .oneof(
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 6 }),
    fc.string({ unit: 'binary', maxLength: 3 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
  )
  .map((value): Spec => ({ kind: 'prim', value }));

const leafObject: fc.Arbitrary<Spec> = fc.oneof(
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((time): Spec => ({ kind: 'date', time })),
  fc.record({ kind: fc.constant('regexp' as const), source: fc.constantFrom('a+', '^x$', '[0-9]{2}', '(?<name>b)'), flags: fc.constantFrom('', 'g', 'iu', 'sy') }),
  fc.record({
    kind: fc.constant('typed' as const),
    type: fc.constantFrom<TypedKind>('u8', 'i32', 'f64', 'b64'),
    values: fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 4 }),
  }),
  fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }).map((bytes): Spec => ({ kind: 'buffer', bytes })),
);

const pointSpec: fc.Arbitrary<PointSpec> = fc.oneof(
  fc.record({ kind: fc.constant('point' as const), x: fc.integer(), y: fc.double() }),
  fc.record({ kind: fc.constant('ref' as const), pick: fc.nat() }),
);

/** `spec`: any value; `container`: a plain container; `instance`: a registered instance. */
export const specs = fc.letrec<{ spec: Spec; container: Spec; instance: Spec }>((tie) => ({
  spec: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    primitive,
    leafObject,
    fc.nat().map((pick): Spec => ({ kind: 'ref', pick })),
    fc.nat().map((pick): Spec => ({ kind: 'back', pick })),
    tie('container'),
    tie('instance'),
    tie('instance'),
  ),
  container: fc.oneof(
    fc
      .record({
        items: fc.array(tie('spec'), { maxLength: 4 }),
        named: fc.oneof({ weight: 4, arbitrary: fc.constant<[string, Spec][]>([]) }, fc.array(fc.tuple(fc.constantFrom<string>('total', 'label', '__proto__', '4294967295', '-1'), tie('spec')), { maxLength: 2 })),
      })
      .map(({ items, named }): Spec => ({ kind: 'array', items, named })),
    fc
      .record({
        nullProto: fc.boolean(),
        entries: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 3 })), tie('spec')), { maxLength: 4 }),
      })
      .map(({ nullProto, entries }): Spec => ({ kind: 'object', nullProto, entries })),
    fc.array(fc.tuple(tie('spec'), tie('spec')), { maxLength: 3 }).map((entries): Spec => ({ kind: 'map', entries })),
    fc.array(tie('spec'), { maxLength: 3 }).map((items): Spec => ({ kind: 'set', items })),
  ),
  instance: fc.oneof(
    fc.record({ kind: fc.constant('point' as const), x: fc.integer(), y: fc.double() }),
    fc.record({ kind: fc.constant('line' as const), from: pointSpec, to: pointSpec, label: fc.string({ maxLength: 4 }) }),
    tie('spec').map((content): Spec => ({ kind: 'box', content })),
  ),
}));

/** What one build found, for the coverage check. */
export interface Features {
  instances: number;
  shared: number;
  cycles: number;
  maps: number;
  sets: number;
}

/**
 * Builds values from specs. Plain containers still being built sit on `open`; a `back` spec may
 * only point at those opened since the innermost instance began (so cycles never pass through an
 * instance's data, which is `ERR_CYCLE`). Finished objects join `pool` for `ref` specs, unless
 * they lead back to a container still open (which could close a cycle through an instance).
 */
export class Builder {
  readonly pool: object[] = [];
  readonly points: Point[] = [];
  readonly open: object[] = [];
  segment = 0;
  readonly features: Features = { instances: 0, shared: 0, cycles: 0, maps: 0, sets: 0 };

  /** Builds `spec`; `low` is the lowest `open` index a `back` inside it points at. */
  build(spec: Spec): { value: unknown; low: number } {
    switch (spec.kind) {
      case 'prim':
        return { value: spec.value, low: Infinity };
      case 'date':
        return this.finished(new Date(spec.time));
      case 'regexp':
        return this.finished(new RegExp(spec.source, spec.flags));
      case 'typed':
        return this.finished(typed(spec.type, spec.values));
      case 'buffer':
        return this.finished(new Uint8Array(spec.bytes).buffer);
      case 'ref': {
        if (this.pool.length === 0) return { value: null, low: Infinity };
        this.features.shared++;
        return { value: this.pool[spec.pick % this.pool.length], low: Infinity };
      }
      case 'back': {
        const available = this.open.length - this.segment;
        if (available <= 0) return { value: undefined, low: Infinity };
        const index = this.segment + (spec.pick % available);
        this.features.cycles++;
        return { value: this.open[index], low: index };
      }
      case 'point':
        return this.instance(this.point(spec));
      case 'line':
        return this.instance(new Line(this.point(spec.from), this.point(spec.to), spec.label));
      case 'box': {
        const outer = this.segment;
        this.segment = this.open.length;
        const content = this.build(spec.content).value;
        this.segment = outer;
        return this.instance(new Box(content));
      }
      case 'array':
        return this.container([] as unknown[], (target) => [
          ...spec.items.map((item) => this.child(item, (v) => target.push(v))),
          ...spec.named.map(([key, item]) => this.child(item, (v) => defineOwn(target, key, v))),
        ]);
      case 'object': {
        const target = spec.nullProto ? (Object.create(null) as object) : {};
        return this.container(target, () => spec.entries.map(([key, item]) => this.child(item, (v) => defineOwn(target, key, v))));
      }
      case 'map':
        this.features.maps++;
        return this.container(new Map<unknown, unknown>(), (target) =>
          spec.entries.map(([keySpec, valueSpec]) => {
            const key = this.build(keySpec);
            const value = this.build(valueSpec);
            target.set(key.value, value.value);
            return Math.min(key.low, value.low);
          }),
        );
      case 'set':
        this.features.sets++;
        return this.container(new Set<unknown>(), (target) => spec.items.map((item) => this.child(item, (v) => target.add(v))));
    }
  }

  private child(spec: Spec, add: (value: unknown) => unknown): number {
    const built = this.build(spec);
    add(built.value);
    return built.low;
  }

  private container<T extends object>(target: T, fill: (target: T) => number[]): { value: unknown; low: number } {
    const index = this.open.length;
    this.open.push(target);
    const low = Math.min(Infinity, ...fill(target));
    this.open.pop();
    if (low >= index) this.pool.push(target);
    return { value: target, low: low >= index ? Infinity : low };
  }

  private point(spec: PointSpec): Point {
    if (spec.kind === 'ref' && this.points.length > 0) {
      this.features.shared++;
      return this.points[spec.pick % this.points.length] as Point;
    }
    const point = spec.kind === 'point' ? new Point(spec.x, spec.y) : new Point(0, 0);
    this.points.push(point);
    return point;
  }

  private instance(value: object): { value: unknown; low: number } {
    this.features.instances++;
    return this.finished(value);
  }

  private finished(value: object): { value: unknown; low: number } {
    this.pool.push(value);
    return { value, low: Infinity };
  }
}

function typed(type: TypedKind, values: number[]): ArrayBufferView {
  switch (type) {
    case 'u8':
      return new Uint8Array(values);
    case 'i32':
      return new Int32Array(values);
    case 'f64':
      return new Float64Array(values.map((v) => v / 7));
    case 'b64':
      return new BigInt64Array(values.map((v) => BigInt(v) * 1_000_000_007n));
  }
}

