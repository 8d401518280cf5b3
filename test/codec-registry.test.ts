/**
 * The registry: register and @serialisable, ids, module URLs, aliases,
 * duplicate ids, refused classes, Error subclasses, and one registry per thread shared by every
 * copy of the library loaded in it.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CelerityError,
  classId,
  decode,
  encode,
  isRegistered,
  lookupClass,
  register,
  registeredModules,
  serialisable,
  wireClasses,
  type Serialisable,
} from 'celerity';
import { Point, roundTrip, throwsCelerity, wiresFromWorker } from './codec-support.js';

class Celsius {
  constructor(readonly degrees: number) {}
  toSerialisable(): number {
    return this.degrees;
  }
  static fromSerialisable(degrees: number): Celsius {
    return new Celsius(degrees);
  }
}

await test('register returns the class it was given', () => {
  assert.equal(register(Celsius), Celsius);
  assert.ok(isRegistered(Celsius));
});

await test('the id defaults to the class name', () => {
  class Kelvin {
    static {
      register(this);
    }
    constructor(readonly degrees: number) {}
    toSerialisable(): number {
      return this.degrees;
    }
    static fromSerialisable(degrees: number): Kelvin {
      return new Kelvin(degrees);
    }
  }
  assert.equal(classId(Kelvin), 'Kelvin');
  assert.equal(lookupClass('Kelvin'), Kelvin);
  assert.deepEqual(wireClasses(encode(new Kelvin(3))), [{ id: 'Kelvin', module: undefined, isError: false }]);
  const copy = roundTrip(new Kelvin(3));
  assert.ok(copy instanceof Kelvin);
  assert.equal(copy.degrees, 3);
});

await test('an explicit id is the name on the wire, and the module URL travels with it', () => {
  assert.equal(classId(Point), 'geo.Point');
  assert.equal(lookupClass('geo.Point'), Point);
  const support = new URL('./codec-support.js', import.meta.url).href;
  assert.deepEqual(wireClasses(encode({ at: [new Point(1, 2)] })), [{ id: 'geo.Point', module: support, isError: false }]);
  assert.ok(registeredModules().includes(support));
});

await test('a module given as a URL object is recorded as its href', () => {
  const url = new URL('./fixtures/codec-side-effect.js', import.meta.url);
  class Located {
    static {
      register(this, { id: 'test.Located', module: url });
    }
    toSerialisable(): null {
      return null;
    }
    static fromSerialisable(): Located {
      return new Located();
    }
  }
  assert.deepEqual(wireClasses(encode(new Located())), [{ id: 'test.Located', module: url.href, isError: false }]);
  assert.ok(registeredModules().includes(url.href));
  assert.equal((globalThis as { celerityCodecSideEffect?: number }).celerityCodecSideEffect, undefined, 'registering never imports the module');
});

await test('a module that is not a URL is refused', () => {
  class Nowhere {
    toSerialisable(): null {
      return null;
    }
    static fromSerialisable(): Nowhere {
      return new Nowhere();
    }
  }
  throwsCelerity(() => register(Nowhere, { module: './nowhere.js' }), { code: 'ERR_INVALID_OPTION' });
  assert.equal(isRegistered(Nowhere), false);
});

await test('a class without a name needs an explicit id', () => {
  const [Anonymous] = [
    class {
      toSerialisable(): null {
        return null;
      }
      static fromSerialisable(): { toSerialisable(): null } {
        return { toSerialisable: () => null };
      }
    },
  ];
  assert.equal(Anonymous.name, '');
  throwsCelerity(() => register(Anonymous), { code: 'ERR_INVALID_OPTION' });
});

await test('registering the same class twice is a no-op', () => {
  assert.equal(register(Point, { id: 'geo.Point', module: import.meta.url }), Point);
  assert.equal(register(Point), Point);
  assert.equal(register(Point, { id: 'geo.Elsewhere' }), Point);
  assert.equal(classId(Point), 'geo.Point');
  assert.equal(lookupClass('geo.Elsewhere'), undefined);
  assert.ok(roundTrip(new Point(1, 2)) instanceof Point);
});

await test('a subclass of a registered class is not registered by inheritance', () => {
  class Point3 extends Point {
    constructor(
      x: number,
      y: number,
      readonly z: number,
    ) {
      super(x, y);
    }
    override toSerialisable(): { x: number; y: number; z: number } {
      return { x: this.x, y: this.y, z: this.z };
    }
    static override fromSerialisable(data: { x: number; y: number; z?: number }): Point3 {
      return new Point3(data.x, data.y, data.z ?? 0);
    }
  }
  assert.equal(isRegistered(Point3), false);
  assert.equal(classId(Point3), undefined);
  throwsCelerity(() => encode({ p: new Point3(1, 2, 3) }), { code: 'ERR_UNREGISTERED_CLASS', path: 'value.p', message: /Point3/ });
  register(Point3, { id: 'geo.Point3' });
  const copy = roundTrip([new Point3(1, 2, 3), new Point(4, 5)]);
  assert.ok(copy[0] instanceof Point3);
  assert.equal(copy[0].z, 3);
  assert.equal(Object.getPrototypeOf(copy[1]), Point.prototype);
});

await test('a different class under a taken id is ERR_DUPLICATE_ID, and the first registration stands', () => {
  class Impostor {
    toSerialisable(): null {
      return null;
    }
    static fromSerialisable(): Impostor {
      return new Impostor();
    }
  }
  const error = throwsCelerity(() => register(Impostor, { id: 'geo.Point' }), { code: 'ERR_DUPLICATE_ID', classId: 'geo.Point', message: /geo\.Point/ });
  assert.match(error.message, /Impostor|Point/);
  // The default id (the class name) can collide too.
  class Celsius2 {
    toSerialisable(): null {
      return null;
    }
    static fromSerialisable(): Celsius2 {
      return new Celsius2();
    }
  }
  throwsCelerity(() => register(Celsius2, { id: 'Celsius' }), { code: 'ERR_DUPLICATE_ID', classId: 'Celsius' });
  // An alias that is taken collides as well.
  throwsCelerity(() => register(Impostor, { id: 'test.Impostor', aliases: ['geo.Point'] }), { code: 'ERR_DUPLICATE_ID', classId: 'geo.Point' });
  assert.equal(isRegistered(Impostor), false);
  assert.equal(lookupClass('test.Impostor'), undefined);
  assert.equal(lookupClass('geo.Point'), Point);
  assert.ok(roundTrip(new Point(1, 2)) instanceof Point);
});

await test('a class without toSerialisable / fromSerialisable is refused, by the type and at run time', () => {
  class NoMethods {
    readonly x = 1;
  }
  class OnlyTo {
    toSerialisable(): number {
      return 1;
    }
  }
  class OnlyFrom {
    static fromSerialisable(): OnlyFrom {
      return new OnlyFrom();
    }
  }
  // @ts-expect-error: register's type refuses a class without the two methods.
  throwsCelerity(() => register(NoMethods), { code: 'ERR_NOT_SERIALISABLE', message: /toSerialisable\(\).*fromSerialisable/ });
  // @ts-expect-error: the static fromSerialisable is missing.
  throwsCelerity(() => register(OnlyTo, { id: 'test.OnlyTo' }), { code: 'ERR_NOT_SERIALISABLE', message: /fromSerialisable/, classId: 'test.OnlyTo' });
  // @ts-expect-error: the instance toSerialisable is missing.
  throwsCelerity(() => register(OnlyFrom), { code: 'ERR_NOT_SERIALISABLE', message: /toSerialisable/ });
  // @ts-expect-error: not a class at all.
  throwsCelerity(() => register(42), { code: 'ERR_NOT_SERIALISABLE' });
  for (const cls of [NoMethods, OnlyTo, OnlyFrom]) assert.equal(isRegistered(cls), false);
  throwsCelerity(() => encode(new NoMethods()), { code: 'ERR_UNREGISTERED_CLASS', path: 'value' });
});

await test('Error subclasses register without methods and come back as themselves', () => {
  class QuotaError extends Error {
    override name = 'QuotaError';
    constructor(
      message: string,
      readonly limit: number,
    ) {
      super(message);
    }
  }
  assert.equal(register(QuotaError, { id: 'test.QuotaError' }), QuotaError);
  assert.deepEqual(wireClasses(encode(new QuotaError('over', 3))), [{ id: 'test.QuotaError', module: undefined, isError: true }]);
  const copy = roundTrip(new QuotaError('over', 3));
  assert.ok(copy instanceof QuotaError);
  assert.equal(copy.name, 'QuotaError');
  assert.equal(copy.message, 'over');
  assert.equal(copy.limit, 3);
});

await test('the standard @serialisable decorator registers the class', () => {
  @serialisable({ id: 'deco.Temperature', module: import.meta.url })
  class Temperature implements Serialisable<{ c: number }> {
    constructor(readonly c: number) {}
    toSerialisable(): { c: number } {
      return { c: this.c };
    }
    static fromSerialisable(data: { c: number }): Temperature {
      return new Temperature(data.c);
    }
  }
  @serialisable()
  class Humidity {
    constructor(readonly percent: number) {}
    toSerialisable(): number {
      return this.percent;
    }
    static fromSerialisable(percent: number): Humidity {
      return new Humidity(percent);
    }
  }
  @serialisable({ id: 'deco.SensorError' })
  class SensorError extends Error {
    sensor = 'north';
  }
  assert.equal(classId(Temperature), 'deco.Temperature');
  assert.equal(classId(Humidity), 'Humidity');
  assert.equal(classId(SensorError), 'deco.SensorError');
  assert.deepEqual(wireClasses(encode(new Temperature(20))), [{ id: 'deco.Temperature', module: import.meta.url, isError: false }]);
  const copy = roundTrip({ t: new Temperature(21.5), h: new Humidity(40), e: new SensorError('offline') });
  assert.ok(copy.t instanceof Temperature);
  assert.equal(copy.t.c, 21.5);
  assert.ok(copy.h instanceof Humidity);
  assert.equal(copy.h.percent, 40);
  assert.ok(copy.e instanceof SensorError);
  assert.equal(copy.e.sensor, 'north');
  assert.equal(copy.e.message, 'offline');

  const defineRefused = (): unknown => {
    // @ts-expect-error: the decorator's type refuses a class without the two methods.
    @serialisable({ id: 'deco.Refused' })
    class Refused {
      readonly x = 1;
    }
    return Refused;
  };
  throwsCelerity(defineRefused, { code: 'ERR_NOT_SERIALISABLE' });
  assert.equal(lookupClass('deco.Refused'), undefined);
});

await test('aliases: a wire written under an old id decodes to the class that now owns it', async () => {
  class Thing {
    static {
      register(this, { id: 'v2.Thing', aliases: ['v1.Thing', 'v0.Thing'] });
    }
    constructor(readonly label: string) {}
    toSerialisable(): { label: string } {
      return { label: this.label };
    }
    static fromSerialisable(data: { label: string }): Thing {
      return new Thing(data.label);
    }
  }
  assert.equal(lookupClass('v1.Thing'), Thing);
  assert.equal(lookupClass('v0.Thing'), Thing);
  assert.equal(classId(Thing), 'v2.Thing');
  assert.deepEqual(
    wireClasses(encode(new Thing('now'))).map((row) => row.id),
    ['v2.Thing'],
  );

  // The worker thread registers its Thing as `v1.Thing`.
  const { alias } = await wiresFromWorker();
  assert.deepEqual(
    wireClasses(alias).map((row) => row.id),
    ['v1.Thing'],
  );
  const value = decode(alias) as { things: Thing[] };
  assert.equal(value.things.length, 3);
  for (const thing of value.things) assert.ok(thing instanceof Thing);
  assert.deepEqual(
    value.things.map((thing) => thing.label),
    ['a', 'shared', 'shared'],
  );
  assert.equal(value.things[1], value.things[2]);
});

await test('every copy of the library loaded in one thread shares the registry', async (t) => {
  const index = fileURLToPath(import.meta.resolve('celerity'));
  const dist = dirname(index);
  const root = dirname(dist);
  const dir = mkdtempSync(join(tmpdir(), 'celerity-copy-'));
  const modules = join(dir, 'node_modules');
  t.after(() => {
    unlinkSync(modules);
    rmSync(dir, { recursive: true, force: true });
  });
  cpSync(dist, join(dir, 'dist'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), modules, 'dir');
  const copy = (await import(pathToFileURL(join(dir, 'dist', 'index.js')).href)) as typeof import('celerity');
  assert.notEqual(copy.register, register, 'a second, distinct copy of the library');
  assert.notEqual(copy.CelerityError, CelerityError);

  const table = (globalThis as Record<symbol, unknown>)[Symbol.for('celerity.registry.v1')];
  assert.equal(typeof table, 'object');
  assert.notEqual(table, null);

  // Registered through this copy: seen by the other.
  assert.equal(copy.lookupClass('geo.Point'), Point);
  assert.equal(copy.classId(Point), 'geo.Point');
  const fromCopy = copy.decode(structuredClone(encode({ p: new Point(1, 2) }))) as { p: Point };
  assert.ok(fromCopy.p instanceof Point);

  // Registered through the other copy: seen by this one.
  class Widget {
    constructor(readonly size: number) {}
    toSerialisable(): number {
      return this.size;
    }
    static fromSerialisable(size: number): Widget {
      return new Widget(size);
    }
  }
  copy.register(Widget, { id: 'copy.Widget', module: import.meta.url });
  assert.ok(isRegistered(Widget));
  assert.equal(classId(Widget), 'copy.Widget');
  assert.equal(lookupClass('copy.Widget'), Widget);
  const fromThis = decode(structuredClone(copy.encode([new Widget(4)]))) as Widget[];
  assert.ok(fromThis[0] instanceof Widget);
  assert.equal(fromThis[0].size, 4);

  // Ids taken through one copy are taken for the other.
  class Gadget {
    toSerialisable(): null {
      return null;
    }
    static fromSerialisable(): Gadget {
      return new Gadget();
    }
  }
  let thrown: unknown;
  try {
    register(Gadget, { id: 'copy.Widget' });
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof CelerityError);
  assert.equal(thrown.code, 'ERR_DUPLICATE_ID');
  try {
    copy.register(Gadget, { id: 'geo.Point' });
    assert.fail('expected ERR_DUPLICATE_ID');
  } catch (error) {
    assert.ok(error instanceof copy.CelerityError);
    assert.equal(error.code, 'ERR_DUPLICATE_ID');
  }
});
