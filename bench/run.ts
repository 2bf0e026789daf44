// `npm run bench`: starts the emulator, both services (built bundles), a second
// auxiliary-service without a value cache and the reference servers on loopback, puts the same
// load on each case in one run, and writes bench/results/latest.{json,md}.
// BENCH_CASES=name,name… runs only those cases (A/B comparisons) and writes no results file.
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
import { generateLoad } from './generate-load';
import { imageNodeOptions } from './image-node-options';
import { awsCalls, cpuTimeMs, difference, machine, memoryOf, writeSyscalls } from './probes';
import {
  applyRatios,
  type Baseline,
  type BenchResults,
  type CaseResult,
  evaluateTargets,
  TARGETED_CASES,
  toMarkdown,
} from './report';

const CONNECTIONS = 50;
const DURATION_SECONDS = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
const RAW_SCRIPT = fileURLToPath(new URL('./raw-server.ts', import.meta.url));
const TWO_HOP_SCRIPT = fileURLToPath(new URL('./raw-two-hop-server.ts', import.meta.url));
const FASTIFY_SCRIPT = fileURLToPath(new URL('./fastify-server.ts', import.meta.url));
const OTLP_SINK_SCRIPT = fileURLToPath(new URL('./otlp-sink.ts', import.meta.url));
const ONLY = process.env.BENCH_CASES?.split(',').filter(Boolean);

