/**
 * Turning a request body into a solve request: JSON parsing, then a check of every field with a
 * message that says exactly what is wrong and where, then the registered classes.
 *
 * The accepted shape:
 *
 *     { "cities": [{ "name"?: string, "x": number, "y": number }, ...],   // 3 to 1000
 *       "starts"?: 1-16 (default 4), "seed"?: integer (default 1) }
 *
 * @module
 */
import { City } from '../tsp/city.js';
import { Problem } from '../tsp/problem.js';
import { HttpError } from './http-error.js';

/** A checked request: the problem built from registered classes, and how to solve it. */
export interface SolveRequest {
  readonly problem: Problem;
  readonly starts: number;
  readonly seed: number;
}

/** The limits of a request. */
export const LIMITS = {
  minCities: 3,
  maxCities: 1000,
  maxStarts: 16,
  defaultStarts: 4,
  maxNameLength: 64,
  maxCoordinate: 1e9,
} as const;

const FIELDS = new Set(['cities', 'starts', 'seed', 'name']);

function bad(message: string): HttpError {
  return new HttpError(400, 'bad_problem', message);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  // JSON has no Infinity: a number the parser turned into one was written beyond a double's range.
  if (typeof value === 'number' && !Number.isFinite(value)) return 'a number beyond the range of a double (magnitude 1.8e308 or more)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}` : `${typeof value} ${JSON.stringify(value)}`;
}

function coordinate(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${path} must be a finite number, got ${describe(value)}`);
  if (Math.abs(value) > LIMITS.maxCoordinate) throw bad(`${path} must be between -${LIMITS.maxCoordinate} and ${LIMITS.maxCoordinate}`);
  return value;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw bad(`${path} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

function city(value: unknown, index: number, names: Set<string>): City {
  const path = `cities[${index}]`;
  if (!isRecord(value)) throw bad(`${path} must be an object such as { "x": 1, "y": 2 }, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (key !== 'name' && key !== 'x' && key !== 'y') throw bad(`${path}.${key} is not a field of a city (known: name, x, y)`);
  }
  let name = `c${index}`;
  if (value.name !== undefined) {
    if (typeof value.name !== 'string' || value.name === '' || value.name.length > LIMITS.maxNameLength) {
      throw bad(`${path}.name must be a non-empty string of at most ${LIMITS.maxNameLength} characters`);
    }
    name = value.name;
  }
  if (names.has(name)) throw bad(`${path}.name "${name}" is used by an earlier city; names must be unique`);
  names.add(name);
  return new City(name, coordinate(value.x, `${path}.x`), coordinate(value.y, `${path}.y`));
}

/**
 * Parses and checks a request body.
 *
 * @throws {HttpError} 400 `bad_json` when the text is not JSON, `bad_problem` when the JSON is not
 *   a problem (the message names the field).
 */
export function parseSolveRequest(text: string): SolveRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, 'bad_json', `the request body is not valid JSON: ${reason}`);
  }
  if (!isRecord(json)) throw bad(`the body must be a JSON object such as { "cities": [...] }, got ${describe(json)}`);
  for (const key of Object.keys(json)) {
    if (!FIELDS.has(key)) throw bad(`"${key}" is not a field of a problem (known: ${[...FIELDS].join(', ')})`);
  }
  const list = json.cities;
  if (!Array.isArray(list)) throw bad(`cities must be an array of { "x", "y" } objects, got ${list === undefined ? 'nothing' : describe(list)}`);
  if (list.length < LIMITS.minCities || list.length > LIMITS.maxCities) {
    throw bad(`cities must hold from ${LIMITS.minCities} to ${LIMITS.maxCities} cities, got ${list.length}`);
  }
  const names = new Set<string>();
  const cities = list.map((value: unknown, index) => city(value, index, names));
  const starts = json.starts === undefined ? LIMITS.defaultStarts : integer(json.starts, 'starts', 1, LIMITS.maxStarts);
  const seed = json.seed === undefined ? 1 : integer(json.seed, 'seed', 0, 2 ** 31 - 1);
  let name = 'request';
  if (json.name !== undefined) {
    if (typeof json.name !== 'string' || json.name.length > LIMITS.maxNameLength) throw bad(`name must be a string of at most ${LIMITS.maxNameLength} characters`);
    name = json.name;
  }
  return { problem: new Problem(name, cities), starts, seed };
}
