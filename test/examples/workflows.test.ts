// Smoke tests of examples/workflows: one typed workflow (a chord, then a chain) solves and
// reports; Ctrl-C cancels the whole with exit code 130.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { built, runNode } from './helpers.js';

const main = built('workflows/main.js');

void describe('examples/workflows', () => {
  void test('a chord of descents, then a chain to polish: one run, steps counted, a Route back', async () => {
    const run = await runNode([main, '--cities', '40', '--starts', '6', '--threads', '2', '--polish-ms', '200']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /workflow \[█+\] 8\/8/);
    assert.match(run.stdout, /result: a tour of 40 cities, length [\d,.]+ \(a Route\)/);
    assert.match(run.stdout, /steps: 8 task calls \(6 descents, shortest, polish\), run state succeeded/);
  });

  void test('Ctrl-C cancels every part and exits with 130', async () => {
    const run = await runNode([main, '--cities', '400', '--starts', '200', '--threads', '2'], {
      interruptWhen: (stdout) => stdout.includes('workflow'),
      interruptDelay: 500,
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stdout, /cancelled: every part of the workflow was stopped/);
  });
});
