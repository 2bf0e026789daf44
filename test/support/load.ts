// A bounded autocannon load (count of connections, rate and duration all capped) that a test can
// stop at any moment, e.g. when a simulated load balancer sees the target go unready.
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  sampleInt?: number;
  timeout?: number;
}

type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => EventEmitter & { stop(): void };

// autocannon ships no type declarations; this is the part of its API the tests use.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface Load {
  /** Responses received so far (any status). */
  readonly responses: number;
  /** Stops sending; connections are closed within `sampleInt` (100 ms). */
  stop(): void;
  readonly result: Promise<AutocannonResult>;
}

export function startLoad(url: string, { connections = 8, maxSeconds = 20, overallRate = 500 } = {}): Load {
  let responses = 0;
  let instance: (EventEmitter & { stop(): void }) | undefined;
  const result = new Promise<AutocannonResult>((resolve, reject) => {
    instance = autocannon(
      { url, connections, duration: maxSeconds, overallRate, sampleInt: 100, timeout: 10 },
      (error, outcome) => (error ? reject(error) : resolve(outcome)),
    );
  });
  instance?.on('response', () => {
    responses++;
  });
  return {
    get responses() {
      return responses;
    },
    stop: () => instance?.stop(),
    result,
  };
}
