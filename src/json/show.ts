/**
 * A short rendering of a value read from a text, for the messages of the JSON reader. The value
 * is untrusted: only primitives are rendered in full (strings cut short), containers by their
 * kind and size, so a message never costs more than a few characters of work.
 * @module
 */

/** A short JSON-like rendering of a value from a text, for messages. */
export function show(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string': {
      const text = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
      return text;
    }
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${String(value)}n`;
    case 'object':
      if (value === null) return 'null';
      if (Array.isArray(value)) return value.length <= 4 && value.every((item) => typeof item !== 'object' || item === null) ? `[${value.map(show).join(',')}]` : `an array of length ${String(value.length)}`;
      return 'an object';
    default:
      return typeof value;
  }
}
