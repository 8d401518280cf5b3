#!/usr/bin/env node
/**
 * The `celerity` command. Usage errors print one line on stderr and exit with 2; other failures
 * print one line and exit with 1.
 * @module
 */
import { UsageError } from './args.js';
import { benchCommand, version } from './bench.js';
import { MAIN_HELP } from './help.js';
import { firstLine } from './load.js';
import { workerCommand } from './worker.js';

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'bench':
      return benchCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    case 'worker':
      return workerCommand(rest, { stdout: process.stdout, stderr: process.stderr });
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(MAIN_HELP);
      return 0;
    case '-v':
    case '--version':
      process.stdout.write(`${version()}\n`);
      return 0;
    case undefined:
      throw new UsageError('celerity: missing command (see celerity --help)');
    default:
      throw new UsageError(`celerity: unknown ${command.startsWith('-') ? 'option' : 'command'} '${command}' (see celerity --help)`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const usage = error instanceof UsageError;
  process.stderr.write(`${usage ? error.message : `celerity: ${firstLine(error)}`}\n`);
  process.exitCode = usage ? 2 : 1;
}
