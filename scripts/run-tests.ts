// Runs every *.test.ts under the given folders (default: all) with Node's own test runner.
// Node 20's runner takes no globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOTS = ['packages', 'services', 'test'];

function testFiles(dir: string): string[] {
  if (statSync(dir).isFile()) return dir.endsWith('.test.ts') ? [dir] : [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts') && !file.split('/').includes('node_modules'))
    .map((file) => join(dir, file));
}

const roots = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ROOTS;
const files = roots.flatMap(testFiles).sort();
if (files.length === 0) {
  console.error(`no test files under ${roots.join(', ')}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    ...files.map((file) => relative(process.cwd(), file)),
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
