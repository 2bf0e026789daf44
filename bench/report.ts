// The benchmark's result shape, the ratios to the references, the issue's targets checked
// against them, and its Markdown form.
import type { LoadResult } from './load';

/**
 * What a case is compared with: `raw`, a bare node:http server answering the same JSON (for
 * auxiliary-service), or `raw_two_hop`, a bare node:http server that fetches that JSON from `raw`
 * over a keep-alive undici pool and adds a field (for main-api, which does the same job).
 */
export type Baseline = 'raw' | 'raw_two_hop';
const BASELINES: readonly Baseline[] = ['raw', 'raw_two_hop'];

export interface CaseResult extends LoadResult {
  name: string;
  /** A reference server, not one of the issue's cases. */
  reference?: boolean;
  path: string;
  /** non-2xx answers + socket errors (timeouts included). */
  errors: number;
  baseline: Baseline;
  /** req/s divided by the baseline's mean req/s over its runs in the same benchmark. */
  ratio: number;
  /** req/s divided by the baseline's run just before this case, if there was one. */
  pairedRatio?: number;
  /** CPU time (user + system) per request of each process doing the work, in µs, over the measured window. */
  cpuUsPerRequest: Record<string, number>;
  /** Write-type system calls (socket and log writes) per request of each of those processes. */
  writeSyscallsPerRequest: Record<string, number>;
  /** AWS operations auxiliary-service made during the measured window, by operation. */
  awsCalls: Record<string, number>;
  /** The same, warm-up included. */
  awsCallsWithWarmup: Record<string, number>;
}

/** A baseline measured at the start and at the end of the run. */
export interface ReferenceRuns {
  runs: { reqPerSec: number; p99Ms: number }[];
  meanReqPerSec: number;
  meanP99Ms: number;
  /** (highest − lowest) / mean of the runs: how much the machine moved during the benchmark. */
  spread: number;
}

export interface ServiceResult {
  /** A reference process, not one of the services. */
  reference?: boolean;
  startToReadyMs?: number;
  /** Highest VmRSS sampled (every 250 ms) while load ran. */
  peakRssUnderLoadMB: number;
  /** VmHWM at the end: the process's peak resident memory over its whole life. */
  peakRssLifetimeMB: number;
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    node: string;
    os: string;
    /** 1-minute load average before the first and after the last case: other work on the machine. */
    loadAverage1m: { before: number; after: number };
  };
  settings: {
    loadGenerator: string;
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    parameter: string;
    parameterTtlMs: number;
    logLevel: string;
    /** NODE_OPTIONS each service ran with: the ones its container image sets. */
    nodeOptions: Record<string, string>;
  };
  cases: CaseResult[];
  references: Partial<Record<Baseline, ReferenceRuns>>;
  services: Record<string, ServiceResult>;
  targets: Target[];
}

/** A baseline's own runs are the cases named after it (`raw`, `raw_again`, …). */
const isRunOf = (result: CaseResult, baseline: Baseline) =>
  result.name === baseline || result.name === `${baseline}_again`;

/** Sets every case's ratio to its baseline (the mean of that baseline's runs) and returns the baselines. */
export function applyRatios(results: CaseResult[]): Partial<Record<Baseline, ReferenceRuns>> {
  const references: Partial<Record<Baseline, ReferenceRuns>> = {};
  for (const baseline of BASELINES) {
    const runs = results.filter((result) => isRunOf(result, baseline));
    if (runs.length === 0) continue;
    const rates = runs.map((run) => run.reqPerSec);
    const mean = rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
    references[baseline] = {
      runs: runs.map(({ reqPerSec, p99Ms }) => ({ reqPerSec, p99Ms })),
      meanReqPerSec: mean,
      meanP99Ms: runs.reduce((sum, run) => sum + run.p99Ms, 0) / runs.length,
      spread: mean > 0 ? (Math.max(...rates) - Math.min(...rates)) / mean : 0,
    };
  }
  const latest: Partial<Record<Baseline, CaseResult>> = {};
  for (const result of results) {
    const mean = references[result.baseline]?.meanReqPerSec ?? 0;
    result.ratio = mean > 0 ? result.reqPerSec / mean : 0;
    const runOf = BASELINES.find((baseline) => isRunOf(result, baseline));
    if (runOf) {
      latest[runOf] = result;
      continue;
    }
    const before = latest[result.baseline];
    if (before && before.reqPerSec > 0) result.pairedRatio = result.reqPerSec / before.reqPerSec;
  }
  return references;
}

