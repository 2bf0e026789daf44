// `npm run bench`: starts the emulator, both services (built bundles), a second
// auxiliary-service without a value cache and a bare node:http server on loopback, puts
// the same load on each case in one run, and writes bench/results/latest.{json,md}.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type RunningProcess, spawnProcess, waitForHttp } from '../scripts/local/child-process';
import { freePort } from '../scripts/local/free-port';
import { MOTO_INSTALL_HINT, motoAvailable, startMoto } from '../scripts/local/moto';
import { seedEnvironment } from '../scripts/local/seed';
import { type ServiceProcess, startAuxiliary, startMainApi } from '../scripts/local/services';
import { LOCAL_REGION } from '../scripts/local/stack';
import type { LoadRequest, LoadResult } from './load';
import { awsCalls, difference, machine, memoryOf } from './probes';
import { type BenchResults, type CaseResult, evaluateTargets, toMarkdown } from './report';

const CONNECTIONS = 50;
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const LOAD_SCRIPT = fileURLToPath(new URL('./load.ts', import.meta.url));
const RAW_SCRIPT = fileURLToPath(new URL('./raw-server.ts', import.meta.url));
const FASTIFY_SCRIPT = fileURLToPath(new URL('./fastify-server.ts', import.meta.url));

interface Case {
  name: string;
  url: string;
  /** The auxiliary-service whose AWS calls this case may cause. */
  aws?: ServiceProcess;
  /** Not one of the cases: shown to explain the ratios. */
  reference?: boolean;
}

const running: RunningProcess[] = [];
let stopping = false;
async function stopAll(): Promise<void> {
  stopping = true;
  for (const process of running.reverse()) await process.stop(2_000);
}
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.once('SIGTERM', () => void stopAll().then(() => process.exit(143)));

/** Calls `start`, then polls `/readyz` until it answers 200: time from spawn to ready. */
async function startTimed(
  start: () => Promise<ServiceProcess>,
): Promise<{ service: ServiceProcess; ms: number }> {
  const began = performance.now();
  const service = await start();
  running.push(service);
  for (;;) {
    const response = await fetch(`${service.url}/readyz`).catch(() => undefined);
    await response?.arrayBuffer();
    if (response?.status === 200) return { service, ms: performance.now() - began };
    if (performance.now() - began > 15_000) throw new Error(`${service.name} was not ready within 15 s`);
    await sleep(5);
  }
}

/** A reference server (raw-server.ts, fastify-server.ts) in its own process. */
async function startReference(name: string, script: string): Promise<ServiceProcess> {
  const port = await freePort();
  const raw = spawnProcess(name, process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port) },
  });
  running.push(raw);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, raw.child);
  return { ...raw, url, port };
}

