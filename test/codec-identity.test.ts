/**
 * Identity across calls: what one encode or serialize call met says nothing about the next, a
 * call made from inside another (a `toSerialisable()` that converts something itself) keeps both
 * calls' shared references, and a call that throws leaves the next one whole.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, deserialize, encode, register, serialize, type Wire } from 'celerity';
import { TRIPS } from './codec-support.js';

const moduleUrl = import.meta.url;

/** A node whose data is a snapshot of `payload` taken with the given converter, while the outer call runs. */
class Snapshot {
  static {
    register(this, { id: 'test.identity.Snapshot', module: moduleUrl });
  }
  constructor(
    readonly payload: object,
    readonly how: 'encode' | 'serialize',
  ) {}
  toSerialisable(): { payload: object; how: string; inner: unknown } {
    const inner = this.how === 'encode' ? encode([this.payload, this.payload]) : serialize([this.payload, this.payload]);
    return { payload: this.payload, how: this.how, inner };
  }
  static fromSerialisable(data: { payload: object; how: 'encode' | 'serialize'; inner: unknown }): Snapshot & { inner: unknown } {
    return Object.assign(new Snapshot(data.payload, data.how), { inner: data.inner });
  }
}

/** Throws from `toSerialisable()` when asked to. */
class Fragile {
  static {
    register(this, { id: 'test.identity.Fragile', module: moduleUrl });
  }
  constructor(readonly fail: boolean) {}
  toSerialisable(): { fail: boolean } {
    if (this.fail) throw new Error('refused');
    return { fail: false };
  }
  static fromSerialisable(data: { fail: boolean }): Fragile {
    return new Fragile(data.fail);
  }
}

for (const [name, trip] of TRIPS) {
  void test(`${name}: the objects of one call are not "met" in the next`, () => {
    const shared = { n: 1 };
    const first = trip([shared, shared]);
    assert.equal(first[0], first[1]);
    // The same object again, once: written whole, not as a reference to the earlier call.
    const [alone, holder] = trip([shared, { other: shared }] as const);
    assert.deepEqual(alone, { n: 1 });
    assert.equal(holder.other, alone);
    assert.deepEqual(trip(shared), { n: 1 });
  });

  for (const how of ['encode', 'serialize'] as const) {
    void test(`${name}: a ${how} call inside toSerialisable() keeps both calls' shared references`, () => {
      const payload = { deep: { n: 2 } };
      const outer = { a: payload, snap: new Snapshot(payload, how), b: payload };
      const back = trip(outer) as unknown as { a: object; b: object; snap: Snapshot & { inner: unknown } };
      assert.equal(back.a, back.b);
      assert.equal(back.snap.payload, back.a);
      const inner = how === 'encode' ? (decode(back.snap.inner as Wire) as object[]) : (deserialize(back.snap.inner) as object[]);
      assert.deepEqual(inner[0], { deep: { n: 2 } });
      assert.equal(inner[0], inner[1]);
    });
  }

  void test(`${name}: instances of one class on both sides of an encode made inside toSerialisable() all come back as themselves`, () => {
    // The inner call lists the same classes in a class table of its own; the outer call goes on after it.
    const value = [new Fragile(false), new Snapshot({ f: new Fragile(false) }, 'encode'), new Fragile(false), new Snapshot({ g: new Fragile(false) }, 'encode'), new Fragile(false)];
    const back = trip(value) as unknown as (Fragile | (Snapshot & { inner: unknown }))[];
    for (const at of [0, 2, 4]) assert.ok(back[at] instanceof Fragile, `item ${String(at)}`);
    for (const at of [1, 3]) {
      const snap = back[at] as Snapshot & { inner: unknown };
      assert.ok(snap instanceof Snapshot);
      assert.ok(Object.values(snap.payload)[0] instanceof Fragile);
      const inner = decode(snap.inner as Wire) as Record<string, unknown>[];
      assert.ok(Object.values(inner[0] as object)[0] instanceof Fragile);
      assert.equal(inner[0], inner[1]);
    }
  });

  void test(`${name}: a call that throws leaves the next call's references whole`, () => {
    const shared = { n: 3 };
    assert.throws(() => trip([shared, new Fragile(true), shared]), { code: 'ERR_TO_SERIALISABLE' });
    const back = trip([shared, new Fragile(false), shared, { shared }]);
    assert.equal(back[0], back[2]);
    assert.equal((back[3] as { shared: object }).shared, back[0]);
    assert.ok(back[1] instanceof Fragile);
  });

  void test(`${name}: many calls over the same instances keep each call's identity`, () => {
    const items = Array.from({ length: 2000 }, (_, i) => new Fragile(i < 0));
    for (let round = 0; round < 20; round++) {
      const pick = items.slice(round * 50, round * 50 + 500);
      const [list, first] = trip([pick, pick[0]] as const);
      assert.equal(list.length, 500);
      assert.equal(first, list[0]);
      assert.notEqual(list[1], list[0]);
    }
  });
}
