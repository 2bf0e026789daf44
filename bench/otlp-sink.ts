// Where the traced services of the bench send their spans: an OTLP/HTTP endpoint that reads
// each export, counts its bytes and answers 200, as a collector would. Its own process, so its
// work is not charged to the services or the load generator.
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 0);
let exports = 0;
let bytes = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET') {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ exports, bytes }));
    return;
  }
  request.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  request.on('end', () => {
    exports++;
    response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' });
    response.end();
  });
});
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
