/**
 * Values larger than the pieces the converters keep their tables in (tens of thousands of
 * instances and row values, objects with many annotated keys) round-trip whole, shared
 * references included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TRIPS } from './codec-support.js';
import { Point, Segment } from './json-support.js';

for (const [name, trip] of TRIPS) {
  void test(`${name}: 10,000 segments (30,000 instances, 70,000 row values) sharing their points and Dates round-trip whole`, () => {
    const shared = new Date(1_700_000_000_000);
    const points = Array.from({ length: 10_001 }, (_, i) => new Point(i, -i));
    // Each segment starts where the one before ends: every point but the ends is in two segments.
    const segments = points.slice(1).map((to, i) => new Segment(points[i] as Point, to, i % 10 === 0 ? shared : new Date(1_700_000_000_000 + i)));
    const list = [...segments, segments[123], segments[9_999]];
    const back = trip(list);
    assert.equal(back.length, 10_002);
    back.forEach((segment, i) => {
      const source = list[i] as Segment;
      assert.ok(segment instanceof Segment);
      assert.ok(segment.from instanceof Point && segment.to instanceof Point);
      assert.deepEqual([segment.from.x, segment.to.x, segment.at.getTime()], [source.from.x, source.to.x, source.at.getTime()]);
    });
    assert.equal(back[10_000], back[123]);
    assert.equal(back[10_001], back[9_999]);
    assert.equal(back[0]?.to, back[1]?.from);
    assert.equal(back[9_998]?.to, back[9_999]?.from);
    assert.equal(back[0]?.at, back[10]?.at);
    assert.notEqual(back[1]?.at, back[11]?.at);
  });

  void test(`${name}: an object with thousands of annotated keys, odd ones among them, round-trips whole`, () => {
    const record: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (let i = 0; i < 5_000; i++) record[String(i)] = new Date(i);
    for (const key of ['__proto__', 'constructor', 'a.b', 'c\\d', 'length', '']) record[key] = new Map([[key, new Point(1, 2)]]);
    const back = trip({ record });
    assert.equal(Object.getPrototypeOf(back.record), null);
    assert.equal(Object.keys(back.record).length, 5_006);
    assert.equal((back.record['4999'] as Date).getTime(), 4999);
    for (const key of ['__proto__', 'constructor', 'a.b', 'c\\d', 'length', '']) {
      const map = back.record[key] as Map<string, Point>;
      assert.ok(map instanceof Map, key);
      assert.ok(map.get(key) instanceof Point, key);
    }
  });
}
