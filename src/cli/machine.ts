/**
 * The machine a set of figures comes from: figures without it cannot be compared.
 * @module
 */
import os from 'node:os';

/** CPU, cores and runtime. */
export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  platform: string;
  arch: string;
  memoryGb: number;
}

/** Describes this machine. */
export function machine(): Machine {
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.availableParallelism(),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** One line: `AMD EPYC 7B13, 2 cores, Node v20.20.2, linux x64`. */
export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform} ${m.arch}`;
}
