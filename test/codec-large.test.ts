/**
 * Values larger than the chunks the converters keep their tables in (thousands of instances,
 * tens of thousands of row values, objects with many annotated keys) round-trip whole, shared
 * references included.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { register } from 'celerity';
import { TRIPS } from './codec-support.js';

/** A small instance with three fields: one row of three values each. */
class Cell {
  static {
    register(this, { id: 'test.large.Cell', module: import.meta.url });
  }
  constructor(
    readonly x: number,
    readonly label: string,
    readonly at: Date,
  ) {}
  toSerialisable(): { x: number; label: string; at: Date } {
    return { x: this.x, label: this.label, at: this.at };
  }
  static fromSerialisable(data: { x: number; label: string; at: Date }): Cell {
    return new Cell(data.x, data.label, data.at);
  }
}

for (const [name, trip] of TRIPS) {
  void test(`${name}: 30,000 instances (90,000 row values), every tenth sharing one Date, round-trip whole`, () => {
    const shared = new Date(1_700_000_000_000);
    const cells = Array.from({ length: 30_000 }, (_, i) => new Cell(i, `c${i}`, i % 10 === 0 ? shared : new Date(1_700_000_000_000 + i)));
    const list = [...cells, cells[123], cells[29_999]];
    const back = trip(list);
    assert.equal(back.length, 30_002);
    back.forEach((cell, i) => {
      const source = list[i] as Cell;
      assert.ok(cell instanceof Cell);
      assert.equal(cell.x, source.x);
      assert.equal(cell.label, source.label);
      assert.equal(cell.at.getTime(), source.at.getTime());
    });
    assert.equal(back[30_000], back[123]);
    assert.equal(back[30_001], back[29_999]);
    assert.equal(back[0]?.at, back[10]?.at);
    assert.notEqual(back[1]?.at, back[11]?.at);
  });

  void test(`${name}: an object with thousands of annotated keys, odd ones among them, round-trips whole`, () => {
    const record: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (let i = 0; i < 5_000; i++) record[String(i)] = new Date(i);
    for (const key of ['__proto__', 'constructor', 'a.b', 'c\\d', 'length', '']) record[key] = new Map([[key, new Cell(1, key, new Date(2))]]);
    const back = trip({ record });
    assert.equal(Object.getPrototypeOf(back.record), null);
    assert.equal(Object.keys(back.record).length, 5_006);
    assert.equal((back.record['4999'] as Date).getTime(), 4999);
    for (const key of ['__proto__', 'constructor', 'a.b', 'c\\d', 'length', '']) {
      const map = back.record[key] as Map<string, Cell>;
      assert.ok(map instanceof Map, key);
      assert.ok(map.get(key) instanceof Cell, key);
    }
  });
}
