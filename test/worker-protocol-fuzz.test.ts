/**
 * Untrusted thread messages: task messages of the thread protocol, mutated as in
 * `untrusted-fuzz.test.ts` (see `fuzz-mutate.ts`), reach a celerity worker thread directly. Each
 * is answered, never thrown at the pool: a run, or a failed run with a `CelerityError` code;
 * and the same thread serves the next message. `FUZZ_RUNS` sets the number of messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { encode } from 'celerity';
import { Random, mutate } from './fuzz-mutate.js';
import { Point } from './fixtures/shapes.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000);

/** The protocol's constants, from the built package (the protocol is internal). */
const protocol = (await import(new URL('../../dist/protocol/messages.js', import.meta.url).href)) as {
  PROTOCOL_VERSION: number;
  BOOT_KEY: string;
  FLAG_START: number;
  FLAG_PROGRESS: number;
  FLAG_CHUNK: number;
  FLAG_WIRE: number;
  FLAG_ANSWER_EVENT: number;
  RESULT_WIRE: number;
  RESULT_FAILED: number;
  RESULT_FAILURE: number;
  EVENT_MARK: string;
  EVENT_ANSWER: number;
  FLAG_BATCH: number;
  BATCH_MAX: number;
  RESULT_OK: number;
};
const { FLAG_START, FLAG_PROGRESS, FLAG_CHUNK, FLAG_WIRE } = protocol;

const CELLS = 4;

/** Valid task messages, one per form the app sends. */
function seeds(): unknown[][] {
  return [
    [1, 1, 'add', [1, 2], 0, -1],
    [2, 1, 'move', encode([new Point(1, 2), 3], { path: 'args' }), FLAG_WIRE, 0],
    [3, 1, 'double', [1, 2, 3], FLAG_CHUNK, 1],
    [4, 2, 'move', encode([new Point(5, 6), -1], { path: 'args' }), FLAG_WIRE | FLAG_START | FLAG_PROGRESS, -1, ['job-7', 2]],
    [5, 1, 'double', encode([1, 2, 3], { path: 'inputs' }), FLAG_WIRE | FLAG_CHUNK, 2],
    [6, 1, 'threadId', [], 0, 3, ['job-8', 1]],
  ];
}

/** Whether `answer` is a result message: a run's outcome, or a failure with a CelerityError code. */
function checkAnswer(answer: unknown, report: string): void {
  assert.ok(Array.isArray(answer), `not a result message: ${report}`);
  const kind = (answer[0] as number) & ~protocol.RESULT_WIRE;
  assert.ok(kind >= 0 && kind <= 3, `unknown result kind ${String(answer[0])}: ${report}`);
  if (kind === protocol.RESULT_FAILED) {
    const failure = answer[protocol.RESULT_FAILURE] as { code?: unknown } | undefined;
    assert.ok(typeof failure?.code === 'string' && failure.code.startsWith('ERR_'), `a failure without a CelerityError code: ${report}`);
  }
}

/** A one-thread pool of the celerity worker, booted as an app would, and its start cells. */
function workerPool(channel: string): { pool: Piscina; cells: Int32Array } {
  const starts = new SharedArrayBuffer(4 * CELLS);
  const cells = new Int32Array(starts);
  const boot = {
    v: protocol.PROTOCOL_VERSION,
    tasks: new URL('./fixtures/protocol-tasks.js', import.meta.url).href,
    allow: [],
    entry: undefined,
    channel,
    strict: true,
    afterTasks: 0,
    maxHeapMb: 0,
    retire: undefined,
    starts,
  };
  const pool = new Piscina({
    filename: fileURLToPath(new URL('../../dist/worker/index.js', import.meta.url)),
    workerData: { [protocol.BOOT_KEY]: boot },
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: 60_000,
  });
  return { pool, cells };
}

