import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

/** Shared by /readyz and the shutdown sequence: once draining, the pod reports not ready. */
export class Lifecycle {
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  startDraining(): void {
    this.#draining = true;
  }
}

export interface ShutdownOptions {
  delayMs: number;
  timeoutMs: number;
  signals?: readonly NodeJS.Signals[];
  exit?: (code: number) => void;
}

/**
 * SIGTERM/SIGINT: readiness flips to 503 at once; the server keeps serving for `delayMs`
 * (endpoints are removed from Services asynchronously), then stops accepting connections
 * and lets in-flight requests finish. If that takes longer than `timeoutMs` the process
 * exits with code 1 rather than wait for SIGKILL.
 */
export function installGracefulShutdown(
  app: FastifyInstance,
  lifecycle: Lifecycle,
  options: ShutdownOptions,
): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    lifecycle.startDraining();
    app.log.info({ signal, delayMs: options.delayMs, timeoutMs: options.timeoutMs }, 'shutdown: draining');

    const deadline = setTimeout(() => {
      app.log.error('shutdown: in-flight requests did not finish in time, exiting');
      exit(1);
    }, options.delayMs + options.timeoutMs);
    deadline.unref();

    await sleep(options.delayMs);
    try {
      await app.close();
      app.log.info('shutdown: complete');
      exit(0);
    } catch (err) {
      app.log.error({ err }, 'shutdown: close failed');
      exit(1);
    }
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, (received) => void shutdown(received));
  }
}
