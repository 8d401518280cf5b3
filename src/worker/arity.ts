/**
 * How many arguments a task declares, where that can be known: from plain JavaScript (or
 * compiled TypeScript) a call with an extra argument would otherwise reach the task silently.
 * @module
 */

/** The declared count of each task function, or -1 when it cannot be known (looked at once). */
const declared = new WeakMap<object, number>();

/**
 * The number of parameters `fn` declares, when the count is exact: no rest parameter, no default
 * value, no destructuring, no use of `arguments` (each can take any number, or hides how many).
 * Otherwise -1. A function whose source is not shown (native or bound) is -1 too.
 */
function declaredCount(fn: (...args: never[]) => unknown): number {
  let count = declared.get(fn);
  if (count !== undefined) return count;
  count = -1;
  const source = Function.prototype.toString.call(fn);
  const open = source.indexOf('(');
  const close = open < 0 ? -1 : source.indexOf(')', open);
  if (!source.includes('[native code]') && open >= 0 && close > open) {
    const list = source.slice(open + 1, close);
    const exact = !/[=.{[]/.test(list) && !/\barguments\b/.test(source.slice(close));
    // A single unparenthesised arrow parameter (`x => ...`) has no "(" before its arrow.
    const arrowWithoutParens = /^\s*(?:async\s+)?[\w$]+\s*=>/.test(source);
    if (exact && !arrowWithoutParens) count = fn.length;
  }
  declared.set(fn, count);
  return count;
}

/**
 * Why a call of task `name` with `given` arguments cannot be right (it declares fewer, exactly),
 * or `undefined`. Fewer arguments than declared are allowed: an optional parameter compiles to a
 * plain one.
 */
export function arityProblem(fn: (...args: never[]) => unknown, name: string, given: number): string | undefined {
  const count = declaredCount(fn);
  if (count < 0 || given <= count) return undefined;
  return `task "${name}" takes ${count === 1 ? '1 argument' : `${count} arguments`}, but was given ${given}; pass options to submit(name, args, options) or app.with(options), not as an argument`;
}
