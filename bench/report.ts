// The benchmark's result shape, the issue's targets checked against it, and its Markdown form.
import type { LoadResult } from './load';

export interface CaseResult extends LoadResult {
  name: string;
  /** A reference server, not one of the issue's cases. */
  reference?: boolean;
  path: string;
  /** non-2xx answers + socket errors (timeouts included). */
  errors: number;
  ratioToRaw: number;
  /** AWS operations auxiliary-service made during the measured window, by operation. */
  awsCalls: Record<string, number>;
  /** The same, warm-up included. */
  awsCallsWithWarmup: Record<string, number>;
}

export interface ServiceResult {
  startToReadyMs: number;
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
  };
  cases: CaseResult[];
  services: Record<string, ServiceResult>;
  targets: Target[];
}

const WARM_CASES = ['aux_parameter_warm', 'main_parameter_warm', 'main_parameters_warm', 'main_buckets_warm'];

export function evaluateTargets(bench: BenchResults): Target[] {
  const find = (name: string) => bench.cases.find((result) => result.name === name);
  const targets: Target[] = [];
  const ratio = (name: string, minimum: number) => {
    const result = find(name);
    if (!result) return;
    targets.push({
      target: `${name} ≥ ${minimum} × raw`,
      measured: `${result.ratioToRaw.toFixed(2)} × raw`,
      met: result.ratioToRaw >= minimum,
    });
  };
  ratio('aux_parameter_warm', 0.6);
  ratio('main_parameter_warm', 0.25);

  const warm = bench.cases.filter((result) => WARM_CASES.includes(result.name));
  const errors = warm.reduce((sum, result) => sum + result.errors, 0);
  targets.push({ target: 'warm cases: zero errors', measured: `${errors} errors`, met: errors === 0 });
  const worstP99 = Math.max(...warm.map((result) => result.p99Ms));
  targets.push({
    target: `warm cases: p99 ≤ 10 ms at ${bench.settings.connections} connections`,
    measured: `worst p99 ${worstP99} ms`,
    met: worstP99 <= 10,
  });

  const direct = find('aux_parameter_warm');
  if (direct) {
    const calls = direct.awsCalls.GetParameter ?? 0;
    targets.push({
      target: `${bench.settings.durationSeconds} s warm run, one parameter, TTL ${bench.settings.parameterTtlMs / 1000} s: ≤ 3 GetParameter`,
      measured: `${calls} GetParameter for ${direct.requests} requests`,
      met: calls <= 3,
    });
  }

  const services = Object.entries(bench.services);
  const slowest = Math.max(...services.map(([, service]) => service.startToReadyMs));
  targets.push({
    target: 'start → ready ≤ 1 s per service',
    measured: `slowest ${slowest} ms`,
    met: slowest <= 1_000,
  });
  const largest = Math.max(...services.map(([, service]) => service.peakRssLifetimeMB));
  targets.push({
    target: 'RSS under load ≤ 150 MB per service',
    measured: `largest ${largest} MB`,
    met: largest <= 150,
  });
  return targets;
}

const calls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ') || '0';

export function toMarkdown(bench: BenchResults): string {
  const { machine, settings } = bench;
  const lines = [
    `# Benchmark results (${bench.date.slice(0, 10)})`,
    '',
    `Run ${bench.date} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.os};`,
    `1-minute load average ${machine.loadAverage1m.before.toFixed(1)} before, ${machine.loadAverage1m.after.toFixed(1)} after (other work on the machine).`,
    `Load: ${settings.loadGenerator}, ${settings.connections} connections, ${settings.warmupSeconds} s warm-up + ${settings.durationSeconds} s measured per case, all cases in one run.`,
    `Services: the built bundles, LOG_LEVEL=${settings.logLevel} (one access-log line per request), default cache settings;`,
    `aux_parameter_nocache uses a second auxiliary-service with CACHE_PARAMETER_TTL_MS=0. Parameter: \`${settings.parameter}\`.`,
    'Everything (emulator, services, load generator) shares the same cores. Latency resolution is 1 ms.',
    'Cases in parentheses are references, not targets: (fastify_bare) is bare Fastify 5 without logger, hooks or',
    'metrics; (aux_parameter_warm_nolog) is a third auxiliary-service with LOG_LEVEL=warn (no access log);',
    '(raw_again) repeats raw at the end. "× raw" divides by the mean of raw and raw_again. MB = 10^6 bytes.',
    '',
    '| case | req/s | × raw | p50 ms | p99 ms | errors | AWS calls (measured window) |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...bench.cases.map(
      (result) =>
        `| ${result.reference ? `(${result.name})` : result.name} | ${Math.round(result.reqPerSec)} | ${result.ratioToRaw.toFixed(2)} | ${result.p50Ms} | ${result.p99Ms} | ${result.errors} | ${calls(result.awsCalls)} |`,
    ),
    '',
    '| service | start → ready ms | peak RSS under load MB | peak RSS (VmHWM) MB |',
    '|---|---:|---:|---:|',
    ...Object.entries(bench.services).map(
      ([name, service]) =>
        `| ${name} | ${service.startToReadyMs} | ${service.peakRssUnderLoadMB} | ${service.peakRssLifetimeMB} |`,
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
