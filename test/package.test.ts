/**
 * The published package as a newcomer gets it: the tarball `npm pack` makes holds the built code,
 * its types, source maps with their sources, LICENSE and README; installed into a fresh project, it
 * runs a task with a class instance as ESM, from CommonJS through require(esm), and as TypeScript
 * under tsx.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const TASKS = `import { defineTasks, register } from 'celerity';
export class Point {
  static { register(this, { id: 'consumer.Point' }); }
  constructor(x, y) { this.x = x; this.y = y; }
  toSerialisable() { return { x: this.x, y: this.y }; }
  static fromSerialisable(data) { return new Point(data.x, data.y); }
}
export default defineTasks({
  double(point) { return new Point(point.x * 2, point.y * 2); },
});
`;

const TASKS_TS = `import { defineTasks, register } from 'celerity';
export class Point {
  static { register(this, { id: 'consumer.Point' }); }
  constructor(readonly x: number, readonly y: number) {}
  toSerialisable(): { x: number; y: number } { return { x: this.x, y: this.y }; }
  static fromSerialisable(data: { x: number; y: number }): Point { return new Point(data.x, data.y); }
}
export default defineTasks({
  double(point: Point): Point { return new Point(point.x * 2, point.y * 2); },
});
`;

/** The body of each entry: runs the task, prints what came back. */
const body = (tasks: string): string => `const app = createApp({ tasks: ${tasks}, threads: 1 });
const doubled = await app.run('double', new Point(1, 2));
console.log(JSON.stringify({ point: doubled instanceof Point, x: doubled.x, y: doubled.y }));
await app.close();
`;

await test('npm pack gives a package that installs and runs as ESM, from CommonJS and under tsx', { timeout: 240_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'celerity-package-'));
  try {
    // npm test has built dist; prepack (the build) is what a clean clone's npm pack runs.
    const { stdout: packed } = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    const [info] = JSON.parse(packed) as [{ filename: string; files: { path: string }[] }];
    const files = new Set(info.files.map((file) => file.path));
    for (const path of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/worker/index.d.ts', 'dist/queue/index.d.ts', 'dist/cli/main.js', 'dist/index.js.map']) {
      assert.ok(files.has(path), `the tarball holds ${path}`);
    }
    assert.ok(![...files].some((path) => path.startsWith('dist/.types/') || path.startsWith('src/') || path.startsWith('test/')), 'nothing but the package');

    const project = join(work, 'consumer');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    await run(npm, ['install', join(work, info.filename), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], { cwd: project, timeout: 180_000 });
    const map = JSON.parse(await readFile(join(project, 'node_modules/celerity/dist/index.js.map'), 'utf8')) as { sourcesContent?: unknown[] };
    assert.ok(Array.isArray(map.sourcesContent) && typeof map.sourcesContent[0] === 'string', 'source maps carry their sources');

    await writeFile(join(project, 'tasks.js'), TASKS);
    await writeFile(join(project, 'main.js'), `import { createApp } from 'celerity';\nimport { Point } from './tasks.js';\n${body("new URL('./tasks.js', import.meta.url)")}`);
    await writeFile(
      join(project, 'main.cjs'),
      `const { createApp } = require('celerity');\nconst { Point } = require('./tasks.js');\nconst { pathToFileURL } = require('node:url');\n(async () => {\n${body("pathToFileURL(__dirname + '/tasks.js')")}})();\n`,
    );
    await writeFile(join(project, 'tasks.ts'), TASKS_TS);
    await writeFile(join(project, 'main.ts'), `import { createApp } from 'celerity';\nimport { Point } from './tasks.ts';\n${body("new URL('./tasks.ts', import.meta.url)")}`);

    const expected = { point: true, x: 2, y: 4 };
    const esm = await run(process.execPath, ['main.js'], { cwd: project, timeout: 30_000 });
    assert.deepEqual(JSON.parse(esm.stdout), expected, 'ESM');
    const cjs = await run(process.execPath, ['main.cjs'], { cwd: project, timeout: 30_000 });
    assert.deepEqual(JSON.parse(cjs.stdout), expected, 'CommonJS through require(esm)');
    // tsx as a project has it: installed beside celerity (linked to this repository's copy).
    await symlink(dirname(fileURLToPath(import.meta.resolve('tsx/package.json'))), join(project, 'node_modules', 'tsx'), 'dir');
    const tsx = await run(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: project, timeout: 30_000 });
    assert.deepEqual(JSON.parse(tsx.stdout), expected, 'TypeScript under tsx');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
