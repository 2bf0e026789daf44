import type { FastifyInstance } from 'fastify';
import type { CachedReads } from '../cached-reads';
import { bucketsSchema } from '../schemas/lists';
import { fromAws, type VersionBody, withCacheStatus } from './respond';

export function bucketsRoute(app: FastifyInstance, reads: CachedReads, version: VersionBody): void {
  app.get('/buckets', { schema: bucketsSchema }, async (_request, reply) => {
    const result = await fromAws(reads.bucketNames());
    return withCacheStatus(reply, result, { ...version, buckets: result.value });
  });
}
