export { type BaseConfig, baseConfigShape, ConfigError, intFromEnv, loadConfig } from './config';
export { createService } from './create-service';
export { withDeadline } from './deadline';
export { installGracefulShutdown, Lifecycle } from './lifecycle';
export { OPENAPI_PATH, type OpenApiInfo } from './openapi';
export {
  badGateway,
  badRequest,
  forbidden,
  gatewayTimeout,
  HttpProblem,
  notFound,
  PROBLEM_CONTENT_TYPE,
  serviceUnavailable,
} from './problem';
export { REQUEST_ID_HEADER } from './request-id';
export {
  MAX_HIERARCHY_DEPTH,
  MAX_NAME_LENGTH,
  PARAMETER_NAME_PATTERN,
  parameterQuerySchema,
} from './schemas/parameter-query';
export {
  commonProblems,
  type JsonSchema,
  jsonResponse,
  PROBLEM_MEDIA_TYPE,
  type ProblemOptions,
  problemResponse,
  problemSchema,
  versionProperties,
} from './schemas/responses';
export { startService } from './start-service';
export { requestSpan } from './tracing/request-tracing';
export type { Tracing } from './tracing/tracing';
