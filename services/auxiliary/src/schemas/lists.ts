import { jsonResponse, versionProperties } from '@platform/service-kit';
import { awsReadProblems } from './problems';

const names = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

/** GET /buckets: every S3 bucket's name, sorted. */
export const bucketsSchema = {
  summary: 'List S3 buckets',
  operationId: 'listBuckets',
  response: {
    200: jsonResponse({
      description: 'Every bucket the service can list, all pages, sorted.',
      properties: { ...versionProperties(['auxiliary_version']), buckets: names('Bucket names, sorted.') },
      cached: true,
    }),
    ...awsReadProblems,
  },
};

/** GET /parameters: every SSM parameter's name, sorted. */
export const parametersSchema = {
  summary: 'List SSM parameter names',
  operationId: 'listParameters',
  response: {
    200: jsonResponse({
      description: 'Every parameter name, all pages, sorted. Values are never listed.',
      properties: {
        ...versionProperties(['auxiliary_version']),
        parameters: names('Parameter names, sorted.'),
      },
      cached: true,
    }),
    ...awsReadProblems,
  },
};
