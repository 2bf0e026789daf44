import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BuildOptions, buildApp } from '../src/app';
import { loadMainConfig } from '../src/config';

export interface RecordedRequest {
  url: string;
  headers: IncomingHttpHeaders;
}

/** A stand-in for auxiliary-service on loopback, answering with whatever `respond` does. */
export class FakeAuxiliary {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  respond: (response: ServerResponse, request: RecordedRequest) => void = (response) =>
    json(response, 200, {});
  readonly #server: Server;

  constructor() {
    this.#server = createServer((request, response) => {
      const recorded = { url: request.url ?? '', headers: request.headers };
      this.requests.push(recorded);
      this.respond(response, recorded);
    });
    this.#server.on('connection', () => this.connections++);
  }

  async start(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    this.#server.close();
    await once(this.#server, 'close');
  }
}

export function json(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

export async function mainApi(
  auxiliaryUrl: string,
  overrides: Record<string, string> = {},
  options: BuildOptions = {},
) {
  const config = loadMainConfig({
    AUXILIARY_URL: auxiliaryUrl,
    VERSION: 'main-v',
    LOG_LEVEL: 'silent',
    UPSTREAM_TIMEOUT_MS: '1000',
    ...overrides,
  });
  return buildApp(config, options);
}
