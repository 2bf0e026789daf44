// Shared by the offline tests of the cluster e2e: where its pieces live, and a way to call one
// function of scripts/e2e/lib/*.sh the way cluster.sh does.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const E2E_DIR = 'test/e2e-cluster';
export const SCRIPT = 'scripts/e2e/cluster.sh';
export const LIB = 'scripts/e2e/lib';
export const WORKFLOW = '.github/workflows/e2e.yml';

export interface BashResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Sources common.sh and the given libraries under `set -euo pipefail`, then runs `call`. */
export function bash(libraries: string[], call: string, args: string[] = []): BashResult {
  const sources = ['common', ...libraries].map((name) => `source "${join(ROOT, LIB, `${name}.sh`)}"`);
  const result = spawnSync(
    'bash',
    ['-c', ['set -euo pipefail', ...sources, `${call} "$@"`].join('\n'), 'bash', ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
