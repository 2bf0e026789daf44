import { HttpProblem, PROBLEM_CONTENT_TYPE, requestSpan } from '@platform/service-kit';
import type { FastifyInstance } from 'fastify';
import { forwardSchemas } from '../schemas/forward';
import type { AuxiliaryClient } from '../upstream/auxiliary-client';

export type VersionBody = { main_version: string };

/** Top-level keys in sorted order, as the specification's examples print them. */
function sortedKeys(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Registers GET `path` on main-api, answered by the same path on auxiliary-service.
 * The answer is auxiliary-service's body plus `main_version`; its 4xx and 5xx pass
 * through with their status (problem+json), Retry-After and X-Cache included.
 */
export function forwardRoute(
  app: FastifyInstance,
  path: string,
  auxiliary: AuxiliaryClient,
  version: VersionBody,
): void {
  const options = {
    schema: forwardSchemas[path],
    // The schema documents what auxiliary-service checks and answers; main-api forwards the
    // query unchanged (aux's 400 comes back with both versions), so it rejects nothing itself,
    validatorCompiler: () => () => true,
    // and sends the (sorted) body it built as is, as before the schema.
    serializerCompiler: () => (data: unknown) => JSON.stringify(data),
  };
  app.get(path, options, async (request, reply) => {
    const query = request.url.indexOf('?');
    const pathAndQuery = query === -1 ? path : `${path}${request.url.slice(query)}`;
    const upstream = await auxiliary.get(path, pathAndQuery, request.id, requestSpan(request));

    const body = sortedKeys({ ...upstream.body, ...version });
    reply.headers(upstream.headers);
    if (upstream.status >= 200 && upstream.status < 300) return body;
    if (upstream.status >= 400 && upstream.status < 600) {
      return reply.code(upstream.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
    }
    throw new HttpProblem(502, 'Bad Gateway', `auxiliary-service answered with status ${upstream.status}`);
  });
}
