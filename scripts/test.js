// Runs every compiled test file with Node's own test runner. Node 20 has no glob support in
// `node --test`, so the files are listed here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = 'build/test';
const filter = process.argv[2];
/** @param {string} dir @returns {string[]} */
function list(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : list(path);
    return entry.name.endsWith('.test.js') ? [path] : [];
  });
}
const files = list(root).filter((file) => filter === undefined || file.includes(filter)).sort();
if (files.length === 0) {
  console.error(`No test files found under ${root}${filter === undefined ? '' : ` matching "${filter}"`}.`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
