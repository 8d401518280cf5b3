/**
 * Property-based round trip: generated values mixing registered classes (one holding others, one
 * holding anything), plain and null-prototype objects, arrays, Maps, Sets, Dates, BigInts, typed
 * arrays, shared references and cycles through plain containers come back with the same
 * prototypes, values and identity structure, and the input is never mutated; once as they are,
 * once behind enough instances that theirs travel as rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decode, encode } from 'celerity';
import { Builder, specs, type Features } from './codec-arbitraries.js';
import { assertSameGraph, assertSameState, Point, stateOf } from './codec-support.js';

await test('generated values round-trip with prototypes, values and identity intact', () => {
  const totals: Features = { instances: 0, shared: 0, cycles: 0, maps: 0, sets: 0 };
  let runs = 0;
  let withInstances = 0;
  // Three parts built by one builder: later parts may share objects of earlier ones.
  const arbitrary = fc.tuple(specs.spec, specs.spec, specs.container);
  fc.assert(
    fc.property(arbitrary, ([first, second, third]) => {
      const builder = new Builder();
      const value = [builder.build(first).value, builder.build(second).value, builder.build(third).value];
      const before = stateOf(value);
      const copy = decode(structuredClone(encode(value)));
      assertSameGraph(copy, value);
      assertSameState(stateOf(value), before);
      runs++;
      if (builder.features.instances > 0) withInstances++;
      for (const key of Object.keys(totals) as (keyof Features)[]) totals[key] += builder.features[key];
    }),
    { numRuns: 1_200, seed: 20_251_122 },
  );
  assert.ok(runs >= 1_000, `${runs} runs`);
  assert.ok(withInstances > runs / 2, `only ${withInstances} of ${runs} values held a registered instance`);
  for (const [feature, count] of Object.entries(totals)) assert.ok(count > runs / 10, `too few ${feature}: ${count}`);
});

await test('the same generated values round-trip when their instances travel as rows', () => {
  let runs = 0;
  let withRows = 0;
  const arbitrary = fc.tuple(specs.spec, specs.spec, specs.container);
  fc.assert(
    fc.property(arbitrary, ([first, second, third]) => {
      const builder = new Builder();
      // A wire's first instances go as objects; these lead ones make the generated ones rows.
      const lead = Array.from({ length: 20 }, (_, i) => new Point(i, -i));
      const value = [lead, builder.build(first).value, builder.build(second).value, builder.build(third).value];
      const before = stateOf(value);
      const wire = encode(value);
      if ((wire.r ?? []).some((shape, i) => i % 2 === 0 && shape >= 0 && i / 2 >= lead.length)) withRows++;
      const copy = decode(structuredClone(wire));
      assertSameGraph(copy, value);
      assertSameState(stateOf(value), before);
      runs++;
    }),
    { numRuns: 600, seed: 20_261_122 },
  );
  assert.ok(withRows > runs / 4, `only ${withRows} of ${runs} values sent a generated instance as a row`);
});
