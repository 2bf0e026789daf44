import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_MEDIA_TYPE, type ProblemOptions, problemSchema } from './schemas/responses';

export interface OpenApiInfo {
  title: string;
  /**
   * The version of the API contract, not of the build: the committed copies in docs/openapi
   * must not change with every image.
   */
  version: string;
  description?: string;
}

export const OPENAPI_PATH = '/openapi.json';

// Not part of the API: Prometheus' text exposition, for in-cluster scraping only (README).
const UNDOCUMENTED = new Set(['/metrics', OPENAPI_PATH]);

interface HeaderObject {
  required?: boolean;
  schema?: { required?: unknown };
}
type Operation = { responses?: Record<string, { headers?: Record<string, HeaderObject> }> };

/**
 * A route schema marks a response header `required: true` beside its type; @fastify/swagger copies
 * that into the header's schema, where it is not JSON Schema. OpenAPI has it on the header object.
 */
function liftRequiredHeaders(document: { paths?: object }): void {
  const paths = (document.paths ?? {}) as Record<string, Record<string, Operation>>;
  for (const pathItem of Object.values(paths)) {
    for (const operation of Object.values(pathItem)) {
      for (const response of Object.values(operation.responses ?? {})) {
        for (const header of Object.values(response.headers ?? {})) {
          if (header.schema?.required !== true) continue;
          delete header.schema.required;
          header.required = true;
        }
      }
    }
  }
}

/**
 * Registers @fastify/swagger, which collects every route's schema through an onRoute hook
 * (so this must run before any route is added), and serves the OpenAPI 3.1 document at
 * GET /openapi.json. The document is built and serialized once, when the app is ready.
 * `problems` describes the errors answered outside any route (404 unknown path, 405 with Allow).
 */
export async function registerOpenApi(
  app: FastifyInstance,
  info: OpenApiInfo,
  problems: ProblemOptions,
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info,
      components: {
        schemas: {
          // Referenced by no operation: what unknown paths (404) and other methods (405) get.
          Problem: {
            description: `Any error, as ${PROBLEM_MEDIA_TYPE}. A 405 adds \`allow\`.`,
            ...problemSchema({ ...problems, extensions: true }),
          },
        },
      },
    },
    transform: ({ schema, url }) => ({
      schema: UNDOCUMENTED.has(url) ? { ...schema, hide: true } : schema,
      url,
    }),
    transformObject: (documentObject) => {
      if (!('openapiObject' in documentObject)) return documentObject.swaggerObject;
      liftRequiredHeaders(documentObject.openapiObject);
      return documentObject.openapiObject;
    },
  });

  let document = '';
  app.addHook('onReady', (done) => {
    document = JSON.stringify(app.swagger());
    done();
  });
  app.get(OPENAPI_PATH, { logLevel: 'warn' }, (_request, reply) => {
    reply.type('application/json; charset=utf-8').send(document);
  });
}
