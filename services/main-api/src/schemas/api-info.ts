import type { OpenApiInfo } from '@platform/service-kit';

/** The OpenAPI document's info. `version` is the contract's, not the build's (config VERSION). */
export const apiInfo: OpenApiInfo = {
  title: 'main-api',
  version: '1.0.0',
  description:
    'The public API: forwards to auxiliary-service and adds `main_version` to its answers. Its errors ' +
    'pass through with their status, plus `main_version`; errors are application/problem+json (RFC 9457). ' +
    'See the README "HTTP API".',
};
