/**
 * The queue suite: celerity/bullmq against raw BullMQ on the same redis-server (one of our own,
 * persistence off), each side with one worker process and the same concurrency, rounds
 * alternating which side goes first:
 * - no-op jobs: throughput of 1,000 jobs submitted at once (target: ours ÷ raw ≥ 0.8);
 * - a job carrying 1,000 class instances and returning them, one at a time: celerity's JSON wire
 *   against raw BullMQ with superjson on both sides (target: raw ÷ ours ≥ 2), on two shapes: a
 *   flat point of three fields (the least favourable: superjson's own cost is lowest, Redis's
 *   dominates) and a shipment (an instance holding an instance and a Date); beside them, the
 *   floor: raw BullMQ carrying celerity's wire of the points with no conversion on either side
 *   (what storing that JSON in Redis costs, which no converter can go below);
 * - CPU-bound jobs (40 ms each): celerity's thread pool against BullMQ's sandboxed processors
 *   with `useWorkerThreads` on 2 threads (target: ours ÷ raw ≤ 1, level or better).
 * Both sides are warmed up with untimed rounds first, so the timed ones show their steady pace.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { createQueueApp, type QueueApp } from 'celerity/bullmq';
import { serialize } from 'celerity';
import type { Figure, SuiteResult } from './figures.js';
import type tasks from './fixtures/queue-bench-tasks.js';
import { queueSuperjson, shipments, spots } from './fixtures/queue-shapes.js';
import { hasRedisServer, startRedis, stopProcess, type RedisServer } from '../tools/redis-server.js';

/** Settings of one run of the suite. */
export interface QueueBenchOptions {
  /** No-op jobs per throughput round. */
  readonly jobs?: number;
  /** Round trips per side for the instances job. */
  readonly trips?: number;
  /** CPU-bound jobs per round. */
  readonly cpuJobs?: number;
  /** Rounds per comparison. */
  readonly rounds?: number;
}

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const celerityTasks = fileURLToPath(new URL('./fixtures/queue-bench-tasks.js', import.meta.url));
const rawWorker = fileURLToPath(new URL('./fixtures/raw-bullmq-worker.js', import.meta.url));

