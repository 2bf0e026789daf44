// A reference, not a product case: bare Fastify 5 (no logger, hooks or metrics) answering the
// same JSON as raw-server.ts. It separates the framework's own cost from the services' features.
import Fastify from 'fastify';

const body = { auxiliary_version: 'dev', name: '/test/apps/config/env_name', value: 'test' };
const app = Fastify({ logger: false, keepAliveTimeout: 65_000 });
app.get('/', async () => body);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
