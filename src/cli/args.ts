/**
 * Command-line flags: `--name value`, `--name=value` and bare switches, checked against a list.
 * Every mistake is a {@link UsageError} with a one-line message.
 * @module
 */

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
  const flags: Flags = new Map();
  const hint = `(see ${command} --help)`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq === -1 ? undefined : arg.slice(eq + 1);
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      const short = arg.slice(1);
      const spec = specs.find((s) => s.short === short);
      if (spec === undefined) throw new UsageError(`${command}: unknown option ${arg} ${hint}`);
      name = spec.name;
    } else {
      throw new UsageError(`${command}: unexpected argument '${arg}' ${hint}`);
    }
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) throw new UsageError(`${command}: unknown option --${name} ${hint}`);
    if (flags.has(name)) throw new UsageError(`${command}: --${name} given more than once`);
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`${command}: --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
      throw new UsageError(`${command}: --${name} needs a value (${spec.value})`);
    }
    flags.set(name, value);
  }
  return flags;
}