interface Case {
  name: string;
  url: string;
  /** The reference this case's rate is divided by: the same job done with nothing else. */
  baseline: Baseline;
  /** The processes doing the case's work, by label: their CPU time per request is reported. */
  serving: Record<string, { child: { pid?: number | undefined } }>;
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

/** A reference server (raw-server.ts, raw-two-hop-server.ts, fastify-server.ts) in its own process. */
async function startReference(
  name: string,
  script: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const raw = spawnProcess(name, process.execPath, ['--import', 'tsx', script], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
  });
  running.push(raw);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(url, raw.child);
  return { ...raw, url, port };
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
  // The services run with the Node.js options their images set (memory sizing).
  const auxEnv = imageNodeOptions('auxiliary');
  const auxiliary = await startTimed(() => startAuxiliary({ ...auxiliaryOptions, env: auxEnv }));
  const mainApi = await startTimed(() =>
    startMainApi({ auxiliaryUrl: auxiliary.service.url, env: imageNodeOptions('main') }),
  );
  // Every request a GetParameter: the call budget (1/s by default) is lifted so that this case
  // prices an uncached read instead of measuring the budget's 503s.
  const noCache = await startTimed(() =>
    startAuxiliary({
      ...auxiliaryOptions,
      env: { ...auxEnv, CACHE_PARAMETER_TTL_MS: '0', AWS_CALL_RATE: '1000', AWS_CALL_BURST: '10000' },
    }),
  );
  // Reference: the same service without the per-request access log, to price that log.
  const quiet = await startTimed(() =>
    startAuxiliary({ ...auxiliaryOptions, env: { ...auxEnv, LOG_LEVEL: 'warn' } }),
  );
  // Reference: both services exporting every request's spans over OTLP (the default protocol,
  // protobuf; no traceparent from the load generator, so every request starts a sampled trace).
  const sink = await startReference('otlp_sink', OTLP_SINK_SCRIPT);
  const tracingEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url };
  const tracedAux = await startTimed(() =>
    startAuxiliary({ ...auxiliaryOptions, env: { ...auxEnv, ...tracingEnv } }),
  );
  const tracedMain = await startTimed(() =>
    startMainApi({
      auxiliaryUrl: tracedAux.service.url,
      env: { ...imageNodeOptions('main'), ...tracingEnv },
    }),
  );
  const raw = await startReference('raw', RAW_SCRIPT);
  const twoHop = await startReference('raw_two_hop', TWO_HOP_SCRIPT, { BACKEND_URL: raw.url });
  const bareFastify = await startReference('fastify_bare', FASTIFY_SCRIPT);
  const services: Record<string, { service: ServiceProcess; ms?: number; reference?: boolean }> = {
    'auxiliary-service': auxiliary,
    'main-api': mainApi,
    'auxiliary-service (no value cache)': noCache,
    'auxiliary-service (LOG_LEVEL=warn)': quiet,
    '(raw_two_hop front)': { service: twoHop, reference: true },
    '(main-api, tracing on)': { ...tracedMain, reference: true },
    '(auxiliary-service, tracing on)': { ...tracedAux, reference: true },
  };

  const aux = auxiliary.service;
  const api = mainApi.service;
  const parameterPath = `/parameter?name=${encodeURIComponent(parameterName)}`;
  // `serving`: the processes that do a case's work, whose CPU time per request is reported.
  const direct = (service: ServiceProcess) => ({ 'auxiliary-service': service });
  const forwarded = { 'main-api': api, 'auxiliary-service': aux };
  const allCases: Case[] = [
    { name: 'raw', url: `${raw.url}/`, baseline: 'raw', serving: { raw } },
    {
      name: 'raw_two_hop',
      url: `${twoHop.url}${parameterPath}`,
      baseline: 'raw_two_hop',
      serving: { front: twoHop, backend: raw },
    },
    {
      name: 'fastify_bare',
      url: `${bareFastify.url}/`,
      baseline: 'raw',
      serving: { fastify: bareFastify },
      reference: true,
    },
    { name: 'aux_healthz', url: `${aux.url}/healthz`, baseline: 'raw', serving: direct(aux), aws: aux },
    {
      name: 'main_healthz',
      url: `${api.url}/healthz`,
      baseline: 'raw',
      serving: { 'main-api': api },
      aws: aux,
    },
    {
      name: 'aux_parameter_warm',
      url: `${aux.url}${parameterPath}`,
      baseline: 'raw',
      serving: direct(aux),
      aws: aux,
    },
    {
      name: 'aux_parameter_warm_nolog',
      url: `${quiet.service.url}${parameterPath}`,
      baseline: 'raw',
      serving: direct(quiet.service),
      aws: quiet.service,
      reference: true,
    },
    {
      name: 'main_parameter_warm',
      url: `${api.url}${parameterPath}`,
      baseline: 'raw_two_hop',
      serving: forwarded,
      aws: aux,
    },
    {
      name: 'main_parameter_warm_traced',
      url: `${tracedMain.service.url}${parameterPath}`,
      baseline: 'raw_two_hop',
      serving: { 'main-api': tracedMain.service, 'auxiliary-service': tracedAux.service },
      aws: tracedAux.service,
      reference: true,
    },
    {
      name: 'aux_parameter_nocache',
      url: `${noCache.service.url}${parameterPath}`,
      baseline: 'raw',
      serving: direct(noCache.service),
      aws: noCache.service,
    },
    {
      name: 'main_parameters_warm',
      url: `${api.url}/parameters`,
      baseline: 'raw_two_hop',
      serving: forwarded,
      aws: aux,
    },
    {
      name: 'main_buckets_warm',
      url: `${api.url}/buckets`,
      baseline: 'raw_two_hop',
      serving: forwarded,
      aws: aux,
    },
    // The references again at the end: how much the machine's load moved during the run.
    {
      name: 'raw_two_hop_again',
      url: `${twoHop.url}${parameterPath}`,
      baseline: 'raw_two_hop',
      serving: { front: twoHop, backend: raw },
    },
    { name: 'raw_again', url: `${raw.url}/`, baseline: 'raw', serving: { raw } },
  ];
  // Before each case with a ratio target, its reference runs again: the ratio to that adjacent
  // run ("paired") is not moved by load that drifts over the minutes of the whole run.
  const targeted = new Set(TARGETED_CASES);
  const referenceRun = (baseline: Baseline) => allCases.find((entry) => entry.name === baseline);
  const withPairs = allCases.flatMap((entry) => {
    const reference = targeted.has(entry.name) ? referenceRun(entry.baseline) : undefined;
    return reference ? [{ ...reference, name: `${entry.baseline}_again` }, entry] : [entry];
  });
  const cases = ONLY ? withPairs.filter((entry) => ONLY.includes(entry.name)) : withPairs;

  const peakRss: Record<string, number> = {};
  const sampleMemory = () => {
    for (const [name, { service }] of Object.entries(services)) {
      const pid = service.child.pid;
      if (pid !== undefined) peakRss[name] = Math.max(peakRss[name] ?? 0, memoryOf(pid).rssMB);
    }
  };
  /** CPU ms and write system calls so far of each serving process. */
  const countersOf = (serving: Case['serving']) =>
    Object.fromEntries(
      Object.entries(serving).map(([label, { child }]) => [
        label,
        child.pid
          ? { cpuMs: cpuTimeMs(child.pid), writes: writeSyscalls(child.pid) }
          : { cpuMs: 0, writes: 0 },
      ]),
    );

  const results: CaseResult[] = [];
  const loadBefore = loadavg()[0] ?? 0;
  for (const { name, url, baseline, serving, aws, reference } of cases) {
    process.stderr.write(`bench: ${name} (${WARMUP_SECONDS} s warm-up + ${DURATION_SECONDS} s)…\n`);
    const before = aws ? await awsCalls(aws.url) : {};
    // AWS calls and CPU time are counted over the measured window only, from the warm-up's end.
    let countersBefore: ReturnType<typeof countersOf> = {};
    let awsBefore: Promise<Record<string, number>> = Promise.resolve({});
    const sampler = setInterval(sampleMemory, 250);
    const measured = await generateLoad(
      { url, connections: CONNECTIONS, warmupSeconds: WARMUP_SECONDS, durationSeconds: DURATION_SECONDS },
      () => {
        countersBefore = countersOf(serving);
        if (aws) awsBefore = awsCalls(aws.url);
      },
    ).finally(() => clearInterval(sampler));
    const countersAfter = countersOf(serving);
    const after = aws ? await awsCalls(aws.url) : {};
    const perRequest = (key: 'cpuMs' | 'writes', scale: number) =>
      Object.fromEntries(
        Object.entries(countersAfter).map(([label, counters]) => [
          label,
          measured.requests > 0
            ? Math.round(
                (scale * (counters[key] - (countersBefore[label]?.[key] ?? 0))) / measured.requests,
              ) / 100
            : 0,
        ]),
      );
    // CPU in µs (to 0.01), writes to 0.01 per request.
    const cpuUsPerRequest = perRequest('cpuMs', 100_000);
    const writeSyscallsPerRequest = perRequest('writes', 100);
    results.push({
      name,
      ...(reference ? { reference } : {}),
      path: new URL(url).pathname + new URL(url).search,
      ...measured,
      errors: measured.non2xx + measured.socketErrors,
      baseline,
      ratio: 0,
      cpuUsPerRequest,
      writeSyscallsPerRequest,
      awsCalls: difference(await awsBefore, after),
      awsCallsWithWarmup: difference(before, after),
    });
    const cpu = Object.entries(cpuUsPerRequest)
      .map(([label, us]) => `${label} ${Math.round(us)} µs ${writeSyscallsPerRequest[label]} writes`)
      .join(' + ');
    process.stderr.write(
      `bench: ${name}: ${Math.round(measured.reqPerSec)} req/s, p99 ${measured.p99Ms} ms, per request ${cpu}\n`,
    );
  }
  const references = applyRatios(results);

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
      nodeOptions: {
        'auxiliary-service': auxEnv.NODE_OPTIONS ?? '',
        'main-api': imageNodeOptions('main').NODE_OPTIONS ?? '',
      },
    },
    cases: results,
    references,
    services: Object.fromEntries(
      Object.entries(services).map(([name, { service, ms, reference }]) => [
        name,
        {
          ...(reference ? { reference } : {}),
          ...(ms === undefined ? {} : { startToReadyMs: Math.round(ms) }),
          peakRssUnderLoadMB: Math.round(peakRss[name] ?? 0),
          peakRssLifetimeMB: Math.round(service.child.pid ? memoryOf(service.child.pid).peakMB : 0),
        },
      ]),
    ),
    targets: [],
  };
  bench.targets = evaluateTargets(bench);

  const markdown = toMarkdown(bench);
  if (!ONLY) {
    writeFileSync(`${RESULTS}latest.json`, `${JSON.stringify(bench, null, 2)}\n`);
    writeFileSync(`${RESULTS}latest.md`, markdown);
  }
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
