import { serviceUnavailable } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import type { Readiness } from '../readiness';
import { readyzSchema } from '../schemas/readyz';

export function readyzRoute(app: FastifyInstance, readiness: Readiness): void {
  app.get('/readyz', { logLevel: 'warn', schema: readyzSchema }, async () => {
    if (!(await readiness.isReady()))
      throw serviceUnavailable('not ready: SSM has not answered yet, or the service is draining', 5);
    return { status: 'ready' };
  });
}
