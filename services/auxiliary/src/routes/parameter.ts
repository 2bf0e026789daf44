import { badRequest } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import type { CachedReads } from '../cached-reads';
import { assertReadableParameter, invalidName, parameterNameProblem } from '../parameter-name';
import { parameterSchema } from '../schemas/parameter';
import { fromAws, type VersionBody, withCacheStatus } from './respond';

type ParameterRequest = { Querystring: { name: string } };

/** The 400 for a query the route schema refused, in the contract's words. */
function queryProblem(query: unknown): Error {
  const name = (query as { name?: unknown } | undefined)?.name;
  // One name that breaks SSM's rules: parameterNameProblem says which (it and the schema's
  // pattern agree; a property test keeps them so). Otherwise `name` is missing or repeated.
  const reason = typeof name === 'string' ? parameterNameProblem(name) : undefined;
  return reason ? invalidName(reason) : badRequest('query parameter "name" is required, exactly once');
}

export function parameterRoute(
  app: FastifyInstance,
  reads: CachedReads,
  version: VersionBody,
  allowedPrefix: string,
): void {
  // attachValidation: a refused query reaches the handler, which answers with the contract's 400.
  app.get<ParameterRequest>(
    '/parameter',
    { schema: parameterSchema, attachValidation: true },
    async (request, reply) => {
      if (request.validationError) throw queryProblem(request.query);
      const { name } = request.query;
      assertReadableParameter(name, allowedPrefix);

      const result = await fromAws(reads.parameterValue(name));
      return withCacheStatus(reply, result, { ...version, name, value: result.value });
    },
  );
}
