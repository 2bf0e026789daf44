import type { OpenApiInfo } from '@platform/service-kit';

/** The OpenAPI document's info. `version` is the contract's, not the build's (config VERSION). */
export const apiInfo: OpenApiInfo = {
  title: 'auxiliary-service',
  version: '1.0.0',
  description:
    'Reads S3 bucket names and SSM parameters for main-api. Every answer carries `auxiliary_version`; ' +
    'errors are application/problem+json (RFC 9457). See the README "HTTP API".',
};