/** The warm cases of the issue: each has a ratio target, and zero errors is required of them. */
export const TARGETED_CASES = [
  'aux_parameter_warm',
  'main_parameter_warm',
  'main_parameters_warm',
  'main_buckets_warm',
];
const RATIO_TARGETS: readonly [string, number][] = [
  ['aux_parameter_warm', 0.6],
  ['main_parameter_warm', 0.7],
  ['main_parameters_warm', 0.7],
  ['main_buckets_warm', 0.7],
];

export function evaluateTargets(bench: BenchResults): Target[] {
  const find = (name: string) => bench.cases.find((result) => result.name === name);
  const targets: Target[] = [];
  for (const [name, minimum] of RATIO_TARGETS) {
    const result = find(name);
    if (!result) continue;
    targets.push({
      target: `${name} ≥ ${minimum} × ${result.baseline}`,
      measured: `${result.ratio.toFixed(2)} × ${result.baseline}${result.pairedRatio === undefined ? '' : ` (${result.pairedRatio.toFixed(2)} × the run just before)`}`,
      met: result.ratio >= minimum,
    });
  }

  const forwarded = find('main_parameter_warm');
  const twoHop = bench.references.raw_two_hop;
  if (forwarded && twoHop) {
    targets.push({
      target: 'main_parameter_warm p99 ≤ 2 × raw_two_hop p99',
      measured: `${forwarded.p99Ms} ms vs ${twoHop.meanP99Ms.toFixed(1)} ms (${(forwarded.p99Ms / twoHop.meanP99Ms).toFixed(2)} ×)`,
      met: forwarded.p99Ms <= 2 * twoHop.meanP99Ms,
    });
  }

  const warm = bench.cases.filter((result) => TARGETED_CASES.includes(result.name));
  if (warm.length > 0) {
    const errors = warm.reduce((sum, result) => sum + result.errors, 0);
    targets.push({ target: 'warm cases: zero errors', measured: `${errors} errors`, met: errors === 0 });
  }

  const direct = find('aux_parameter_warm');
  if (direct) {
    const calls = direct.awsCalls.GetParameter ?? 0;
    targets.push({
      target: `${bench.settings.durationSeconds} s warm run, one parameter, TTL ${bench.settings.parameterTtlMs / 1000} s: ≤ 3 GetParameter`,
      measured: `${calls} GetParameter for ${direct.requests} requests`,
      met: calls <= 3,
    });
  }

  const services = Object.values(bench.services).filter((service) => !service.reference);
  const slowest = Math.max(...services.map((service) => service.startToReadyMs ?? 0));
  targets.push({
    target: 'start → ready ≤ 1 s per service',
    measured: `slowest ${slowest} ms`,
    met: slowest <= 1_000,
  });
  const largest = Math.max(...services.map((service) => service.peakRssLifetimeMB));
  targets.push({
    target: 'peak RSS ≤ 150 MB per service (VmHWM, load included)',
    measured: `largest ${largest} MB`,
    met: largest <= 150,
  });
  return targets;
}

const calls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ') || '0';

const perProcess = (values: Record<string, number>, digits: number) =>
  Object.entries(values)
    .map(([label, value]) => `${label} ${value.toFixed(digits)}`)
    .join(' + ');

const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;

