/**
 * Command-line flags: `--name value`, `--name=value` and bare switches, checked against a list by
 * Node's `util.parseArgs`. Every mistake is a {@link UsageError} with a one-line message.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

/** A mistake on the command line: the command prints its one-line message and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A flag the command accepts. */
export interface FlagSpec {
  /** Long name without dashes, e.g. `json`. */
  name: string;
  /** Name of the value it takes (e.g. `FILE`), or `undefined` for a switch. */
  value?: string | undefined;
  /** A one-letter alias without the dash, e.g. `h`. */
  short?: string | undefined;
}

/** Parsed flags: the value of each flag given (`true` for switches). */
export type Flags = Map<string, string | true>;

/** Parses `argv` against `specs`; `command` names the command in messages. */
export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[], command: string): Flags {
  const hint = `(see ${command} --help)`;
  const options: ParseArgsOptionsConfig = {};
  for (const spec of specs) {
    const type = spec.value === undefined ? 'boolean' : 'string';
    options[spec.name] = spec.short === undefined ? { type } : { type, short: spec.short };
  }
  let tokens: ReturnType<typeof parseArgs>['tokens'];
  try {
    ({ tokens } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false, tokens: true }));
  } catch (error) {
    throw new UsageError(`${command}: ${describeMistake(error, specs)} ${hint}`);
  }
  const flags: Flags = new Map();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs.find((s) => s.name === token.name) as FlagSpec;
    if (flags.has(token.name)) throw new UsageError(`${command}: --${token.name} given more than once`);
    if (spec.value === undefined) {
      flags.set(token.name, true);
      continue;
    }
    // parseArgs takes the next word whatever it is; an empty one, or a flag, is a missing value.
    const value = token.value ?? '';
    if (value === '' || (!token.inlineValue && value.startsWith('--'))) throw new UsageError(`${command}: --${token.name} needs a value (${spec.value})`);
    flags.set(token.name, value);
  }
  return flags;
}

/** The one-line description of what `parseArgs` refused (its own wording names the flag). */
function describeMistake(error: unknown, specs: readonly FlagSpec[]): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const name = /^--?([^\s<=]+)/.exec(quoted)?.[1] ?? '';
  const spec = specs.find((s) => s.name === name || s.short === name);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (spec !== undefined) return spec.value === undefined ? `--${spec.name} takes no value` : `--${spec.name} needs a value (${spec.value})`;
      return message;
    default:
      return message;
  }
}
