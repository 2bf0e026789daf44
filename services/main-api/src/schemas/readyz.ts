import { commonProblems, jsonResponse, problemResponse } from '@platform/service-kit';

const OWN = { versions: ['main_version'] };

/** GET /readyz: main-api is ready while it serves (it checks no dependency). */
export const readyzSchema = {
  summary: 'Readiness: serving, not draining',
  operationId: 'getReadyz',
  response: {
    200: jsonResponse({
      description: 'Serving.',
      properties: { status: { type: 'string', const: 'ready' } },
    }),
    503: problemResponse('Shutting down (draining).', { ...OWN, retryAfter: true }),
    ...commonProblems(OWN),
  },
};
