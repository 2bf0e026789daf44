// The reference for main-api: the same job done with nothing else. A bare node:http server that
// GETs the same path from a bare node:http backend (raw-server.ts, at BACKEND_URL) over a pool of
// keep-alive connections (undici, as main-api uses, with main-api's default pool size), parses the
// JSON, adds one field and answers. No framework, logging, metrics, request ids or time budget.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const backend = process.env.BACKEND_URL;
if (!backend) throw new Error('BACKEND_URL is required');
const port = Number(process.env.PORT ?? 0);
const pool = new Pool(backend, { connections: 64 });

const server = createServer((request, response) => {
  pool
    .request({ method: 'GET', path: request.url ?? '/' })
    .then(({ body }) => body.json())
    .then((parsed) => {
      const answer = JSON.stringify({ ...(parsed as Record<string, unknown>), main_version: 'dev' });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(answer);
    })
    .catch(() => {
      response.writeHead(502).end();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => void pool.close().then(() => process.exit(0)));
  server.closeAllConnections();
});
