import { badRequest } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import type { CachedReads } from '../cached-reads';
import { assertReadableParameter } from '../parameter-name';
import { parameterQuery } from '../schemas/parameter-query';
import { fromAws, type VersionBody, withCacheStatus } from './respond';

export function parameterRoute(
  app: FastifyInstance,
  reads: CachedReads,
  version: VersionBody,
  allowedPrefix: string,
): void {
  app.get('/parameter', async (request, reply) => {
    const query = parameterQuery.safeParse(request.query);
    if (!query.success) throw badRequest('query parameter "name" is required, exactly once');
    const { name } = query.data;
    assertReadableParameter(name, allowedPrefix);

    const result = await fromAws(reads.parameterValue(name));
    return withCacheStatus(reply, result, { ...version, name, value: result.value });
  });
}
