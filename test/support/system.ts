// Process helpers for tests that run the real, built services (services/*/dist) on loopback.
// They reuse scripts/local (emulator, seeding, service start-up) and add what fault tests
// need: log capture, timed HTTP calls on fresh connections, polling with a deadline, exit waits.
import { once } from 'node:events';
import { readdirSync, readlinkSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RunningProcess } from '../../scripts/local/child-process';
import { type Moto, startMoto } from '../../scripts/local/moto';
import { type SeededEnvironment, seedEnvironment } from '../../scripts/local/seed';
import { type ServiceProcess, startAuxiliary, startMainApi } from '../../scripts/local/services';
import { LOCAL_REGION } from '../../scripts/local/stack';

export type { ServiceProcess };
export { LOCAL_REGION };

export interface Emulator {
  moto: Moto;
  seeded: SeededEnvironment;
  stop(): Promise<void>;
}

/** moto on a free port, seeded with the `test` environment as Terraform creates it. */
export async function startEmulator(): Promise<Emulator> {
  const moto = await startMoto();
  try {
    const seeded = await seedEnvironment({ endpoint: moto.endpoint, region: LOCAL_REGION });
    return { moto, seeded, stop: () => moto.stop() };
  } catch (error) {
    await moto.stop();
    throw error;
  }
}

/** Every output line of the processes it is handed to, kept for assertions. */
export class LogCapture {
  readonly lines: { service: string; line: string }[] = [];

  for(service: string) {
    return (line: string) => {
      this.lines.push({ service, line });
    };
  }

  of(service: string): string[] {
    return this.lines.filter((entry) => entry.service === service).map((entry) => entry.line);
  }
}

/** auxiliary-service (built bundle) reading AWS at `awsEndpoint` (the emulator or a fault proxy). */
export function startAuxiliaryAt(
  awsEndpoint: string,
  seeded: Pick<SeededEnvironment, 'serviceUserCredentials' | 'environment'>,
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): Promise<ServiceProcess> {
  return startAuxiliary({
    awsEndpoint,
    region: LOCAL_REGION,
    credentials: seeded.serviceUserCredentials,
    environment: seeded.environment,
    env,
    ...(onLine ? { onLine } : {}),
  });
}

/** main-api (built bundle) forwarding to `auxiliaryUrl`. */
export function startMainApiAt(
  auxiliaryUrl: string,
  env: Record<string, string> = {},
  onLine?: (line: string) => void,
): Promise<ServiceProcess> {
  return startMainApi({ auxiliaryUrl, env, ...(onLine ? { onLine } : {}) });
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined if it is not JSON. */
  body: Record<string, unknown> | undefined;
  /** Milliseconds from sending to the end of the answer. */
  ms: number;
}

/**
 * One request on its own connection (no keep-alive pool shared between calls, so one test's
 * dead connection never leaks into the next call). Rejects only if no answer came in `timeoutMs`.
 */
export function httpGet(
  url: string,
  options: { method?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: false,
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown> | undefined;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          body,
          ms: performance.now() - started,
        });
      });
    });
    req.end();
  });
}

/**
 * Polls `check` until it returns a value other than undefined/false, or fails after
 * `timeoutMs` naming `what`. Returns the value and how long it took.
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let last: unknown;
  while (performance.now() - started < timeoutMs) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return { value, ms: performance.now() - started };
    } catch (error) {
      last = error;
    }
    await sleep(intervalMs);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${last})` : ''}`,
  );
}

/** Resolves with how the process ended and how long after the call it did. */
export async function waitForExit(
  process: RunningProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }> {
  const started = performance.now();
  const { child } = process;
  if (child.exitCode === null && child.signalCode === null) {
    await once(child, 'exit', { signal: AbortSignal.timeout(timeoutMs) }).catch(() => {
      throw new Error(`${process.name} did not exit within ${timeoutMs} ms`);
    });
  }
  return { code: child.exitCode, signal: child.signalCode, ms: performance.now() - started };
}

/** Open sockets of a process (Linux /proc), to spot leaks; undefined where /proc is missing. */
export function socketCount(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:');
      } catch {
        return false;
      }
    }).length;
  } catch {
    return undefined;
  }
}

/** Asserts-free check of the contract's error shape; returns what is wrong, or undefined. */
export function problemShapeError(
  result: Pick<HttpResult, 'status' | 'headers' | 'body'>,
  versionFields: readonly string[],
): string | undefined {
  const type = String(result.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `content-type is ${type || 'missing'}`;
  const body = result.body;
  if (!body) return 'body is not JSON';
  for (const field of ['type', 'title', 'detail']) {
    if (typeof body[field] !== 'string') return `field ${field} missing`;
  }
  if (body.status !== result.status) return `status field ${String(body.status)} ≠ ${result.status}`;
  for (const field of versionFields) {
    if (typeof body[field] !== 'string') return `version field ${field} missing`;
  }
  return undefined;
}

/** Stops every started process, last started first, ignoring those already gone. */
export async function stopAll(...processes: ({ stop(): Promise<void> } | undefined)[]): Promise<void> {
  for (const process of processes.reverse()) await process?.stop();
}
