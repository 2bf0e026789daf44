// The load generator, run as its own process so that it never shares an event loop with
// the orchestrator or a server. Input: one JSON argument. Output on stdout: the line `measuring`
// when the warm-up is over, then one JSON line with the result.
import autocannon from 'autocannon';

export interface LoadRequest {
  url: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
}

const request = JSON.parse(process.argv[2] ?? '') as LoadRequest;
const options = { url: request.url, connections: request.connections, pipelining: 1, timeout: 10 };

// JIT and connection warm-up; not measured.
if (request.warmupSeconds > 0) await autocannon({ ...options, duration: request.warmupSeconds });
process.stdout.write('measuring\n');
const run = await autocannon({ ...options, duration: request.durationSeconds });

const result: LoadResult = {
  requests: run.requests.total,
  reqPerSec: run.requests.total / run.duration,
  p50Ms: run.latency.p50,
  p99Ms: run.latency.p99,
  meanMs: run.latency.mean,
  maxMs: run.latency.max,
  non2xx: run.non2xx,
  socketErrors: run.errors,
  timeouts: run.timeouts,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
