/**
 * The JSON wire: registered classes, at any depth, through text (a file, a socket, a queue).
 *
 * The text is a versioned envelope around a superjson payload (see `json/format.ts`), written and
 * read from the one class registry, so whatever a thread can receive can also be stored or sent
 * to another process. Everything the codec round-trips survives, with the same safety: data can
 * never make `parse` build a class or touch a prototype.
 * @module
 */
import { show } from './show.js';
import { messageOf, badJsonError, CelerityError, invalidOption, isStackOverflow, tooDeepError } from '../errors.js';
import { finishPath } from '../codec/path.js';
import { JSON_FORMAT_VERSION, type JsonWire, type ReadableJsonVersion } from './format.js';
import { buildPlan } from './plan.js';
import { HOLE, JsonReader } from './read.js';
import { JsonWriter } from './write.js';
import { isSuperJsonPayload, readSuperJsonPayload } from './superjson-interop.js';

export type { Annotation, AnnotationChildren, AnnotationType, DefEntry, ExtEntry, ExtType, JsonExt, JsonMeta, JsonValue, JsonWire, ReadableJsonVersion, ReferentialEqualities } from './format.js';

/** Options of {@link stringify} and {@link serialize}. */
export interface JsonStringifyOptions {
  /**
   * `true` (the default): an instance of an unregistered class is an error. `false`: it is
   * written as a plain object of its own enumerable properties, as structured clone would send it.
   */
  strict?: boolean;
  /** The name error paths start from, e.g. `args` gives `args[0].stops[3]`. Default `value`. */
  path?: string;
  /**
   * How the typed arrays superjson knows are written. `'numbers'` (the default): superjson's own
   * form, a list of numbers, which stock superjson reads too. `'base64'`: their bytes in base64,
   * for binary payloads: a 1 MiB `Uint8Array` writes 2.7 times shorter and many times faster,
   * but stock superjson sees a string there. `parse` reads both.
   */
  typedArrays?: 'numbers' | 'base64';
}

/** Options of {@link parse} and {@link deserialize}. */
export interface JsonParseOptions {
  /** The name error paths start from. Default `value`. */
  path?: string;
}

/** Options of {@link jsonRoundTrip}. */
export type JsonRoundTripOptions = JsonStringifyOptions;

/**
 * Converts a value into its JSON-compatible wire form: registered instances (at any depth),
 * errors, Map, Set, Date, RegExp, BigInt, typed arrays, ArrayBuffer, DataView, `undefined`,
 * NaN / ±Infinity / -0, shared references and cycles through plain containers. The result shares
 * nothing with the input.
 *
 * @throws {CelerityError} `ERR_UNREGISTERED_CLASS`, `ERR_UNCLONEABLE`, `ERR_CYCLE` or
 *   `ERR_TO_SERIALISABLE`, with the `path` of the value at fault.
 */
export function serialize(value: unknown, options: JsonStringifyOptions = {}): JsonWire {
  const typedAsNumbers = typedArraysAsNumbers(options.typedArrays);
  try {
    return new JsonWriter(options.strict ?? true, typedAsNumbers).run(value);
  } catch (error) {
    if (isStackOverflow(error)) throw tooDeepError('stringify', error);
    finishPath(error, options.path ?? 'value');
    throw error;
  }
}

function typedArraysAsNumbers(form: unknown): boolean {
  if (form === undefined || form === 'numbers') return true;
  if (form === 'base64') return false;
  throw invalidOption(`options.typedArrays must be 'numbers' or 'base64', got ${show(form)}`);
}

/**
 * Rebuilds a value from what {@link serialize} returned (or the same object after a trip through
 * JSON). Synchronous, and never imports anything. The wire is consumed: its containers are reused.
 *
 * A bare superjson payload (`{ json, meta }`, as stock superjson's `serialize` writes it) is read
 * too, through a private SuperJSON instance fed from the registry: registered classes (and their
 * aliases) are rebuilt with `fromSerialisable` from the data a `registerCustom` transformer wrote.
 *
 * @throws {CelerityError} `ERR_BAD_JSON` (not a wire, a version this copy cannot read, or a
 *   malformed payload), `ERR_UNKNOWN_CLASS` (a class id not registered in this thread) or
 *   `ERR_FROM_SERIALISABLE`, with a `path` where one applies.
 */
