export { type BaseConfig, baseConfigShape, ConfigError, intFromEnv, loadConfig } from './config';
export { createService } from './create-service';
export { withDeadline } from './deadline';
export { installGracefulShutdown, Lifecycle } from './lifecycle';
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
export { startService } from './start-service';
