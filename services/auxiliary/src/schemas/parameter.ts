import {
  jsonResponse,
  parameterQuerySchema,
  problemResponse,
  versionProperties,
} from '@platform/service-kit';
import { awsReadProblems, problems } from './problems';

/**
 * GET /parameter?name=N. Fastify validates the query with it; the route turns a failure into
 * the contract's 400 (routes/parameter.ts). The allowed-prefix rule (403) is checked in code.
 */
export const parameterSchema = {
  summary: 'Read one SSM parameter, decrypted',
  operationId: 'getParameter',
  querystring: parameterQuerySchema(),
  response: {
    200: jsonResponse({
      description: "The parameter's value, decrypted.",
      properties: {
        ...versionProperties(['auxiliary_version']),
        name: { type: 'string', description: 'The name asked for.' },
        value: { type: 'string', description: 'Its value (SecureStrings decrypted).' },
      },
      cached: true,
    }),
    400: problems.badRequest(
      '`name` is missing, repeated, or not a valid SSM parameter name; checked before any AWS call.',
    ),
    ...awsReadProblems,
    403: problemResponse(
      '`name` is outside the readable prefix (checked before any AWS call), or AWS denied access.',
      { versions: ['auxiliary_version'] },
    ),
    404: problemResponse('No such parameter.', { versions: ['auxiliary_version'] }),
  },
};