export function deserialize(wire: unknown, options: JsonParseOptions = {}): unknown {
  return read(wire, options, false);
}

/**
 * {@link deserialize} of a wire that `JSON.parse` just made (a tree: nothing shared, no cycle),
 * such as a job's data read back from Redis; skips the checks only an object from elsewhere needs.
 */
export function deserializeParsed(wire: unknown, options: JsonParseOptions = {}): unknown {
  return read(wire, options, true);
}

/** {@link deserialize}; `fromText`: the wire was just parsed from JSON text (a tree, no sharing). */
function read(wire: unknown, options: JsonParseOptions, fromText: boolean): unknown {
  if (isSuperJsonPayload(wire)) return readSuperJsonPayload(wire);
  const { version, json, meta, ext } = checkEnvelope(wire);
  if (meta === undefined && ext === undefined) return json;
  try {
    const plan = buildPlan(meta, ext, version, fromText);
    const value = new JsonReader(plan.defCount, version).revive(json, plan.root);
    if (value === HOLE) throw badJsonError('a hole as the value');
    return value;
  } catch (error) {
    const failure = error instanceof CelerityError ? error : isStackOverflow(error) ? tooDeepError('parse', error) : badJsonError(`malformed payload: ${messageOf(error)}`, error);
    finishPath(failure, options.path ?? 'value');
    throw failure;
  }
}

/**
 * Writes a value as JSON text that {@link parse} turns back into the same value: the same
 * registered classes at any depth, shared objects kept as one, cycles through plain containers.
 *
 * @example
 * const text = stringify(new Route([new Stop('A', new Date())]));
 * const route = parse(text) as Route;   // a Route again, its stops Stops, their dates Dates
 *
 * @throws {CelerityError} as {@link serialize}.
 */
export function stringify(value: unknown, options: JsonStringifyOptions = {}): string {
  const wire = serialize(value, options);
  try {
    return JSON.stringify(wire);
  } catch (error) {
    throw isStackOverflow(error) ? tooDeepError('stringify', error) : error;
  }
}

/**
 * Reads text written by {@link stringify}.
 *
 * @throws {CelerityError} `ERR_BAD_JSON` for malformed text or an unknown format version, and
 *   otherwise as {@link deserialize}.
 */
export function parse(text: string, options: JsonParseOptions = {}): unknown {
  const given: unknown = text;
  if (typeof given !== 'string') throw badJsonError(`expected a string, got ${given === null ? 'null' : typeof given}`);
  let wire: unknown;
  try {
    wire = JSON.parse(given);
  } catch (cause) {
    throw isStackOverflow(cause) ? tooDeepError('parse', cause) : badJsonError(`malformed JSON text: ${messageOf(cause)}`, cause);
  }
  return read(wire, options, true);
}

/**
 * `parse(stringify(value))`: proves in-process that a value survives the JSON wire, as a
 * multi-process transport would need. Errors carry paths rooted at `options.path`.
 *
 * @throws {CelerityError} as {@link stringify} and {@link parse}.
 */
export function jsonRoundTrip(value: unknown, options: JsonRoundTripOptions = {}): unknown {
  return parse(stringify(value, options), options.path === undefined ? {} : { path: options.path });
}

function checkEnvelope(wire: unknown): { version: ReadableJsonVersion; json: unknown; meta: unknown; ext: unknown } {
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) {
    throw badJsonError('expected a celerity JSON wire: an object with "celerity", "json" and (optionally) "meta"');
  }
  const envelope = wire as Record<string, unknown>;
  const version = envelope.celerity;
  if (version === undefined) throw badJsonError('this is not a celerity JSON wire: it has no "celerity" version field');
  if (version !== 1 && version !== JSON_FORMAT_VERSION) {
    throw badJsonError(
      `this text is in celerity JSON format version ${show(version)}, but this copy of celerity reads versions 1 to ${JSON_FORMAT_VERSION}; read it with the celerity version that wrote it, or a later one`,
    );
  }
  if (!Object.hasOwn(envelope, 'json')) throw badJsonError('the wire has no "json" field');
  // Version 1 kept everything in "meta"; an "ext" there is data nobody wrote.
  if (version === 1 && envelope.ext !== undefined) throw badJsonError('a version 1 wire with an "ext" field');
  return { version, json: envelope.json, meta: envelope.meta, ext: envelope.ext };
}
