import type { FastifyInstance } from 'fastify';
import type { CachedReads } from '../cached-reads';
import { parametersSchema } from '../schemas/lists';
import { fromAws, type VersionBody, withCacheStatus } from './respond';

export function parametersRoute(app: FastifyInstance, reads: CachedReads, version: VersionBody): void {
  app.get('/parameters', { schema: parametersSchema }, async (_request, reply) => {
    const result = await fromAws(reads.parameterNames());
    return withCacheStatus(reply, result, { ...version, parameters: result.value });
  });
}
