import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem';
import { REQUEST_ID_HEADER } from './request-id';
import { SECURITY_HEADERS } from './security';

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

/**
 * Fastify `frameworkErrors`: a URL the router cannot decode (`/%zz`) is answered as a 400
 * problem like every other error, instead of Fastify's own JSON without the version fields.
 */
export function frameworkErrorHandler(versionFields: VersionFields) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    // No hooks run on this path: add what the onSend hooks would have.
    reply.headers(SECURITY_HEADERS).header(REQUEST_ID_HEADER, request.id);
    sendProblem(reply, fromFrameworkError(error), versionFields);
  };
}

/**
 * Fastify `clientErrorHandler`: requests Node's parser rejects before any route runs (headers
 * or URL too large → 431, slow headers → 408, malformed → 400) get a problem+json answer with
 * the version fields and security headers, then the connection is closed.
 */
export function clientErrorHandler(versionFields: VersionFields) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const title = STATUS_CODES[status] ?? 'Bad Request';
    const body = JSON.stringify({
      ...versionFields,
      type: 'about:blank',
      title,
      status,
      detail: 'request rejected',
    });
    const headers = {
      ...SECURITY_HEADERS,
      'content-type': PROBLEM_CONTENT_TYPE,
      'content-length': String(Buffer.byteLength(body)),
      connection: 'close',
    };
    if (socket.writable) {
      const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
      socket.write(`HTTP/1.1 ${status} ${title}\r\n${lines.join('')}\r\n${body}`);
    }
    socket.destroy(error);
  };
}
