// Building blocks for route schemas: JSON bodies with the version fields, problem+json errors,
// and the response headers that carry meaning. Route schemas (each service's `schemas/` folder)
// are made of these, so both services describe errors and headers the same way.

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

export type JsonSchema = Record<string, unknown>;

// `required: true` on a header is lifted out of its schema into the OpenAPI header object
// (openapi.ts): @fastify/swagger copies the header's schema whole.

/** Every response carries it (request-id.ts); main-api forwards it to auxiliary-service. */
const REQUEST_ID = {
  'X-Request-Id': {
    type: 'string',
    required: true,
    description:
      "The caller's X-Request-Id if it is 1–128 characters of [A-Za-z0-9._:-], otherwise a new UUID.",
  },
};
const RETRY_AFTER = {
  'Retry-After': {
    type: 'string',
    required: true,
    pattern: '^[0-9]+$',
    description: 'Seconds to wait before retrying.',
  },
};
const X_CACHE = {
  'X-Cache': {
    type: 'string',
    enum: ['stale'],
    description: 'Present, as `stale`, when the answer comes from an expired cache entry because AWS failed.',
  },
};

const VERSION_DESCRIPTIONS: Record<string, string> = {
  auxiliary_version: 'Version of the auxiliary-service that answered.',
  main_version: 'Version of the main-api that answered.',
};

/** The version fields as schema properties, each a string. */
export function versionProperties(fields: readonly string[]): Record<string, JsonSchema> {
  return Object.fromEntries(
    fields.map((field) => [field, { type: 'string', description: VERSION_DESCRIPTIONS[field] ?? field }]),
  );
}

export interface JsonResponseOptions {
  description: string;
  /** Exactly the body's members, in the order the service writes them. */
  properties: Record<string, JsonSchema>;
  /** Whether the answer may come from an expired cache entry (X-Cache: stale). */
  cached?: boolean;
}

/**
 * A 2xx JSON response in Fastify's short form, which @fastify/swagger documents as
 * application/json. Exact: every member required, no others (Fastify serializes by it).
 */
export function jsonResponse({ description, properties, cached = false }: JsonResponseOptions): JsonSchema {
  return {
    description,
    type: 'object',
    required: Object.keys(properties),
    additionalProperties: false,
    properties,
    headers: cached ? { ...REQUEST_ID, ...X_CACHE } : { ...REQUEST_ID },
  };
}

export interface ProblemOptions {
  /** Version fields every such problem carries. */
  versions: readonly string[];
  /** Version fields it carries only sometimes (main-api adds its own to an upstream's problem). */
  optionalVersions?: readonly string[];
  /** 503s say when to retry. */
  retryAfter?: boolean;
  /** Members beyond the RFC 9457 ones and the version fields may appear (e.g. `allow` on a 405). */
  extensions?: boolean;
}

/** The problem+json body (RFC 9457) both services send for every error. */
export function problemSchema(options: ProblemOptions): JsonSchema {
  const versions = [...options.versions, ...(options.optionalVersions ?? [])];
  return {
    type: 'object',
    required: [...options.versions, 'type', 'title', 'status', 'detail'],
    additionalProperties: options.extensions === true,
    properties: {
      ...versionProperties(versions),
      type: { type: 'string', description: 'Always `about:blank`: the status code says it all.' },
      title: { type: 'string', description: "The status code's reason phrase." },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: {
        type: 'string',
        description: 'What went wrong, without secrets, stack traces or AWS messages.',
      },
    },
  };
}

/** An error response: problem+json with the request id (and Retry-After where it applies). */
export function problemResponse(description: string, options: ProblemOptions): JsonSchema {
  return {
    description,
    headers: options.retryAfter ? { ...REQUEST_ID, ...RETRY_AFTER } : { ...REQUEST_ID },
    content: { [PROBLEM_MEDIA_TYPE]: { schema: problemSchema(options) } },
  };
}

/**
 * The errors any route can answer with besides its own: a request body (security.ts refuses
 * them) and an unexpected failure. Load shedding's 503 is documented with the routes it applies to.
 */
export function commonProblems(options: ProblemOptions): Record<number, JsonSchema> {
  const plain = { ...options, retryAfter: false };
  return {
    413: problemResponse('The request has a body; this API takes none.', plain),
    500: problemResponse('An unexpected failure (logged; the answer shows no details).', plain),
  };
}
