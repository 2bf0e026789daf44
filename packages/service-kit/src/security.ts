import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { HttpProblem } from './problem';

// This is a JSON API: nothing it returns should be rendered, framed, sniffed or cached.
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cache-control': 'no-store',
} as const;

export async function registerSecurity(app: FastifyInstance, corsOrigins: readonly string[]): Promise<void> {
  // Hooks in callback style: they run on every request, and async hooks cost a promise each.
  app.addHook('onRequest', (request, _reply, done) => {
    // The API takes no request bodies; refuse them before anything reads one.
    const length = request.headers['content-length'];
    if (request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')) {
      done(new HttpProblem(413, 'Content Too Large', 'this API does not accept request bodies'));
      return;
    }
    done();
  });

  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.headers(SECURITY_HEADERS);
    done(null, payload);
  });

  // CORS stays off unless origins are configured explicitly.
  if (corsOrigins.length > 0) {
    await app.register(cors, { origin: [...corsOrigins], methods: ['GET', 'HEAD'], maxAge: 600 });
  }
}
