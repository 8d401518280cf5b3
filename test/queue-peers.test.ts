// celerity/bullmq installed without its optional peers: a clear ERR_MISSING_DEPENDENCY naming
// what to install, from both sides, and nothing else breaks (in-process users install neither).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** What the probe script prints: the outcome of each side, and of an in-process run. */
interface Probe {
  app: { code?: string; message: string };
  worker: { code?: string; message: string };
  inProcess: number;
}

const PROBE = `
import { createApp, defineTasks } from 'celerity';
import { createQueueApp, createQueueWorker } from 'celerity/bullmq';
const outcome = (error) => ({ code: error.code, message: error.message });
const app = createQueueApp({ queue: 'q', connection: 'redis://127.0.0.1:1' });
const fromApp = await app.run('add', 1, 2).then(() => ({ message: 'ran' }), outcome);
await app.destroy();
const worker = createQueueWorker({ queue: 'q', connection: 'redis://127.0.0.1:1', tasks: new URL('./tasks.mjs', import.meta.url), threads: 1 });
const fromWorker = await worker.ready.then(() => ({ message: 'ready' }), outcome);
await worker.close();
const local = createApp({ tasks: new URL('./tasks.mjs', import.meta.url), threads: 1 });
const inProcess = await local.run('add', 2, 3);
await local.close();
console.log(JSON.stringify({ app: fromApp, worker: fromWorker, inProcess }));
`;

await describe('celerity/bullmq without its optional peers', { timeout: 60_000 }, async () => {
  let project: string;

  /** celerity's dependencies and theirs, by name (as installed here, hoisted). */
  function runtimeDependencies(): string[] {
    const found = new Set<string>();
    const visit = (packageJson: string): void => {
      const { dependencies = {} } = JSON.parse(readFileSync(packageJson, 'utf8')) as { dependencies?: Record<string, string> };
      for (const name of Object.keys(dependencies)) {
        if (found.has(name)) continue;
        found.add(name);
        visit(join(root, 'node_modules', name, 'package.json'));
      }
    };
    visit(join(root, 'package.json'));
    return [...found];
  }

  /** A project holding celerity and its dependencies, plus the packages named. */
  async function install(extra: readonly string[]): Promise<string> {
    const dir = await mkdtemp(join(project, 'p-'));
    const modules = join(dir, 'node_modules');
    await mkdir(join(modules, 'celerity'), { recursive: true });
    await cp(join(root, 'package.json'), join(modules, 'celerity', 'package.json'));
    await cp(join(root, 'dist'), join(modules, 'celerity', 'dist'), { recursive: true });
    for (const name of [...runtimeDependencies(), ...extra]) {
      await symlink(join(root, 'node_modules', name), join(modules, name), 'dir').catch((error: unknown) => {
        if ((error as { code?: string }).code !== 'ENOENT') throw error;
      });
    }
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }');
    await writeFile(join(dir, 'tasks.mjs'), "import { defineTasks } from 'celerity';\nexport default defineTasks({ add: (a, b) => a + b });\n");
    await writeFile(join(dir, 'probe.mjs'), PROBE);
    return dir;
  }

  async function probe(extra: readonly string[]): Promise<Probe> {
    const dir = await install(extra);
    const { stdout } = await run(process.execPath, [join(dir, 'probe.mjs')], { cwd: dir, timeout: 30_000 });
    return JSON.parse(stdout) as Probe;
  }

  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'celerity-peers-'));
  });

  after(async () => {
    await rm(project, { recursive: true, force: true });
  });

  await test('neither installed: both sides say to install bullmq and ioredis; in-process runs still work', async () => {
    const result = await probe([]);
    for (const side of [result.app, result.worker]) {
      assert.equal(side.code, 'ERR_MISSING_DEPENDENCY');
      assert.match(side.message, /npm install bullmq ioredis/);
    }
    assert.equal(result.inProcess, 5);
  });

  await test('only bullmq installed: the error names ioredis alone', async () => {
    const result = await probe(['bullmq']);
    for (const side of [result.app, result.worker]) {
      assert.equal(side.code, 'ERR_MISSING_DEPENDENCY');
      assert.match(side.message, /needs ioredis: run npm install ioredis$/);
    }
  });

  await test('only ioredis installed: the error names bullmq alone', async () => {
    const result = await probe(['ioredis']);
    for (const side of [result.app, result.worker]) {
      assert.equal(side.code, 'ERR_MISSING_DEPENDENCY');
      assert.match(side.message, /needs bullmq: run npm install bullmq$/);
    }
  });
});
