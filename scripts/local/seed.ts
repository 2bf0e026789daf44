import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  IAMClient,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { type BucketLocationConstraint, CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { environmentResources } from './environment-data';
import { serviceUserPolicy } from './service-user-policy';

export interface EmulatorTarget {
  endpoint: string;
  region: string;
}

export interface SeededEnvironment {
  environment: string;
  buckets: string[];
  parameters: Record<string, string>;
  /** The service user's key, which auxiliary-service runs with locally, as it does in Kubernetes. */
  serviceUserCredentials: { accessKeyId: string; secretAccessKey: string };
}

// The emulator accepts any credentials for the administrative seeding.
const ADMIN_CREDENTIALS = { accessKeyId: 'seed', secretAccessKey: 'seed' };

/** Creates in the emulator what Terraform creates for `environment` (see infra/terraform/environment). */
export async function seedEnvironment(
  target: EmulatorTarget,
  environment = 'test',
  bucketNamePrefix = '',
): Promise<SeededEnvironment> {
  const resources = environmentResources(environment, bucketNamePrefix);
  const common = { endpoint: target.endpoint, region: target.region, credentials: ADMIN_CREDENTIALS };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const ssm = new SSMClient(common);
  const iam = new IAMClient(common);
  try {
    for (const bucket of resources.buckets) {
      await s3.send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(target.region === 'us-east-1'
            ? {}
            : {
                CreateBucketConfiguration: { LocationConstraint: target.region as BucketLocationConstraint },
              }),
        }),
      );
    }
    for (const [name, value] of Object.entries(resources.parameters)) {
      await ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'String', Overwrite: true }));
    }

    await iam.send(new CreateUserCommand({ UserName: resources.serviceUser }));
    // The emulator's default account; IAM is not enforced locally (see DESIGN.md §4), but the
    // user carries the same policy as in AWS so that it can be inspected and simulated.
    const policy = serviceUserPolicy({
      partition: 'aws',
      dns_suffix: 'amazonaws.com',
      region: target.region,
      account_id: '123456789012',
      environment,
      bucket_name: `${bucketNamePrefix}${environment}-apps-main`,
    });
    await iam.send(
      new PutUserPolicyCommand({
        UserName: resources.serviceUser,
        PolicyName: `${resources.serviceUser}-read`,
        PolicyDocument: policy,
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: resources.serviceUser }));
    if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey)
      throw new Error('the emulator returned no access key');
    const key = { accessKeyId: AccessKey.AccessKeyId, secretAccessKey: AccessKey.SecretAccessKey };
    for (const [name, value] of [
      [resources.serviceUserParameters.accessKeyId, key.accessKeyId],
      [resources.serviceUserParameters.secretAccessKey, key.secretAccessKey],
    ] as const) {
      await ssm.send(
        new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString', Overwrite: true }),
      );
    }

    return {
      environment,
      buckets: resources.buckets,
      parameters: resources.parameters,
      serviceUserCredentials: key,
    };
  } finally {
    s3.destroy();
    ssm.destroy();
    iam.destroy();
  }
}
