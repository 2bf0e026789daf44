import type { FastifyInstance } from 'fastify';
import type { BaseConfig } from './config';
import { ConfigError } from './config';
import { exitOnFatalError, installGracefulShutdown, type Lifecycle } from './lifecycle';

/**
 * What each server.ts does: build, listen, install shutdown. A configuration error ends
 * the process with its one-line message and exit code 78 (EX_CONFIG).
 */
export async function startService(
  build: () => Promise<{ app: FastifyInstance; lifecycle: Lifecycle; config: BaseConfig }>,
): Promise<void> {
  try {
    const { app, lifecycle, config } = await build();
    exitOnFatalError(app);
    installGracefulShutdown(app, lifecycle, {
      delayMs: config.SHUTDOWN_DELAY_MS,
      timeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    });
    // Node's default accept queue (511) drops SYNs when thousands of clients connect at once; the
    // client retries after 1, 3, 7 s. 4096 is Linux's default somaxconn (the kernel caps it).
    await app.listen({ host: config.HOST, port: config.PORT, backlog: 4096 });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    process.stderr.write(`failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
