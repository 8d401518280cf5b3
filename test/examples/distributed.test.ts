// Smoke test of examples/distributed: two worker processes, one killed with SIGKILL halfway
// through the job, which the other finishes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { redisMissing } from '../queue-helpers.js';
import { built, runNode } from './helpers.js';

const skip = redisMissing();

void describe('examples/distributed', { skip }, () => {
  void test('worker A is killed halfway; worker B finishes the job, and a Route comes back', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, DEMO_POLISH_MS: '2000' };
    delete env.CELERITY_REDIS_URL;
    const run = await runNode([built('distributed/main.js')], { env });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /worker A killed with SIGKILL halfway/);
    assert.match(run.stdout, /result: a Route of 300 cities, length \d+/);
    assert.match(run.stdout, /worker B: \S+ [\w-]+ polish completed \d+ms/);
  });
});
