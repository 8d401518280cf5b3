/**
 * Errors as values: registered Error subclasses without methods,
 * built-in error types, and unregistered ones (RemoteError), with name, message, stack, cause,
 * own properties and AggregateError `errors`, at any depth.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode, register, RemoteError, wireClasses } from 'celerity';
import { assertSameGraph, Box, ownValue, Point, roundTrip } from './codec-support.js';

/** Registered without methods; its constructor wants arguments decode does not have. */
class HttpError extends Error {
  static {
    register(this, { id: 'test.HttpError' });
  }
  override name = 'HttpError';
  readonly status: number;
  constructor(options: { status: number; message: string; cause?: unknown }) {
    super(options.message, 'cause' in options ? { cause: options.cause } : undefined);
    this.status = options.status;
  }
}

/** A registered subclass of a built-in error type. */
class ParseError extends SyntaxError {
  static {
    register(this, { id: 'test.ParseError' });
  }
  line = 0;
}

/** A registered AggregateError subclass. */
class BatchError extends AggregateError {
  static {
    register(this, { id: 'test.BatchError' });
  }
}

/** Not registered anywhere. */
class LocalError extends Error {
  override name = 'LocalError';
  code = 'E_LOCAL';
}

/** Not registered; its name comes from the prototype. */
class ProtoNamedError extends Error {
  static {
    Object.defineProperty(this.prototype, 'name', { value: 'ProtoNamedError', configurable: true, writable: true });
  }
}

await test('a registered Error subclass without methods comes back as itself, constructor not run', () => {
  const original = new HttpError({ status: 404, message: 'not found' });
  const copy = roundTrip(original);
  assert.ok(copy instanceof HttpError);
  assert.ok(copy instanceof Error);
  assert.equal(copy.name, 'HttpError');
  assert.equal(copy.message, 'not found');
  assert.equal(copy.stack, original.stack);
  assert.equal(copy.status, 404);
  assert.equal(Object.hasOwn(copy, 'cause'), false);
  assert.match(String(copy), /^HttpError: not found/);
  assertSameGraph(copy, original);
});

await test('cause travels recursively: registered, built-in, unregistered and plain values', () => {
  const root = new LocalError('disk', { cause: { errno: -2, path: '/tmp/x', when: new Date(3) } });
  const middle = new RangeError('out of range', { cause: root });
  const top = new HttpError({ status: 500, message: 'failed', cause: middle });
  const copy = roundTrip(top);
  assert.ok(copy instanceof HttpError);
  const cause1 = copy.cause;
  assert.ok(cause1 instanceof RangeError);
  assert.equal(cause1.message, 'out of range');
  assert.equal(cause1.stack, middle.stack);
  const cause2 = cause1.cause;
  assert.ok(cause2 instanceof RemoteError);
  assert.equal(cause2.name, 'LocalError');
  assert.equal(cause2.stack, root.stack);
  assert.equal((cause2 as unknown as { code: string }).code, 'E_LOCAL');
  assert.deepEqual(cause2.cause, { errno: -2, path: '/tmp/x', when: new Date(3) });

  const undefinedCause = roundTrip(new Error('x', { cause: undefined }));
  assert.ok(Object.hasOwn(undefinedCause, 'cause'), 'an own cause of undefined is kept');
  assert.equal(undefinedCause.cause, undefined);
  const instanceCause = roundTrip(new TypeError('x', { cause: new Point(1, 2) }));
  assert.ok(instanceCause.cause instanceof Point);
});

await test('own enumerable properties travel, registered instances in them included', () => {
  const point = new Point(5, 5);
  const error = Object.assign(new HttpError({ status: 418, message: 'teapot' }), {
    code: 'E_TEAPOT',
    retryable: false,
    detail: { at: point, tags: new Set(['a']), when: new Date(7) },
    big: 7n,
  });
  Object.defineProperty(error, 'hidden', { value: 'not enumerable', enumerable: false });
  const value = { error, point };
  const copy = roundTrip(value);
  const e = copy.error;
  assert.ok(e instanceof HttpError);
  assert.equal(e.code, 'E_TEAPOT');
  assert.equal(e.retryable, false);
  assert.equal(e.big, 7n);
  assert.ok(e.detail.at instanceof Point);
  assert.equal(e.detail.at, copy.point, 'identity is kept across error properties');
  assert.deepEqual([...e.detail.tags], ['a']);
  assert.equal(Object.hasOwn(e, 'hidden'), false, 'only enumerable properties travel');
  assertSameGraph(copy, value);
});

