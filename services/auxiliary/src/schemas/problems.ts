import { commonProblems, problemResponse } from '@platform/service-kit';

// Every problem auxiliary-service sends carries its version and nothing else (service-kit's
// error handler); see README "Errors" for when each status is sent.
const OWN = { versions: ['auxiliary_version'] };

export const problems = {
  badRequest: (description: string) => problemResponse(description, OWN),
  forbidden: problemResponse('AWS denied access.', OWN),
  badGateway: problemResponse('AWS gave an unexpected answer.', OWN),
  unavailable: problemResponse(
    "AWS is unavailable or throttling, this instance's AWS call budget is spent, or the service is overloaded.",
    { ...OWN, retryAfter: true },
  ),
  timeout: problemResponse('AWS did not answer within AWS_TIMEOUT_MS.', OWN),
  common: commonProblems(OWN),
};

/** What any route reading AWS can answer with besides its own 200. */
export const awsReadProblems = {
  403: problems.forbidden,
  502: problems.badGateway,
  503: problems.unavailable,
  504: problems.timeout,
  ...problems.common,
};
