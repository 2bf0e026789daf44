// Runs the load generator (load.ts) in its own process, so that it never shares an event loop
// with the orchestrator or a server, and returns what it measured.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadRequest, LoadResult } from './load';

const LOAD_SCRIPT = fileURLToPath(new URL('./load.ts', import.meta.url));

/** `onMeasuring` runs when the warm-up ends and the measured run begins. */
export function generateLoad(request: LoadRequest, onMeasuring?: () => void): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.startsWith('measuring\n') && onMeasuring) {
        onMeasuring();
        onMeasuring = undefined;
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with code ${code}`));
      resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as LoadResult);
    });
  });
}
