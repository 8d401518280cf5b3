// Smoke tests of examples/optimise: it solves and reports, refuses bad flags, and Ctrl-C stops it
// cleanly with exit code 130.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { built, runNode } from './helpers.js';

const main = built('optimise/main.js');

void describe('examples/optimise', () => {
  void test('solves a small problem on two threads, polishes it, and prints the speedup', async () => {
    const run = await runNode([main, '--cities', '40', '--starts', '8', '--threads', '2', '--polish-ms', '200']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /descending, 2 threads \[█+\] 8\/8/);
    assert.match(run.stdout, /polishing the best/);
    assert.match(run.stdout, /result: a tour of 40 cities, length [\d,.]+ \(a Route holding its Problem\)/);
    assert.match(run.stdout, /cores kept busy: [\d.]+ with 1 thread, [\d.]+ with 2/);
    assert.match(run.stdout, /speedup: 8 starts took [\d.]+ s on 1 thread and [\d.]+ s on 2: [\d.]+×\s+\(same tours found: yes\)/);
  });

  void test('refuses a bad flag with exit code 2 and the usage', async () => {
    const run = await runNode([main, '--cities', 'many']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--cities must be an integer/);
    assert.match(run.stderr, /usage: optimise/);
  });

  void test('Ctrl-C cancels the runs, closes the threads and exits with 130', async () => {
    const run = await runNode([main, '--cities', '400', '--starts', '400', '--threads', '2', '--skip-baseline'], {
      // Interrupt while the map is under way: its bar is drawn as it starts.
      interruptWhen: (stdout) => stdout.includes('descending, 2 threads'),
      interruptDelay: 500,
    });
    assert.equal(run.code, 130, run.stderr);
    assert.match(run.stdout, /interrupted: cancelling/);
    assert.match(run.stdout, /cancelled: every run was stopped and the threads are closed/);
    assert.doesNotMatch(run.stdout, /result:/);
  });
});