export function toMarkdown(bench: BenchResults): string {
  const { machine, settings } = bench;
  const noise = BASELINES.flatMap((baseline) => {
    const reference = bench.references[baseline];
    if (!reference) return [];
    const rates = reference.runs.map((run) => Math.round(run.reqPerSec)).join(' and ');
    return [
      `| ${baseline} | ${rates} | ${Math.round(reference.meanReqPerSec)} | ${percent(reference.spread)} |`,
    ];
  });
  const lines = [
    `# Benchmark results (${bench.date.slice(0, 10)})`,
    '',
    `Run ${bench.date} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os};`,
    `1-minute load average ${machine.loadAverage1m.before.toFixed(1)} before, ${machine.loadAverage1m.after.toFixed(1)} after (other work on the machine).`,
    `Load: ${settings.loadGenerator}, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured per case, all cases in one run.`,
    `Services: the built bundles, LOG_LEVEL=${settings.logLevel} (one access-log line per request), default cache settings;`,
    `aux_parameter_nocache uses a second auxiliary-service with CACHE_PARAMETER_TTL_MS=0 and the AWS call budget lifted (AWS_CALL_RATE=1000). Parameter: \`${settings.parameter}\`.`,
    `NODE_OPTIONS as in the container images: ${Object.entries(settings.nodeOptions)
      .map(([service, options]) => `${service} \`${options || '(none)'}\``)
      .join(', ')}.`,
    'Everything (emulator, services, load generator) shares the same cores. Latency resolution is 1 ms.',
    '',
    'Each case is divided by its reference, the same job done with nothing else, measured in the same run:',
    '`raw` (a bare node:http server answering the same JSON) for auxiliary-service and the frameworks, and',
    '`raw_two_hop` (a bare node:http server that GETs that JSON from `raw` over a keep-alive undici pool,',
    'parses it, adds a field and answers) for main-api. Both run at the start and again at the end',
    '(`_again`), and again just before each case with a ratio target; the ratio divides by the mean of all',
    'their runs, whose spread is the noise figure of the run; "paired" divides by the run just before the case.',
    'Cases in parentheses are references, not targets: (fastify_bare) is bare Fastify 5 without logger, hooks or',
    'metrics; (aux_parameter_warm_nolog) is a third auxiliary-service with LOG_LEVEL=warn (no access log);',
    '(main_parameter_warm_traced) is a second pair of services exporting spans over OTLP/protobuf to a sink',
    'process (every request sampled: the load carries no traceparent). The other cases run with tracing off (the default).',
    '"CPU µs per request" is the CPU time (user + system) each serving process used in the measured window,',
    'divided by the requests served: it moves much less than req/s when other work shares the machine.',
    '"write syscalls per request" counts write-type system calls (socket writes, log writes; all threads).',
    'MB = 10^6 bytes.',
    '',
    '| reference | req/s (start and end) | mean | spread (noise) |',
    '|---|---:|---:|---:|',
    ...noise,
    '',
    '| case | req/s | ratio | paired | to | p50 ms | p99 ms | errors | CPU µs per request | write syscalls per request | AWS calls (measured window) |',
    '|---|---:|---:|---:|---|---:|---:|---:|---|---|---|',
    ...bench.cases.map(
      (result) =>
        `| ${result.reference ? `(${result.name})` : result.name} | ${Math.round(result.reqPerSec)} | ${result.ratio.toFixed(2)} | ${result.pairedRatio?.toFixed(2) ?? ''} | ${result.baseline} | ${result.p50Ms} | ${result.p99Ms} | ${result.errors} | ${perProcess(result.cpuUsPerRequest, 0)} | ${perProcess(result.writeSyscallsPerRequest, 2)} | ${calls(result.awsCalls)} |`,
    ),
    '',
    '| process | start → ready ms | peak RSS under load MB | peak RSS (VmHWM) MB |',
    '|---|---:|---:|---:|',
    ...Object.entries(bench.services).map(
      ([name, service]) =>
        `| ${name} | ${service.startToReadyMs ?? '–'} | ${service.peakRssUnderLoadMB} | ${service.peakRssLifetimeMB} |`,
    ),
    '',
    '| target | measured | met |',
    '|---|---|---|',
    ...bench.targets.map(
      (target) => `| ${target.target} | ${target.measured} | ${target.met ? 'yes' : 'no'} |`,
    ),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
