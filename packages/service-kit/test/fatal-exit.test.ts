import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-after-logging.ts', import.meta.url));

describe('exitOnFatalError', () => {
  it('writes out every buffered line and a fatal line, then exits 1', () => {
    // Fewer bytes than the destination's buffer: without a flush none of them would be written.
    for (const lines of [3, 2_000]) {
      const run = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
        env: { ...process.env, LINES: String(lines) },
        encoding: 'utf8',
        timeout: 20_000,
      });
      assert.equal(run.status, 1, run.stderr);
      const entries = run.stdout
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as { msg: string; line?: number; level: number; err?: { message: string } },
        );
      const buffered = entries.filter((entry) => entry.msg === 'buffered line').map((entry) => entry.line);
      assert.deepEqual(
        buffered,
        Array.from({ length: lines }, (_, index) => index),
        'all lines, in order',
      );
      const fatal = entries.at(-1);
      assert.equal(fatal?.level, 60);
      assert.equal(fatal?.err?.message, 'boom');
    }
  });
});
