// An HTTP proxy in front of the AWS emulator that counts the API calls passing through, by
// operation (the JSON protocol's X-Amz-Target, e.g. AmazonSSM.GetParameter): what AWS itself
// would count against the account's quota, seen from outside the service.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class CountingProxy {
  readonly #counts = new Map<string, number>();

  private constructor(readonly server: Server) {}

  static async start(targetPort: number): Promise<CountingProxy> {
    const proxy: CountingProxy = new CountingProxy(
      createServer((incoming, outgoing) => {
        const target = incoming.headers['x-amz-target'];
        const operation = typeof target === 'string' ? (target.split('.').pop() ?? target) : 'other';
        proxy.#counts.set(operation, (proxy.#counts.get(operation) ?? 0) + 1);
        const forward = request(
          {
            host: '127.0.0.1',
            port: targetPort,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          (answer) => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          },
        );
        forward.on('error', () => outgoing.destroy());
        incoming.pipe(forward);
      }),
    );
    proxy.server.listen(0, '127.0.0.1');
    await once(proxy.server, 'listening');
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Calls by operation since start (or the last reset). */
  counts(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }

  total(): number {
    return [...this.#counts.values()].reduce((sum, count) => sum + count, 0);
  }

  reset(): void {
    this.#counts.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
