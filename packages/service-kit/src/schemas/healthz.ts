import { commonProblems, jsonResponse, type ProblemOptions } from './responses';

/** GET /healthz on both services: the process answers; nothing else is checked. */
export function healthzSchema(problems: ProblemOptions) {
  return {
    summary: 'Liveness: the process answers',
    operationId: 'getHealthz',
    response: {
      200: jsonResponse({
        description: 'The process is alive; no dependency was checked.',
        properties: { status: { type: 'string', const: 'ok' } },
      }),
      ...commonProblems(problems),
    },
  };
}
