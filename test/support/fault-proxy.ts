import { EventEmitter, once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * What the proxy does with traffic, switchable at any time:
 * - `pass`: forwards both ways;
 * - `refuse`: closes the listener (new connections are refused) and resets open ones;
 * - `reset`: accepts, then resets every connection as soon as it sends something;
 * - `hang`: accepts and reads, but never forwards or answers (a peer that stopped answering);
 * - `delay`: forwards, each client chunk `ms` later (order kept);
 * - `drop`: forwards the request, passes `afterBytes` bytes of the answer, then cuts the connection;
 * - `respond`: answers every HTTP request itself with `response` (e.g. AWS's throttling error).
 */
export type FaultMode =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop'; afterBytes: number }
  | { kind: 'respond'; response: CannedResponse };

export interface CannedResponse {
  status: number;
  reason: string;
  headers?: Record<string, string>;
  body: string;
}

export interface ProxyStats {
  /** Client connections open right now. */
  open: number;
  /** Connections to the upstream open right now. */
  upstreamOpen: number;
  /** Client connections accepted since start. */
  accepted: number;
  /** HTTP requests answered in `respond` mode since start. */
  answered: number;
}

interface Connection {
  client: Socket;
  upstream?: Socket;
}

/**
 * A TCP proxy on 127.0.0.1 (a free port) in front of `targetPort`, run inside the test
 * process so that a test can put faults between two real processes and count their
 * connections. No fixed ports: the proxy's own port is chosen by the kernel and kept
 * across `refuse` → `pass`, so the process behind it never needs a new address.
 */
export class FaultProxy extends EventEmitter {
  readonly #server: Server;
  readonly #connections = new Set<Connection>();
  #mode: FaultMode = { kind: 'pass' };
  #targetPort: number;
  #port = 0;
  #listening = false;
  #upstreamOpen = 0;
  #accepted = 0;
  #answered = 0;

  private constructor(targetPort: number) {
    super();
    this.#targetPort = targetPort;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy in `pass` mode that forwards to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<FaultProxy> {
    const proxy = new FaultProxy(targetPort);
    await proxy.#listen(0);
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get mode(): FaultMode {
    return this.#mode;
  }

  stats(): ProxyStats {
    return {
      open: this.#connections.size,
      upstreamOpen: this.#upstreamOpen,
      accepted: this.#accepted,
      answered: this.#answered,
    };
  }

  /** Sends new connections to another upstream port (e.g. a restarted emulator). */
  setTarget(port: number): void {
    this.#targetPort = port;
  }

  /** Switches the fault mode; resolves once the listener is in the state the mode needs. */
  async setMode(mode: FaultMode): Promise<void> {
    this.#mode = mode;
    if (mode.kind === 'refuse') {
      for (const connection of this.#connections) this.#destroy(connection, true);
      if (this.#listening) {
        this.#listening = false;
        await new Promise<void>((resolve) => this.#server.close(() => resolve()));
      }
    } else if (!this.#listening) {
      await this.#listen(this.#port);
    }
  }

  /** Resolves once the number of open client connections satisfies `predicate`. */
  async waitForOpen(predicate: (open: number) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = AbortSignal.timeout(timeoutMs);
    while (!predicate(this.#connections.size)) {
      await once(this, 'change', { signal: deadline }).catch(() => {
        throw new Error(`proxy: open connections stayed at ${this.#connections.size} for ${timeoutMs} ms`);
      });
    }
  }

  async close(): Promise<void> {
    for (const connection of this.#connections) this.#destroy(connection, false);
    if (this.#listening) {
      this.#listening = false;
      await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    }
  }

  async #listen(port: number): Promise<void> {
    this.#server.listen(port, '127.0.0.1');
    await once(this.#server, 'listening');
    const address = this.#server.address();
    if (typeof address !== 'object' || address === null) throw new Error('proxy: no address');
    this.#port = address.port;
    this.#listening = true;
  }

  #accept(client: Socket): void {
    const connection: Connection = { client };
    this.#connections.add(connection);
    this.#accepted++;
    client.on('error', () => {});
    client.on('close', () => {
      this.#connections.delete(connection);
      connection.upstream?.destroy();
      this.emit('change');
    });
    this.emit('change');

    let pending: Buffer = Buffer.alloc(0); // respond mode: bytes of a request not yet complete
    let delayed = Promise.resolve(); // delay mode: keeps chunk order
    client.on('data', (chunk: Buffer) => {
      const mode = this.#mode;
      switch (mode.kind) {
        case 'hang':
          return; // read and forget: the peer never answers
        case 'reset':
        case 'refuse':
          this.#destroy(connection, true);
          return;
        case 'respond':
          pending = this.#answer(client, Buffer.concat([pending, chunk]), mode.response);
          return;
        case 'delay':
          delayed = delayed.then(
            () =>
              new Promise<void>((resolve) =>
                setTimeout(() => {
                  this.#forward(connection, chunk);
                  resolve();
                }, mode.ms),
              ),
          );
          return;
        default:
          this.#forward(connection, chunk);
      }
    });
  }

  #forward(connection: Connection, chunk: Buffer): void {
    if (connection.client.destroyed) return;
    if (!connection.upstream) connection.upstream = this.#openUpstream(connection);
    connection.upstream.write(chunk);
  }

  #openUpstream(connection: Connection): Socket {
    const upstream = connect(this.#targetPort, '127.0.0.1');
    this.#upstreamOpen++;
    let passed = 0;
    upstream.on('data', (chunk: Buffer) => {
      const mode = this.#mode;
      if (mode.kind === 'drop') {
        const room = mode.afterBytes - passed;
        if (room > 0) connection.client.write(chunk.subarray(0, room));
        passed += Math.min(room, chunk.length);
        if (passed >= mode.afterBytes) this.#destroy(connection, true);
        return;
      }
      if (mode.kind === 'hang') return;
      connection.client.write(chunk);
    });
    // Upstream gone (e.g. the emulator was killed): close the client side too. Not with
    // resetAndDestroy(): on a socket that is ending it can spin Node 20 in a busy loop.
    upstream.on('error', () => connection.client.destroy());
    upstream.on('end', () => connection.client.end());
    upstream.on('close', () => {
      this.#upstreamOpen--;
      if (connection.upstream === upstream) connection.upstream = undefined;
      this.emit('change');
    });
    return upstream;
  }

  /** Answers each complete HTTP request in `buffer`; returns the incomplete rest. */
  #answer(client: Socket, buffer: Buffer, response: CannedResponse): Buffer {
    let rest = buffer;
    for (;;) {
      const headerEnd = rest.indexOf('\r\n\r\n');
      if (headerEnd === -1) return rest;
      const head = rest.subarray(0, headerEnd).toString('latin1');
      const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
      const end = headerEnd + 4 + length;
      if (rest.length < end) return rest;
      rest = rest.subarray(end);
      this.#answered++;
      const headers = {
        'content-type': 'application/x-amz-json-1.1',
        ...response.headers,
        'content-length': String(Buffer.byteLength(response.body)),
      };
      client.write(
        `HTTP/1.1 ${response.status} ${response.reason}\r\n${Object.entries(headers)
          .map(([name, value]) => `${name}: ${value}\r\n`)
          .join('')}\r\n${response.body}`,
      );
      this.emit('answered', this.#answered);
    }
  }

  #destroy(connection: Connection, reset: boolean): void {
    const { client } = connection;
    if (reset && !client.destroyed && !client.writableEnded && client.writableLength === 0) {
      client.resetAndDestroy();
    } else {
      client.destroy();
    }
    connection.upstream?.destroy();
  }
}

/** SSM's answer when it throttles (HTTP 400 with a JSON error type), as the SDK sees it. */
export const SSM_THROTTLING: CannedResponse = {
  status: 400,
  reason: 'Bad Request',
  headers: { 'x-amzn-requestid': 'fault-proxy' },
  body: JSON.stringify({ __type: 'ThrottlingException', message: 'Rate exceeded' }),
};
