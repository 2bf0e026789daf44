// Overload: thousands of connections against main-api's warm /parameter (loopback, bounded in
// connections and time). Every answer must be a 200 or a fast 503 (load shedding, the upstream
// queue bound), none lost or timed out, and each process's peak RSS must stay clearly below the
// memory limit its Deployment sets, with the Node.js options its image sets.
// OVERLOAD_CONNECTIONS / OVERLOAD_SECONDS scale it up for a measurement (docs/failure-behaviour.md
// quotes 1 000 to 4 000 connections).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
import { imageNodeOptions } from '../../bench/image-node-options';
import { memoryOf } from '../../bench/probes';
import {
  type Emulator,
  httpGet,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  startMainApiAt,
  stopAll,
} from '../support/system';

const CONNECTIONS = Number(process.env.OVERLOAD_CONNECTIONS ?? 1_000);
const SECONDS = Number(process.env.OVERLOAD_SECONDS ?? 5);
const PATH = '/parameter?name=/test/apps/config/env_name';

interface Result {
  errors: number;
  timeouts: number;
  requests: { total: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: Record<string, unknown>,
  done: (error: Error | null, result: Result) => void,
) => unknown;

/** The memory limit (MiB) a Deployment under deploy/ gives its container. */
function memoryLimitMiB(service: 'main' | 'auxiliary'): number {
  const deployment = parse(
    readFileSync(new URL(`../../deploy/${service}/deployment.yaml`, import.meta.url), 'utf8'),
  );
  const limit: string = deployment.spec.template.spec.containers[0].resources.limits.memory;
  const match = /^(\d+)Mi$/.exec(limit);
  assert.ok(match, `memory limit ${limit} is in Mi`);
  return Number(match[1]);
}

describe(`overload: ${CONNECTIONS} connections for ${SECONDS} s against main-api`, () => {
  let emulator: Emulator;
  let aux: ServiceProcess;
  let main: ServiceProcess;

  before(async () => {
    emulator = await startEmulator();
    // With the Node.js options the images set (heap sizing): the limits compared are theirs.
    aux = await startAuxiliaryAt(emulator.moto.endpoint, emulator.seeded, {
      LOG_LEVEL: 'warn',
      ...imageNodeOptions('auxiliary'),
    });
    main = await startMainApiAt(aux.url, { LOG_LEVEL: 'warn', ...imageNodeOptions('main') });
  });
  after(() => stopAll(emulator, aux, main));

  test('every answer is a 200 or a 503, none times out, memory stays below the limits', async () => {
    assert.equal((await httpGet(`${main.url}${PATH}`)).status, 200, 'warm');
    const peak = { main: 0, auxiliary: 0 };
    const sample = setInterval(() => {
      for (const [name, process] of [
        ['main', main],
        ['auxiliary', aux],
      ] as const) {
        if (process.child.pid) peak[name] = Math.max(peak[name], memoryOf(process.child.pid).rssMB);
      }
    }, 100);
    const result = await new Promise<Result>((resolve, reject) => {
      autocannon(
        { url: `${main.url}${PATH}`, connections: CONNECTIONS, duration: SECONDS, timeout: 10 },
        (error, outcome) => (error ? reject(error) : resolve(outcome)),
      );
    }).finally(() => clearInterval(sample));

    const statuses = Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, { count }]) => [status, count]),
    );
    // Who answered the 503s: main-api's own load shedding, its upstream bound, or auxiliary-service.
    const counter = (text: string, name: string) =>
      text
        .split('\n')
        .filter((line) => line.startsWith(name))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    const mainMetrics = (await httpGet(`${main.url}/metrics`)).text;
    const auxMetrics = (await httpGet(`${aux.url}/metrics`)).text;
    const figures = {
      shed: {
        main: counter(mainMetrics, 'http_requests_shed_total'),
        auxiliary: counter(auxMetrics, 'http_requests_shed_total'),
        upstream503: counter(mainMetrics, 'upstream_requests_total{route="/parameter",outcome="503"'),
        upstreamShed: counter(mainMetrics, 'upstream_requests_total{route="/parameter",outcome="shed"'),
      },
      requests: result.requests.total,
      statuses,
      errors: result.errors,
      timeouts: result.timeouts,
      latencyMs: result.latency,
      peakRssMB: { main: Math.round(peak.main), auxiliary: Math.round(peak.auxiliary) },
      limitsMiB: { main: memoryLimitMiB('main'), auxiliary: memoryLimitMiB('auxiliary') },
    };
    console.log(`overload figures: ${JSON.stringify(figures)}`);

    assert.deepEqual(
      Object.keys(statuses).filter((status) => status !== '200' && status !== '503'),
      [],
      'only 200 and 503',
    );
    assert.ok((statuses['200'] ?? 0) > 0, 'some requests are served');
    assert.equal(result.timeouts, 0, 'no request timed out');
    assert.equal(result.errors, 0, 'no connection error');
    for (const name of ['main', 'auxiliary'] as const) {
      const limitMB = (figures.limitsMiB[name] * 1024 * 1024) / 1e6;
      assert.ok(
        peak[name] < 0.8 * limitMB,
        `${name}: peak RSS ${Math.round(peak[name])} MB, limit ${limitMB} MB`,
      );
    }
    assert.equal((await httpGet(`${main.url}${PATH}`)).status, 200, 'serves normally afterwards');
  });
});