await test('mutated task messages are answered as runs or CelerityErrors, and the thread lives on', async () => {
  const { pool, cells } = workerPool(`celerity-protocol-fuzz-${process.pid}`);
  const crashes: unknown[] = [];
  pool.on('error', (error: unknown) => crashes.push(error));
  // Answers a task asked to post as an event (FLAG_ANSWER_EVENT) arrive here; Piscina gets null.
  const events: unknown[] = [];
  pool.on('message', (event: unknown) => {
    if (Array.isArray(event) && event[0] === protocol.EVENT_MARK && event[1] === protocol.EVENT_ANSWER) events.push(event[4]);
  });
  try {
    const first = (await pool.run([0, 1, 'threadId', [], 0, -1])) as unknown[];
    const thread = first[1];
    const random = new Random(0x5eed);
    const seen = new Set<string>();
    for (let run = 0; run < RUNS; run++) {
      const message = random.pick(seeds());
      const done = mutate(message, random, 1 + random.below(3), false);
      const report = `case ${run}: ${done.join(', ')}`;
      cells.fill(0);
      const answered = events.length;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within 2 s: ${report}`));
        }, 2000);
      });
      let answer: unknown;
      try {
        answer = await Promise.race([pool.run(message), timeout]);
        if (answer === null) {
          // Posted as an event before Piscina's answer: it is there by now, or follows at once.
          for (let wait = 0; events.length === answered && wait < 100; wait++) await new Promise((resolve) => setTimeout(resolve, 1));
          answer = events[events.length - 1];
        }
      } catch (error) {
        assert.fail(`the pool was thrown ${String(error)}: ${report}`);
      } finally {
        clearTimeout(timer);
      }
      checkAnswer(answer, report);
      if (Array.isArray(answer)) seen.add(String((answer[0] as number) & ~protocol.RESULT_WIRE));
    }
    const last = (await pool.run([RUNS + 1, 1, 'threadId', [], 0, -1])) as unknown[];
    assert.equal(last[1], thread, 'the thread that took the mutated messages still serves');
    assert.deepEqual(crashes, []);
    // Both kinds of outcome were exercised: runs that went through, and refusals.
    assert.ok(seen.has('0') && seen.has(String(protocol.RESULT_FAILED)), `outcomes seen: ${[...seen].join(', ')}`);
  } finally {
    await pool.destroy();
  }
});

/** Collects the answer events a pool's thread posts, by run number. */
function answerEvents(pool: Piscina): Map<number, unknown[]> {
  const events = new Map<number, unknown[]>();
  pool.on('message', (event: unknown) => {
    if (Array.isArray(event) && event[0] === protocol.EVENT_MARK && event[1] === protocol.EVENT_ANSWER) events.set(event[2] as number, event[4] as unknown[]);
  });
  return events;
}

/** Waits up to 200 ms for `events` to hold `count` answers. */
async function settleEvents(events: Map<number, unknown[]>, count: number): Promise<void> {
  for (let wait = 0; events.size < count && wait < 200; wait++) await new Promise((resolve) => setTimeout(resolve, 1));
}

await test('a batch answers each member as an event of its own, and refuses a malformed member alone', async () => {
  const { pool, cells } = workerPool(`celerity-protocol-batch-${process.pid}`);
  const events = answerEvents(pool);
  const { FLAG_BATCH, BATCH_MAX, RESULT_OK, RESULT_FAILED, RESULT_FAILURE } = protocol;
  const code = (answer: unknown[] | undefined): unknown => (answer?.[RESULT_FAILURE] as { code?: string } | undefined)?.code;
  try {
    const members = [
      [11, 1, 'add', [1, 2], 0, 0],
      [12, 1, 'add', 'not a list', 0, 1],
      [13, 1, '', [[14, 1, 'add', [1, 1], 0, -1]], FLAG_BATCH, -1],
      'not a message',
      [15, 1, 'nosuch', [], 0, 2],
      [16, 1, 'add', [2, 3], 0, 3],
    ];
    cells.fill(0);
    assert.equal(await pool.run([0, 1, '', members, FLAG_BATCH, -1]), null);
    await settleEvents(events, 5);
    assert.deepEqual([...events.keys()].sort(), [11, 12, 13, 15, 16]);
    assert.deepEqual(events.get(11)?.slice(0, 2), [RESULT_OK, 3]);
    assert.deepEqual(events.get(16)?.slice(0, 2), [RESULT_OK, 5]);
    assert.equal(events.get(12)?.[0], RESULT_FAILED);
    assert.equal(code(events.get(12)), 'ERR_BAD_WIRE');
    assert.equal(code(events.get(13)), 'ERR_BAD_WIRE');
    assert.equal(code(events.get(15)), 'ERR_UNKNOWN_TASK');
    // The members that ran claimed and finished their start cells.
    assert.deepEqual([cells[0], cells[3]], [2, 2]);

    // A batch itself out of shape is answered as one failed run, and no member runs.
    events.clear();
    const tooMany = Array.from({ length: BATCH_MAX + 1 }, (_, i) => [100 + i, 1, 'add', [i, 1], 0, -1]);
    for (const batch of [
      [0, 1, '', tooMany, FLAG_BATCH, -1],
      [0, 1, '', [], FLAG_BATCH, -1],
      [0, 1, '', [[1, 1, 'add', [1, 1], 0, -1]], FLAG_BATCH | 1, -1],
      [0, 1, '', { length: 1, 0: [1, 1, 'add', [1, 1], 0, -1] }, FLAG_BATCH, -1],
    ]) {
      const answer = (await pool.run(batch)) as unknown[];
      assert.equal(answer[0], RESULT_FAILED);
      assert.equal(code(answer), 'ERR_BAD_WIRE');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(events.size, 0);
  } finally {
    await pool.destroy();
  }
});

await test('mutated batches are answered as runs or CelerityErrors, member by member, and the thread lives on', async () => {
  const { pool, cells } = workerPool(`celerity-protocol-batch-fuzz-${process.pid}`);
  const crashes: unknown[] = [];
  pool.on('error', (error: unknown) => crashes.push(error));
  const events = answerEvents(pool);
  try {
    const thread = ((await pool.run([0, 1, 'threadId', [], 0, -1])) as unknown[])[1];
    const random = new Random(0xba7c4);
    for (let run = 0; run < Math.ceil(RUNS / 6); run++) {
      const members = seeds().filter(() => random.below(2) === 0);
      const batch = [0, 1, '', members.length > 0 ? members : seeds(), protocol.FLAG_BATCH, -1];
      const report = `batch ${run}: ${mutate(batch, random, 1 + random.below(4), false).join(', ')}`;
      cells.fill(0);
      events.clear();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`no answer within 2 s: ${report}`));
        }, 2000);
      });
      const answer: unknown = await Promise.race([pool.run(batch), timeout]).finally(() => {
        clearTimeout(timer);
      });
      if (answer !== null) checkAnswer(answer, report);
      await new Promise((resolve) => setImmediate(resolve));
      for (const [id, event] of events) checkAnswer(event, `${report} (run ${id})`);
    }
    assert.equal(((await pool.run([RUNS + 1, 1, 'threadId', [], 0, -1])) as unknown[])[1], thread, 'the thread that took the mutated batches still serves');
    assert.deepEqual(crashes, []);
  } finally {
    await pool.destroy();
  }
});
