// The ceiling: a bare node:http server answering a fixed small JSON, the size of a
// /parameter answer. Started as its own process, like the services.
import { createServer } from 'node:http';

const body = JSON.stringify({ auxiliary_version: 'dev', name: '/test/apps/config/env_name', value: 'test' });
const port = Number(process.env.PORT ?? 0);

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  response.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
