// Access-log lines are buffered and written off the hot path (service-kit log-destination.ts).
// This proves the buffer costs no line: under load, SIGTERM arrives, the service drains and exits,
// and every request a client got an answer to has its one complete JSON line on stdout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLoad } from '../support/load';
import {
  type Emulator,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  startMainApiAt,
  stopAll,
  waitFor,
  waitForExit,
} from '../support/system';

const SHUTDOWN_DELAY_MS = 1_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const PATH = '/parameter?name=/test/apps/config/hotel';

interface AccessLine {
  msg?: string;
  route?: string;
  statusCode?: number;
  requestId?: string;
}

describe('access log under load and SIGTERM', () => {
  let emulator: Emulator;
  const started: ServiceProcess[] = [];
  // stdout only: the JSON log. (stderr has Node's own warnings.)
  const stdout = new Map<string, string[]>();
  const capture = (service: string) => {
    const lines: string[] = [];
    stdout.set(service, lines);
    return (line: string, stream?: string) => {
      if (stream === 'stdout') lines.push(line);
    };
  };

  before(async () => {
    emulator = await startEmulator();
  });
  after(async () => {
    await stopAll(emulator, ...started);
  });

  for (const service of ['main-api', 'auxiliary-service'] as const) {
    test(`${service}: one complete line per answered request, none lost at exit`, async () => {
      const env = {
        LOG_LEVEL: 'info',
        SHUTDOWN_DELAY_MS: String(SHUTDOWN_DELAY_MS),
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      };
      let target: ServiceProcess;
      if (service === 'main-api') {
        const aux = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, { LOG_LEVEL: 'warn' });
        started.push(aux);
        target = await startMainApiAt(aux.url, env, capture(service));
      } else {
        target = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, env, capture(service));
      }
      started.push(target);

      // Load keeps coming through the drain until the process is gone: the last lines are
      // written in the final moments, when a lost buffer would show.
      const load = startLoad(`${target.url}${PATH}`, { connections: 16, maxSeconds: 30, overallRate: 4_000 });
      await waitFor('load running', () => load.responses >= 1_000, { timeoutMs: 15_000 });
      target.child.kill('SIGTERM');
      const exit = await waitForExit(target, SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS + 2_000);
      load.stop();
      const outcome = await load.result;
      const answered = outcome.statusCodeStats['200']?.count ?? 0;

      const parsed: AccessLine[] = [];
      for (const line of stdout.get(service) ?? []) {
        try {
          parsed.push(JSON.parse(line) as AccessLine);
        } catch {
          assert.fail(`${service} wrote a line that is not complete JSON: ${line.slice(0, 200)}`);
        }
      }
      const access = parsed.filter((line) => line.msg === 'request completed' && line.route === '/parameter');
      const ids = new Set(access.map((line) => line.requestId));

      assert.equal(exit.code, 0, `${service}: exit code`);
      assert.ok(answered >= 1_000, `${service}: load answered ${answered}`);
      assert.equal(ids.size, access.length, `${service}: each request logged once`);
      assert.equal(
        access.length,
        answered,
        `${service}: ${access.length} access-log lines for ${answered} answered requests`,
      );
      assert.ok(
        parsed.some((line) => line.msg === 'shutdown: complete'),
        `${service}: the last line before exit is there too`,
      );
      console.log(
        `[measure] ${service}: ${answered} answered requests, ${access.length} access-log lines, exit ${exit.code}`,
      );
    });
  }
});
