export { type BaseConfig, baseConfigShape, ConfigError, intFromEnv, loadConfig } from './config';
export { createService, type Service, type ServiceOptions } from './create-service';
export { withDeadline } from './deadline';
export { sendProblem, type VersionFields } from './error-handler';
export { installGracefulShutdown, Lifecycle, type ShutdownOptions } from './lifecycle';
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
export { REQUEST_ID_HEADER, requestIdFor } from './request-id';
export { startService } from './start-service';
