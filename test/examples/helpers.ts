// Shared helpers of the example smoke tests: where things are, and running a Node process.
import { spawn } from 'node:child_process';

/** The repository root (tests run from build/test/examples/). */
export const root = new URL('../../../', import.meta.url);

/** A compiled example file under build/examples/. */
export function built(path: string): string {
  return new URL(`build/examples/${path}`, root).pathname;
}

/** What a finished process left behind. */
export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runNode}. */
export interface RunOptions {
  /** Kill the process (and fail) after this long. Default 30 s. */
  readonly timeout?: number;
  /** Called with the output so far whenever more arrives; may return `true` to send SIGINT. */
  readonly interruptWhen?: (stdout: string) => boolean;
  /** Wait this long (ms) between `interruptWhen` saying so and sending SIGINT. Default 0. */
  readonly interruptDelay?: number;
  /** The child's environment. Default: this process's. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `node ...args` from the repository root and collects its output. */
export function runNode(args: readonly string[], options: RunOptions = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`node ${args.join(' ')} did not finish in time\n${stdout}\n${stderr}`));
    }, options.timeout ?? 30_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (!interrupted && options.interruptWhen?.(stdout) === true) {
        interrupted = true;
        setTimeout(() => child.kill('SIGINT'), options.interruptDelay ?? 0);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
