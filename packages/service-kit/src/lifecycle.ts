import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { flushLogs } from './log-destination';

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
 * and lets in-flight requests finish, writes out the buffered log lines and exits 0. If that
 * takes longer than `timeoutMs` the process exits with code 1 rather than wait for SIGKILL
 * (pino still writes the buffer out synchronously on exit).
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
    let code = 0;
    try {
      await app.close();
      app.log.info('shutdown: complete');
    } catch (err) {
      app.log.error({ err }, 'shutdown: close failed');
      code = 1;
    }
    // Log lines are buffered (log-destination.ts): the access lines of the last requests go out now.
    await flushLogs(app.log);
    exit(code);
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, (received) => void shutdown(received));
  }
}

/**
 * An error nothing caught ends the process with exit code 1, as Node would, but first leaves a
 * structured `fatal` line in the log; pino's fatal() writes the buffered log lines out with it.
 */
export function exitOnFatalError(
  app: FastifyInstance,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  process.once('uncaughtException', (err, origin) => {
    app.log.fatal({ err, origin }, 'fatal: uncaught error, exiting');
    exit(1);
  });
}
