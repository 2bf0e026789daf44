import { S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { buildApp } from '../src/app';
import { CallBudget } from '../src/aws/call-budget';
import { type Config, loadAuxiliaryConfig } from '../src/config';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadAuxiliaryConfig({
    ENVIRONMENT_NAME: 'test',
    AWS_REGION: 'eu-west-1',
    LOG_LEVEL: 'silent',
    VERSION: 'v-test',
    AWS_MAX_ATTEMPTS: '1',
    // In-process tests drive the app from its own event loop, so their load counts as the
    // service's lag: load shedding is tested on its own (service-kit) and against real processes.
    LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...overrides,
  });
}

/** auxiliary-service with SDK clients whose every command is answered by the returned mocks. */
export async function appWithMockedAws(overrides: Record<string, string> = {}, now?: () => number) {
  const credentials = { accessKeyId: 'unit', secretAccessKey: 'unit' };
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const s3 = new S3Client({ region: 'eu-west-1', credentials });
  const ssmMock = mockClient(ssm);
  const s3Mock = mockClient(s3);
  const { app } = await buildApp(testConfig(overrides), { clients: { ssm, s3 }, ...(now ? { now } : {}) });
  return { app, ssmMock, s3Mock };
}

export const awsError = (name: string, status = 400) =>
  Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: status, attempts: 1 } });

/** A call budget no unit test of another concern runs into. */
export const roomyBudget = () => new CallBudget({ ratePerSecond: 1_000, burst: 1_000, readinessReserve: 1 });

/** The parameters that exist: what DescribeParameters lists (the service only reads listed names). */
export function mockListing(ssmMock: ReturnType<typeof mockClient>, names: readonly string[]): void {
  ssmMock.on(DescribeParametersCommand).resolves({ Parameters: names.map((Name) => ({ Name })) });
}