await test('built-in error types come back as themselves', () => {
  const errors = [
    new Error('plain'),
    new TypeError('type'),
    new RangeError('range'),
    new SyntaxError('syntax'),
    new ReferenceError('reference'),
    new EvalError('eval'),
    new URIError('uri'),
    new AggregateError([new Error('one')], 'aggregate'),
  ];
  for (const error of errors) {
    const copy = roundTrip({ error });
    assert.equal(Object.getPrototypeOf(copy.error), Object.getPrototypeOf(error), error.name);
    assert.equal(copy.error.name, error.name);
    assert.equal(copy.error.message, error.message);
    assert.equal(copy.error.stack, error.stack);
    assertSameGraph(copy, { error });
  }
  const thrown = (() => {
    try {
      JSON.parse('{');
    } catch (error) {
      return error;
    }
    return undefined;
  })();
  const copy = roundTrip(thrown);
  assert.ok(copy instanceof SyntaxError);
});

await test('registered subclasses of built-in error types keep their class', () => {
  const parse = Object.assign(new ParseError('unexpected token'), { line: 12 });
  const copy = roundTrip(parse);
  assert.ok(copy instanceof ParseError);
  assert.ok(copy instanceof SyntaxError);
  assert.equal(copy.line, 12);
  assert.equal(copy.name, 'SyntaxError');
});

await test('AggregateError errors travel, with instances, errors and identity inside', () => {
  const point = new Point(1, 1);
  const inner = new HttpError({ status: 503, message: 'unavailable' });
  const aggregate = new AggregateError([inner, new LocalError('local'), point, 'text', inner], 'many failed', { cause: inner });
  const copy = roundTrip(aggregate);
  assert.ok(copy instanceof AggregateError);
  assert.equal(copy.message, 'many failed');
  const list = copy.errors as unknown[];
  assert.equal(list.length, 5);
  assert.ok(list[0] instanceof HttpError);
  assert.ok(list[1] instanceof RemoteError);
  assert.ok(list[2] instanceof Point);
  assert.equal(list[3], 'text');
  assert.equal(list[4], list[0]);
  assert.equal(copy.cause, list[0]);
  assert.equal(copy.stack, aggregate.stack);

  const batch = new BatchError([new TypeError('t')], 'batch');
  const batchCopy = roundTrip(batch);
  assert.ok(batchCopy instanceof BatchError);
  assert.ok(batchCopy instanceof AggregateError);
  assert.ok((batchCopy.errors as unknown[])[0] instanceof TypeError);
});

await test('an unregistered Error subclass arrives as a RemoteError keeping name, message, stack, cause and props', () => {
  const original = new LocalError('local failure', { cause: new ProtoNamedError('below', { cause: new Point(2, 3) }) });
  assert.deepEqual(
    wireClasses(encode(original)).map((row) => row.id),
    ['geo.Point'],
    'an unregistered error class is not named on the wire as a class to look up',
  );
  const copy = roundTrip(original);
  assert.ok(copy instanceof RemoteError);
  assert.ok(copy instanceof Error);
  assert.equal(copy.name, 'LocalError');
  assert.equal(copy.message, 'local failure');
  assert.equal(copy.stack, original.stack);
  assert.equal((copy as unknown as { code: string }).code, 'E_LOCAL');
  assert.match(String(copy), /^LocalError: local failure/);
  const cause = copy.cause;
  assert.ok(cause instanceof RemoteError);
  assert.equal(cause.name, 'ProtoNamedError');
  assert.ok(cause.cause instanceof Point);
});

await test('the same error reached twice is one object, and errors work in any container', () => {
  const error = new HttpError({ status: 400, message: 'bad' });
  const value = {
    list: [error, error],
    map: new Map<unknown, unknown>([
      [error, new TypeError('as value')],
      ['k', error],
    ]),
    set: new Set([error, new RangeError('member')]),
    box: new Box({ failure: error }),
  };
  const copy = roundTrip(value);
  assertSameGraph(copy, value);
  const [first] = copy.list;
  assert.ok(first instanceof HttpError);
  assert.equal(copy.list[1], first);
  assert.equal([...copy.map.keys()][0], first);
  assert.ok(copy.map.get(first) instanceof TypeError);
  assert.ok(copy.set.has(first));
  assert.equal((copy.box.content as { failure: unknown }).failure, first);
});

await test('an error property named __proto__ is data and pollutes nothing', () => {
  const error = new HttpError({ status: 1, message: 'x' });
  Object.defineProperty(error, '__proto__', { value: { polluted: true }, enumerable: true, writable: true, configurable: true });
  const copy = roundTrip(error);
  assert.ok(copy instanceof HttpError);
  assert.deepEqual(ownValue(copy, '__proto__'), { polluted: true });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
