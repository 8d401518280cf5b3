/**
 * What a workflow's `onProgress` receives.
 * @module
 */

/** The progress of a whole workflow: how many of its task calls have finished, of how many. */
export interface WorkflowProgress {
  /** Task calls finished so far. */
  readonly done: number;
  /** Task calls in the workflow (a group's own collecting is not one). */
  readonly total: number;
}
