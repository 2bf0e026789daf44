import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';

export type VersionFields = Readonly<Record<string, string>>;

export function sendProblem(reply: FastifyReply, problem: HttpProblem, versionFields: VersionFields): void {
  const body = {
    ...problem.extensions,
    ...versionFields,
    type: problem.type,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  };
  reply.code(problem.status).headers(problem.headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Errors Fastify itself raises (parser limits, timeouts…) keep their 4xx status, with a generic text. */
function fromFrameworkError(error: FastifyError): HttpProblem {
  const status = error.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new HttpProblem(
      status,
      'Bad Request',
      error.code ? `request rejected (${error.code})` : 'request rejected',
    );
  }
  return new HttpProblem(500, 'Internal Server Error', 'unexpected error');
}

/**
 * The one place where a thrown error becomes an HTTP response. Unknown errors are
 * logged with their stack and answered with a bare 500: no stack or message leaks.
 * Unknown paths get 404, and known paths asked with another method get 405.
 */
export function registerErrorHandling(app: FastifyInstance, versionFields: VersionFields): void {
  const knownPaths = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = knownPaths.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    knownPaths.set(route.url, methods);
  });

  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    const problem = error instanceof HttpProblem ? error : fromFrameworkError(error);
    if (!(error instanceof HttpProblem) && problem.status >= 500) {
      request.log.error({ err: error }, 'unhandled error');
    }
    sendProblem(reply, problem, versionFields);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? '/';
    const methods = knownPaths.get(path);
    if (methods) {
      const allow = [...methods].sort().join(', ');
      sendProblem(
        reply,
        new HttpProblem(405, 'Method Not Allowed', `${request.method} is not allowed on ${path}`, { allow }),
        versionFields,
      );
      return;
    }
    sendProblem(reply, new HttpProblem(404, 'Not Found', 'no such resource'), versionFields);
  });
}