/** Runs the load generator in its own process and returns what it measured. */
function generateLoad(url: string): Promise<LoadResult> {
  const request: LoadRequest = {
    url,
    connections: CONNECTIONS,
    warmupSeconds: WARMUP_SECONDS,
    durationSeconds: DURATION_SECONDS,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD_SCRIPT, JSON.stringify(request)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with code ${code}`));
      resolve(JSON.parse(output.trim().split('\n').pop() ?? '') as LoadResult);
    });
  });
}

async function main(): Promise<void> {
  if (!motoAvailable()) throw new Error(MOTO_INSTALL_HINT);
  const moto = await startMoto();
  running.push(moto);
  const seeded = await seedEnvironment({ endpoint: moto.endpoint, region: LOCAL_REGION });
  const parameterName = Object.keys(seeded.parameters).sort()[0] ?? '';
  const auxiliaryOptions = {
    awsEndpoint: moto.endpoint,
    region: LOCAL_REGION,
    credentials: seeded.serviceUserCredentials,
    environment: seeded.environment,
  };

  // One at a time on an otherwise idle machine, so that start-up times do not compete.
  const auxiliary = await startTimed(() => startAuxiliary(auxiliaryOptions));
  const mainApi = await startTimed(() => startMainApi({ auxiliaryUrl: auxiliary.service.url }));
  const noCache = await startTimed(() =>
    startAuxiliary({ ...auxiliaryOptions, env: { CACHE_PARAMETER_TTL_MS: '0' } }),
  );
  // Reference: the same service without the per-request access log, to price that log.
  const quiet = await startTimed(() => startAuxiliary({ ...auxiliaryOptions, env: { LOG_LEVEL: 'warn' } }));
  const raw = await startReference('raw', RAW_SCRIPT);
  const bareFastify = await startReference('fastify_bare', FASTIFY_SCRIPT);
  const services = {
    'auxiliary-service': auxiliary,
    'main-api': mainApi,
    'auxiliary-service (no value cache)': noCache,
    'auxiliary-service (LOG_LEVEL=warn)': quiet,
  };

  const aux = auxiliary.service;
  const api = mainApi.service;
  const parameterPath = `/parameter?name=${encodeURIComponent(parameterName)}`;
  const cases: Case[] = [
    { name: 'raw', url: `${raw.url}/` },
    { name: 'fastify_bare', url: `${bareFastify.url}/`, reference: true },
    { name: 'aux_healthz', url: `${aux.url}/healthz`, aws: aux },
    { name: 'main_healthz', url: `${api.url}/healthz`, aws: aux },
    { name: 'aux_parameter_warm', url: `${aux.url}${parameterPath}`, aws: aux },
    {
      name: 'aux_parameter_warm_nolog',
      url: `${quiet.service.url}${parameterPath}`,
      aws: quiet.service,
      reference: true,
    },
    { name: 'main_parameter_warm', url: `${api.url}${parameterPath}`, aws: aux },
    { name: 'aux_parameter_nocache', url: `${noCache.service.url}${parameterPath}`, aws: noCache.service },
    { name: 'main_parameters_warm', url: `${api.url}/parameters`, aws: aux },
    { name: 'main_buckets_warm', url: `${api.url}/buckets`, aws: aux },
    // raw again at the end: the machine may be busier or quieter than at the start.
    { name: 'raw_again', url: `${raw.url}/`, reference: true },
  ];

  const peakRss: Record<string, number> = {};
  const sampleMemory = () => {
    for (const [name, { service }] of Object.entries(services)) {
      const pid = service.child.pid;
      if (pid !== undefined) peakRss[name] = Math.max(peakRss[name] ?? 0, memoryOf(pid).rssMB);
    }
  };

  const results: CaseResult[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (const { name, url, aws, reference } of cases) {
    process.stderr.write(`bench: ${name} (${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s)…\n`);
    // Counted over the measured window only, from the warm-up's end.
    const before = aws ? await awsCalls(aws.url) : {};
    const load = generateLoad(url);
    await sleep(WARMUP_SECONDS * 1_000);
    const beforeMeasured = aws ? await awsCalls(aws.url) : {};
    const sampler = setInterval(sampleMemory, 250);
    const measured = await load.finally(() => clearInterval(sampler));
    const after = aws ? await awsCalls(aws.url) : {};
    results.push({
      name,
      ...(reference ? { reference } : {}),
      path: new URL(url).pathname + new URL(url).search,
      ...measured,
      errors: measured.non2xx + measured.socketErrors,
      ratioToRaw: 0,
      awsCalls: difference(beforeMeasured, after),
      awsCallsWithWarmup: difference(before, after),
    });
  }
  // The reference rate: raw measured first and last, averaged.
  const raws = results.filter((result) => result.name === 'raw' || result.name === 'raw_again');
  const rawRate = raws.reduce((sum, result) => sum + result.reqPerSec, 0) / Math.max(1, raws.length);
  for (const result of results) result.ratioToRaw = rawRate > 0 ? result.reqPerSec / rawRate : 0;

  sampleMemory();
  const bench: BenchResults = {
    date: new Date().toISOString(),
    machine: { ...machine(), loadAverage1m: { before: loadBefore, after: loadavg()[0] ?? 0 } },
    settings: {
      loadGenerator: 'autocannon 8 (own process)',
      connections: CONNECTIONS,
      durationSeconds: DURATION_SECONDS,
      warmupSeconds: WARMUP_SECONDS,
      parameter: parameterName,
      parameterTtlMs: 5_000,
      logLevel: 'info',
    },
    cases: results,
    services: Object.fromEntries(
      Object.entries(services).map(([name, { service, ms }]) => [
        name,
        {
          startToReadyMs: Math.round(ms),
          peakRssUnderLoadMB: Math.round(peakRss[name] ?? 0),
          peakRssLifetimeMB: Math.round(service.child.pid ? memoryOf(service.child.pid).peakMB : 0),
        },
      ]),
    ),
    targets: [],
  };
  bench.targets = evaluateTargets(bench);

  const markdown = toMarkdown(bench);
  writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(bench, null, 2)}\n`);
  writeFileSync(`${RESULTS}latest.md`, markdown);
  process.stdout.write(`\n${markdown}`);
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  if (!stopping) await stopAll();
}
