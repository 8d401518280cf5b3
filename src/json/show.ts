/**
 * A short rendering of a value read from a text, for the messages of the JSON reader.
 * @module
 */

/** A short JSON-like rendering of a value from a text, for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: unknown;
  try {
    text = JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (typeof text !== 'string') return typeof value;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
