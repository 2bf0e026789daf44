import { jsonResponse, problemResponse } from '@platform/service-kit';
import { problems } from './problems';

/** GET /readyz: ready once an SSM call has succeeded recently (readiness.ts). */
export const readyzSchema = {
  summary: 'Readiness: SSM answers',
  operationId: 'getReadyz',
  response: {
    200: jsonResponse({
      description: 'An SSM call succeeded recently (the result is cached a few seconds).',
      properties: { status: { type: 'string', const: 'ready' } },
    }),
    503: problemResponse('SSM has not answered yet, or the service is draining.', {
      versions: ['auxiliary_version'],
      retryAfter: true,
    }),
    ...problems.common,
  },
};
