// Workflows and schedules on the in-process app (the same suite runs on a queue in queue-workflow.test.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createApp, chain, task } from 'celerity';
import type tasks from './fixtures/workflow-tasks.js';
import { delay, lines, scratchFile, workflowSuite, type WorkflowApp } from './workflow-suite.js';

const tasksUrl = new URL('./fixtures/workflow-tasks.js', import.meta.url);

await describe('workflows and schedules in-process', async () => {
  let app: WorkflowApp;

  before(() => {
    app = createApp<typeof tasks>({ tasks: tasksUrl, threads: 2 });
  });

  after(async () => {
    await app.destroy();
  });

  await workflowSuite(() => app);

  await test('close() stops the schedules and waits for the workflows under way; destroy() rejects them', async () => {
    const local = createApp<typeof tasks>({ tasks: tasksUrl, threads: 1 });
    const file = scratchFile('closing');
    // The first run waits for a thread to list the tasks (a thread's start: 0.2 s or more on a busy machine).
    await local.schedule('stamp', [file], { every: 100 }).ready;
    await delay(150);
    const run = local.run(chain(task('load', 1), task('shift', 2), task('measure')));
    await local.close();
    assert.equal(await run, Math.hypot(3, 10));
    const count = lines(file).length;
    assert.ok(count >= 1);
    await delay(300);
    assert.equal(lines(file).length, count, 'the schedule fired after close()');
    const other = createApp<typeof tasks>({ tasks: tasksUrl, threads: 1 });
    const pending = other.run(chain(task('beat', scratchFile('destroyed'), 10_000), task('add', 1)) as never);
    const outcome = pending.then(() => undefined, (error: unknown) => error as { code?: string });
    await delay(200);
    await other.destroy();
    assert.equal((await outcome)?.code, 'ERR_APP_DESTROYED');
  });
});
