import {
  commonProblems,
  type JsonSchema,
  jsonResponse,
  parameterQuerySchema,
  problemResponse,
  versionProperties,
} from '@platform/service-kit';

// main-api answers with auxiliary-service's body plus `main_version`, keys sorted; its
// problems are auxiliary-service's passed through (both versions) or its own (main_version only).
const BOTH = ['auxiliary_version', 'main_version'];
const PASSED_THROUGH = { versions: BOTH };
const EITHER = { versions: ['main_version'], optionalVersions: ['auxiliary_version'] };

const names = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

/** Members in sorted order, as main-api writes them. */
function sorted(properties: Record<string, JsonSchema>): Record<string, JsonSchema> {
  return Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const upstreamProblems = {
  403: problemResponse('auxiliary-service: AWS denied access.', PASSED_THROUGH),
  502: problemResponse(
    'auxiliary-service is unreachable or sent an answer that is not JSON (main-api), or AWS gave an unexpected answer (auxiliary-service).',
    EITHER,
  ),
  503: problemResponse(
    'AWS unavailable or throttling, or an instance overloaded (either service), or too many calls waiting for auxiliary-service (main-api).',
    { ...EITHER, retryAfter: true },
  ),
  504: problemResponse(
    'auxiliary-service did not answer within UPSTREAM_TIMEOUT_MS (main-api), or AWS not within AWS_TIMEOUT_MS (auxiliary-service).',
    EITHER,
  ),
  ...commonProblems(EITHER),
};

interface Forwarded {
  summary: string;
  operationId: string;
  /** Of the 200 answer. */
  description: string;
  /** The body's members besides the version fields. */
  properties: Record<string, JsonSchema>;
  querystring?: JsonSchema;
  /** auxiliary-service's own 4xx for this path, passed through. */
  clientErrors?: Record<number, JsonSchema>;
}

function forwarded({ summary, operationId, description, properties, querystring, clientErrors }: Forwarded) {
  return {
    summary,
    operationId,
    description: 'Forwarded to the same path on auxiliary-service.',
    ...(querystring ? { querystring } : {}),
    response: {
      200: jsonResponse({
        description,
        properties: sorted({ ...versionProperties(BOTH), ...properties }),
        cached: true,
      }),
      ...upstreamProblems,
      ...clientErrors,
    },
  };
}

/** The schema of each path main-api forwards, for the OpenAPI document (see routes/forward.ts). */
export const forwardSchemas: Record<string, JsonSchema> = {
  '/buckets': forwarded({
    summary: 'List S3 buckets',
    operationId: 'listBuckets',
    description: 'Every bucket, all pages, sorted.',
    properties: { buckets: names('Bucket names, sorted.') },
  }),
  '/parameters': forwarded({
    summary: 'List SSM parameter names',
    operationId: 'listParameters',
    description: 'Every parameter name, all pages, sorted. Values are never listed.',
    properties: { parameters: names('Parameter names, sorted.') },
  }),
  '/parameter': forwarded({
    summary: 'Read one SSM parameter, decrypted',
    operationId: 'getParameter',
    description: "The parameter's value, decrypted.",
    properties: {
      name: { type: 'string', description: 'The name asked for.' },
      value: { type: 'string', description: 'Its value (SecureStrings decrypted).' },
    },
    querystring: parameterQuerySchema(),
    clientErrors: {
      400: problemResponse(
        'auxiliary-service: `name` is missing, repeated, or not a valid SSM parameter name.',
        PASSED_THROUGH,
      ),
      403: problemResponse(
        'auxiliary-service: `name` is outside the readable prefix, or AWS denied access.',
        PASSED_THROUGH,
      ),
      404: problemResponse('auxiliary-service: no such parameter.', PASSED_THROUGH),
    },
  }),
};
