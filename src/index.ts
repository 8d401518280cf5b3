/**
 * celerity: a worker-thread task pool in which class instances, errors and progress survive the
 * trip to a thread and back.
 * @module
 */
export { CelerityError, RemoteError, UnrecoverableError, type CelerityErrorCode, type CelerityErrorDetails } from './errors.js';
export {
  register,
  serialisable,
  isRegistered,
  classId,
  lookupClass,
  registeredModules,
  type Serialisable,
  type SerialisableClass,
  type ErrorClass,
  type RegisterOptions,
} from './codec/registry.js';
export { encode, decode, isWire, wireClasses, missingClasses, type EncodeOptions, type DecodeOptions, type Wire, type WireClass } from './codec/index.js';
export { createApp, type App, type RunsWith, type TaskApp } from './app/app.js';
export { defineTasks, type TaskContext, type Task, type TaskTable, type AnyTasks, type TaskName, type TaskArgs, type TaskResult, type TaskInput, type TaskProgress, type WithProgress } from './protocol/tasks.js';
export type { AppOptions, RecycleOptions, SubmitOptions, RetryOptions, MapOptions, CloseOptions } from './app/options.js';
export type { TaskRun, RunState } from './app/run.js';
export type { Schedule, ScheduleOptions, ScheduleInfo } from './app/schedule.js';
export { task, chain, group, chord, isWorkflow, type Signature, type Chain, type Group, type Chord, type Workflow } from './workflow/signature.js';
export type { WorkflowResult, CheckWorkflow, WorkflowTypeError } from './workflow/types.js';
export type { WorkflowProgress } from './workflow/progress.js';
export type { AppStats, TimeSummary } from './app/stats.js';
export { isAsarPath, asarUnpackedPath } from './app/asar.js';
export { stringify, parse, serialize, deserialize, jsonRoundTrip, type JsonStringifyOptions, type JsonParseOptions, type JsonRoundTripOptions, type JsonWire, type JsonMeta, type JsonValue } from './json/index.js';
