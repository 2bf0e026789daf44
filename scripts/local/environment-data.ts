import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The one data file that both Terraform (environment/resources) and the local seeding read. */
export const ENVIRONMENT_DATA_FILE = fileURLToPath(
  new URL('../../infra/terraform/environment/app-resources.json', import.meta.url),
);

interface EnvironmentData {
  bucket_suffixes: string[];
  parameters: Record<string, string>;
}

export interface EnvironmentResources {
  environment: string;
  buckets: string[];
  /** Full parameter name → value, as Terraform creates them. */
  parameters: Record<string, string>;
  serviceUser: string;
  serviceUserParameters: { accessKeyId: string; secretAccessKey: string };
}

/**
 * What Terraform creates for one environment (workspace), derived from the data file.
 * `bucketNamePrefix` is the environment module's `bucket_name_prefix` (empty by default).
 */
export function environmentResources(environment: string, bucketNamePrefix = ''): EnvironmentResources {
  const data = JSON.parse(readFileSync(ENVIRONMENT_DATA_FILE, 'utf8')) as EnvironmentData;
  return {
    environment,
    buckets: data.bucket_suffixes.map((suffix) => `${bucketNamePrefix}${environment}-${suffix}`),
    parameters: Object.fromEntries(
      Object.entries(data.parameters).map(([key, value]) => [
        `/${environment}/apps/${key}`,
        value.replaceAll('{env}', environment),
      ]),
    ),
    serviceUser: `${environment}-app-service-user`,
    serviceUserParameters: {
      accessKeyId: `/${environment}/service_user/access_key_id`,
      secretAccessKey: `/${environment}/service_user/secret_access_key`,
    },
  };
}
