/**
 * The esbuild recipe: bundles and minifies, each on its own, the main module, the tasks module
 * and `celerity/worker`, leaving piscina external (it loads its own worker files by path, so it
 * must stay an installed package). Output goes to `examples/bundle/out/`:
 *
 *     out/main.js     the app
 *     out/tasks.js    the tasks module every worker thread imports
 *     out/worker.js   the worker entry Piscina starts (pass it as `createApp({ worker })`)
 *
 *     npm run build && npm run build:dev && node build/examples/bundle/build.js
 *
 * @module
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';

/** Builds the three bundles; resolves to their paths. */
export async function buildBundles(): Promise<{ main: string; tasks: string; worker: string }> {
  // Paths come from the package itself, so this works from build/ and under tsx alike.
  const root = dirname(fileURLToPath(import.meta.resolve('celerity/package.json')));
  const source = join(root, 'examples', 'bundle');
  const out = join(source, 'out');
  const options: BuildOptions = {
    entryPoints: {
      main: join(source, 'main.ts'),
      tasks: join(source, 'tasks.ts'),
      worker: fileURLToPath(import.meta.resolve('celerity/worker')),
    },
    outdir: out,
    bundle: true,
    minify: true,
    // No code splitting: each entry is one self-contained file, as the recipe asks.
    splitting: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['piscina'],
    logLevel: 'warning',
  };
  await build(options);
  return { main: join(out, 'main.js'), tasks: join(out, 'tasks.js'), worker: join(out, 'worker.js') };
}

const isEntry = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (isEntry) {
  const files = await buildBundles();
  process.stdout.write(`bundled:\n  ${files.main}\n  ${files.tasks}\n  ${files.worker}\nrun: node ${files.main}\n`);
}
