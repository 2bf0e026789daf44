import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';

// Lines are gathered until this many bytes are waiting, then written in one write(2) off the
// event loop (libuv's thread pool). Under load that is ~15 access-log lines per system call
// instead of one: on a 2-core machine the per-line write was a visible share of a request's CPU.
const BUFFER_BYTES = 4096;
// At low traffic a line waits at most this long in the buffer.
const FLUSH_INTERVAL_MS = 1_000;

/**
 * stdout as pino's asynchronous destination (sonic-boom): buffered, written in the background,
 * flushed every second, written out synchronously by pino on `fatal` and when the process exits
 * (pino registers that itself), and on demand by `flushLogs` during the shutdown drain.
 */
export function createLogDestination(): pino.DestinationStream {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: BUFFER_BYTES,
    periodicFlush: FLUSH_INTERVAL_MS,
  });
}

interface FlushableStream {
  flushSync?: () => void;
}

/**
 * Resolves once every buffered line has been handed to the kernel. The asynchronous flush waits for
 * a write in progress to finish (writing over it synchronously could reorder or split lines);
 * what is left after it, at most BUFFER_BYTES, is then written synchronously.
 */
export function flushLogs(logger: FastifyBaseLogger): Promise<void> {
  const stream = (logger as unknown as Record<symbol, FlushableStream | undefined>)[pino.symbols.streamSym];
  return new Promise((resolve) => {
    (logger as pino.Logger).flush(() => {
      try {
        stream?.flushSync?.();
      } catch {
        // Nothing to write to any more (stdout closed): there is no one left to tell.
      }
      resolve();
    });
  });
}
