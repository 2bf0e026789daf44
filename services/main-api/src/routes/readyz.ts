import { type Lifecycle, serviceUnavailable } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import { readyzSchema } from '../schemas/readyz';

/** main-api is ready while it serves; it depends on nothing it could check cheaply. */
export function readyzRoute(app: FastifyInstance, lifecycle: Lifecycle): void {
  app.get('/readyz', { logLevel: 'warn', schema: readyzSchema }, async () => {
    if (lifecycle.draining) throw serviceUnavailable('shutting down', 5);
    return { status: 'ready' };
  });
}
