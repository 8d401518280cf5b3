// Smoke tests of examples/server: each kind of answer, cancel on disconnect, and a short load run
// in which every request is answered.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomProblem } from '../../examples/tsp/random.js';
import { runLoad } from '../../examples/server/load-client.js';
import { startSolverServer, type SolverServer } from '../../examples/server/server.js';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly json: unknown;
}

/** Posts `body` to `url`; `chunked` leaves out Content-Length. */
function post(url: string, body: string, options: { chunked?: boolean; signal?: AbortSignal } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(body);
    const headers = options.chunked === true ? {} : { 'content-length': data.length };
    const req = request(url, { method: 'POST', headers, ...(options.signal === undefined ? {} : { signal: options.signal }) }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text === '' ? undefined : JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

function problemJson(size: number, starts: number, seed = 1): string {
  const problem = randomProblem(size, seed);
  return JSON.stringify({ cities: problem.cities.map((city) => ({ name: city.name, x: city.x, y: city.y })), starts });
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function errorCode(answer: Answer): unknown {
  return (answer.json as { error?: { code?: unknown } } | undefined)?.error?.code;
}

void describe('examples/server', () => {
  let server: SolverServer;
  let solve: string;
  before(async () => {
    server = await startSolverServer({ port: 0, threads: 1, maxBodyBytes: 32 * 1024 });
    solve = `${server.url}/solve`;
  });
  after(() => server.close());

  void test('a valid problem is solved: 200 with a tour through every city', async () => {
    const answer = await post(solve, problemJson(30, 2));
    assert.equal(answer.status, 200);
    const body = answer.json as { length: number; order: number[]; tour: string[]; starts: number };
    assert.equal(body.starts, 2);
    assert.deepEqual([...body.order].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
    assert.equal(body.tour.length, 30);
    assert.ok(body.length > 0);
  });

  void test('malformed JSON is a 400 bad_json', async () => {
    const answer = await post(solve, '{"cities": [');
    assert.equal(answer.status, 400);
    assert.equal(errorCode(answer), 'bad_json');
  });

  void test('a bad problem is a 400 bad_problem naming the field', async () => {
    const answer = await post(solve, JSON.stringify({ cities: [{ x: 0, y: 0 }, { x: 'one', y: 1 }, { x: 2, y: 2 }] }));
    assert.equal(answer.status, 400);
    assert.equal(errorCode(answer), 'bad_problem');
    assert.match((answer.json as { error: { message: string } }).error.message, /cities\[1\]\.x must be a finite number/);
    // A number JSON.parse turns into Infinity is named as what was sent, not as null.
    const huge = await post(solve, '{"cities":[{"x":0,"y":0},{"x":1e400,"y":1},{"x":2,"y":2}]}');
    assert.equal(huge.status, 400);
    assert.match((huge.json as { error: { message: string } }).error.message, /cities\[1\]\.x must be a finite number, got a number beyond the range of a double/);
  });

  void test('an oversized body is a 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ cities: Array.from({ length: 3000 }, (_, i) => ({ x: i, y: i })) });
    assert.ok(big.length > 32 * 1024);
    assert.equal((await post(solve, big)).status, 413);
    assert.equal((await post(solve, big, { chunked: true })).status, 413);
  });

  void test('other methods and paths get 405 and 404', async () => {
    const get = await fetch(solve);
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${server.url}/nowhere`)).status, 404);
  });

  void test('a client that disconnects cancels its run', async () => {
    const app = server.app;
    assert.ok(app);
    const cancelledBefore = app.stats().cancelled;
    const client = new AbortController();
    const pending = post(solve, problemJson(400, 16, 7), { signal: client.signal }).catch((error: unknown) => error);
    await until(() => app.stats().running > 0, 'the run to start');
    client.abort();
    assert.equal((await pending as Error).name, 'AbortError');
    await until(() => app.stats().cancelled > cancelledBefore, 'the run to be cancelled');
    assert.ok(server.metrics.snapshot().cancelledOnDisconnect >= 1);
    await until(() => app.stats().running === 0, 'the thread to be free again');
  });

  void test('a short load run: every request is answered as expected', async () => {
    const report = await runLoad({ url: server.url, requests: 200, concurrency: 8, seed: 3, maxBodyBytes: 32 * 1024 });
    assert.deepEqual(report.problems, []);
    assert.equal(report.answered + report.abortedByClient, 200);
    for (const status of ['200', '400', '413']) assert.ok((report.statuses[status] ?? 0) > 0, `some ${status} answers`);
    assert.ok(server.metrics.snapshot().eventLoopDelay.samples > 0);
  });
});

void describe('examples/server under more load than the time limit allows', () => {
  void test('refuses at once, 503 with Retry-After, a solve that could not finish in time, and answers no 504', async () => {
    const server = await startSolverServer({ port: 0, threads: 1, timeoutMs: 1_500 });
    try {
      const body = problemJson(300, 12, 5);
      for (let i = 0; i < 2; i++) assert.equal((await post(`${server.url}/solve`, body)).status, 200);
      // The solve time the server judges by (the thread's, without the start-up of the first).
      const solveMs = server.app?.stats().runTime.p50 ?? 0;
      assert.ok(solveMs > 0);
      // Enough at once that the last ones would wait well past the limit.
      const count = Math.min(150, Math.ceil(1_500 / solveMs) + 6);
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: count }, async () => {
          const answer = await post(`${server.url}/solve`, body);
          return { answer, ms: performance.now() - started };
        }),
      );
      const statuses = answers.map(({ answer }) => answer.status);
      assert.ok(!statuses.includes(504), `statuses ${statuses.join(',')}`);
      const refused = answers.filter(({ answer }) => answer.status === 503);
      assert.ok(refused.length > 0, `none refused of ${count} at ${solveMs} ms each: ${statuses.join(',')}`);
      for (const { answer, ms } of refused) {
        assert.equal(errorCode(answer), 'busy');
        assert.ok(Number(answer.headers['retry-after']) >= 1);
        assert.ok(ms < 1_500, `refused after ${Math.round(ms)} ms, not at once`);
      }
      assert.ok(server.metrics.snapshot().refusedEarly >= refused.length);
    } finally {
      await server.close();
    }
  });
});

void describe('examples/server with a full queue', () => {
  void test('answers 503 with Retry-After once maxQueue solves are waiting', async () => {
    const server = await startSolverServer({ port: 0, threads: 1, maxQueue: 1, retryAfterSeconds: 2 });
    const clients = Array.from({ length: 4 }, () => new AbortController());
    try {
      const body = problemJson(400, 16, 9);
      const answers = clients.map((client) => post(`${server.url}/solve`, body, { signal: client.signal }).catch(() => undefined));
      // One runs, one waits, the rest are refused at once.
      const refused = await Promise.race(answers.map(async (answer, index) => ({ answer: await answer, index })));
      assert.ok(refused.answer);
      assert.equal(refused.answer.status, 503);
      assert.equal(refused.answer.headers['retry-after'], '2');
      assert.equal(errorCode(refused.answer), 'busy');
    } finally {
      for (const client of clients) client.abort();
      await server.close();
    }
  });
});