/** Starts a worker process and resolves once it takes jobs (its stderr says so). */
function startProcess(args: readonly string[], ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      if (err.includes(ready)) resolve(child);
    });
    child.once('exit', (code) => {
      reject(new Error(`worker exited with ${String(code)}: ${err}`));
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** A raw BullMQ submitter: a Queue and a QueueEvents that counts completions. */
class RawSide {
  readonly queue: Queue;
  readonly events: QueueEvents;
  private readonly waiters = new Map<string, (value: unknown) => void>();

  constructor(redis: RedisServer, name: string) {
    const connection = { host: '127.0.0.1', port: redis.port };
    this.queue = new Queue(name, { connection });
    this.events = new QueueEvents(name, { connection });
    this.events.on('completed', ({ jobId, returnvalue }) => {
      this.waiters.get(jobId)?.(returnvalue);
      this.waiters.delete(jobId);
    });
  }

  async ready(): Promise<void> {
    await Promise.all([this.queue.waitUntilReady(), this.events.waitUntilReady()]);
  }

  /** Adds a job and resolves with its return value. */
  run(name: string, data: unknown, id: string): Promise<unknown> {
    const done = new Promise<unknown>((resolve) => this.waiters.set(id, resolve));
    void this.queue.add(name, data, { jobId: id, removeOnComplete: true });
    return done;
  }

  async close(): Promise<void> {
    await Promise.all([this.events.close(), this.queue.close()]);
  }
}

let ids = 0;

/**
 * Times `work` on both sides, `rounds` times each, alternating which goes first; medians in ms.
 * First each side runs `warmups` untimed rounds, alternating too: a fresh worker process reaches
 * its steady pace only once its code is compiled (celerity's, with a thread pool and the codec,
 * takes several thousand no-op jobs; raw BullMQ fewer), and the timed rounds are to show that pace.
 */
async function compare(rounds: number, ours: () => Promise<void>, raw: () => Promise<void>, warmups = 1): Promise<{ ours: number; raw: number }> {
  const times = { ours: [] as number[], raw: [] as number[] };
  for (let round = 0; round < warmups; round++) {
    await ours();
    await raw();
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['ours', 'raw'] as const) : (['raw', 'ours'] as const);
    for (const side of order) {
      const started = performance.now();
      await (side === 'ours' ? ours() : raw());
      times[side].push(performance.now() - started);
    }
  }
  return { ours: median(times.ours), raw: median(times.raw) };
}

/** Runs the suite; throws when redis-server is missing. */
export async function runQueueBench(options: QueueBenchOptions = {}): Promise<SuiteResult> {
  if (!hasRedisServer()) throw new Error('the queue suite needs redis-server (apt-get install -y redis-server)');
  const jobs = options.jobs ?? 1000;
  const trips = options.trips ?? 30;
  const cpuJobs = options.cpuJobs ?? 24;
  const rounds = options.rounds ?? 5;
  // Untimed rounds before the timed ones (see `compare`); one in a quick run.
  const warmups = rounds > 1 ? 5 : 1;
  const redis = await startRedis();
  const children: ChildProcess[] = [];
  const apps: QueueApp<typeof tasks>[] = [];
  const raws: RawSide[] = [];
  const concurrency = '16';
  try {
    const worker = (queue: string, extra: readonly string[]): Promise<ChildProcess> =>
      startProcess([cli, 'worker', '--tasks', celerityTasks, '--queue', queue, '--redis', redis.url, '--quiet', ...extra], 'taking jobs').then((child) => (children.push(child), child));
    const rawWorkerFor = (queue: string, mode: string, workers: string): Promise<ChildProcess> =>
      startProcess([rawWorker, redis.url, queue, mode, workers], 'raw worker ready').then((child) => (children.push(child), child));
    const app = (queue: string): QueueApp<typeof tasks> => {
      const made = createQueueApp<typeof tasks>({ queue, connection: redis.url, keepCompleted: { count: 0 } });
      apps.push(made);
      return made;
    };
    const rawSide = async (queue: string): Promise<RawSide> => {
      const side = new RawSide(redis, queue);
      raws.push(side);
      await side.ready();
      return side;
    };

    // No-op throughput.
    await Promise.all([worker('noop-ours', ['--threads', '2', '--concurrency', concurrency]), rawWorkerFor('noop-raw', 'noop', concurrency)]);
    const noopApp = app('noop-ours');
    const noopRaw = await rawSide('noop-raw');
    const noop = await compare(
      rounds,
      async () => {
        await Promise.all(Array.from({ length: jobs }, (_, i) => noopApp.run('add', i, 1)));
      },
      async () => {
        await Promise.all(Array.from({ length: jobs }, (_, i) => noopRaw.run('add', { a: i, b: 1 }, `n${ids++}`)));
      },
      warmups,
    );

    // 1,000 class instances there and back, one job at a time.
    await Promise.all([worker('spots-ours', ['--threads', '1', '--concurrency', '1']), rawWorkerFor('spots-raw', 'superjson', '1')]);
    const spotsApp = app('spots-ours');
    const spotsRaw = await rawSide('spots-raw');
    const sj = queueSuperjson();
    // Raw BullMQ with superjson on both sides: `trips` jobs in a row carrying `payload` there and back.
    const superjsonTrips = async (task: 'echo' | 'echoShipments', payload: readonly unknown[]): Promise<void> => {
      for (let i = 0; i < trips; i++) {
        const back = sj.deserialize<unknown[]>((await spotsRaw.run(task, sj.serialize(payload), `s${ids++}`)) as never);
        if (back.length !== payload.length) throw new Error('lost instances');
      }
    };
    const roundTrip = (task: 'echo' | 'echoShipments', payload: readonly unknown[]): Promise<{ ours: number; raw: number }> =>
      compare(
        rounds,
        async () => {
          for (let i = 0; i < trips; i++) {
            const back = (await spotsApp.run(task, payload as never)) as unknown[];
            if (back.length !== payload.length) throw new Error('lost instances');
          }
        },
        () => superjsonTrips(task, payload),
        Math.min(warmups, 2),
      );
    const points = spots();
    const trip = await roundTrip('echo', points);
    const shipmentTrip = await roundTrip('echoShipments', shipments(1000));
    // The floor: the points' wire, made once, carried there and back untouched.
    await rawWorkerFor('spots-floor', 'echo', '1');
    const floorRaw = await rawSide('spots-floor');
    const pointsWire = serialize(points);
    // Timed as a pair like the others: raw BullMQ + superjson in the first place, the floor in the second.
    const { ours: superjsonMs, raw: floorMs } = await compare(
      rounds,
      () => superjsonTrips('echo', points),
      async () => {
        for (let i = 0; i < trips; i++) await floorRaw.run('echo', pointsWire, `f${ids++}`);
      },
      Math.min(warmups, 2),
    );
    // CPU-bound jobs on 2 threads.
    await Promise.all([worker('cpu-ours', ['--threads', '2', '--concurrency', '2']), rawWorkerFor('cpu-raw', 'sandboxed', '2')]);
    const cpuApp = app('cpu-ours');
    const cpuRaw = await rawSide('cpu-raw');
    const cpu = await compare(
      Math.max(3, rounds - 2),
      async () => {
        await Promise.all(Array.from({ length: cpuJobs }, () => cpuApp.run('spin', 40)));
      },
      async () => {
        await Promise.all(Array.from({ length: cpuJobs }, () => cpuRaw.run('spin', { ms: 40 }, `c${ids++}`)));
      },
    );

    const throughput = { ours: (jobs / noop.ours) * 1000, raw: (jobs / noop.raw) * 1000 };
    const group = 'celerity/bullmq against raw BullMQ';
    const figures: Figure[] = [
      { group, name: 'queue: no-op jobs/s, celerity ÷ raw BullMQ', label: 'no-op throughput, ours ÷ raw', value: throughput.ours / throughput.raw, target: 0.8, better: 'higher' },
      { group, name: 'queue: 1,000 flat instances round trip, raw BullMQ + superjson ÷ celerity (time)', label: '1,000 points: raw+superjson ÷ ours', value: trip.raw / trip.ours, target: 2, better: 'higher' },
      { group, name: 'queue: 1,000 flat instances round trip, raw BullMQ + superjson ÷ the wire carried unconverted (the best any converter could reach)', label: '1,000 points: raw+superjson ÷ floor', value: superjsonMs / floorMs, better: 'higher' },
      { group, name: 'queue: 1,000 nested instances round trip, raw BullMQ + superjson ÷ celerity (time)', label: '1,000 shipments: raw+superjson ÷ ours', value: shipmentTrip.raw / shipmentTrip.ours, target: 2, better: 'higher' },
      { group, name: 'queue: CPU-bound jobs on 2 threads, celerity ÷ BullMQ sandboxed useWorkerThreads (time)', label: 'CPU-bound: ours ÷ sandboxed', value: cpu.ours / cpu.raw, target: 1, better: 'lower' },
    ];
    const round = (n: number): number => Number(n.toPrecision(4));
    return {
      suite: 'queue',
      title: `celerity/bullmq against raw BullMQ on one redis-server, one worker process each (medians of ${rounds} rounds)`,
      // One unit per column; the last reads the same way on every row: how many times as fast
      // celerity is (higher is better, 1 is level).
      rows: [
        { comparison: `${jobs} no-op jobs at once (concurrency ${concurrency})`, 'celerity jobs/s': round(throughput.ours), 'raw jobs/s': round(throughput.raw), 'celerity ms': null, 'raw ms': null, '× as fast': round(throughput.ours / throughput.raw) },
        { comparison: `job with 1,000 points (3 fields), round trip (per job, ${trips} in a row)`, 'celerity jobs/s': null, 'raw jobs/s': null, 'celerity ms': round(trip.ours / trips), 'raw ms': round(trip.raw / trips), '× as fast': round(trip.raw / trip.ours) },
        { comparison: `the same 1,000 points' wire carried unconverted by raw BullMQ (the floor, per job)`, 'celerity jobs/s': null, 'raw jobs/s': null, 'celerity ms': null, 'raw ms': round(floorMs / trips), '× as fast': round(superjsonMs / floorMs) },
        { comparison: `job with 1,000 shipments (instance + Date), round trip (per job, ${trips} in a row)`, 'celerity jobs/s': null, 'raw jobs/s': null, 'celerity ms': round(shipmentTrip.ours / trips), 'raw ms': round(shipmentTrip.raw / trips), '× as fast': round(shipmentTrip.raw / shipmentTrip.ours) },
        { comparison: `${cpuJobs} CPU-bound jobs of 40 ms, 2 threads (all of them)`, 'celerity jobs/s': null, 'raw jobs/s': null, 'celerity ms': round(cpu.ours), 'raw ms': round(cpu.raw), '× as fast': round(cpu.raw / cpu.ours) },
      ],
      figures,
      details: { noop, trip, floor: { superjson: superjsonMs, floor: floorMs }, shipmentTrip, cpu, jobs, trips, cpuJobs, rounds },
    };
  } finally {
    await Promise.allSettled(apps.map((made) => made.destroy()));
    await Promise.allSettled(raws.map((side) => side.close()));
    await Promise.allSettled(children.map((child) => stopProcess(child)));
    await redis.stop();
  }
}
