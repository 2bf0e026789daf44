import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../config';

export interface AwsClients {
  ssm: SSMClient;
  s3: S3Client;
}

/**
 * The SDK clients, created once. Region, credentials and endpoint come from the SDK's
 * standard environment (AWS_REGION, the credential chain, AWS_ENDPOINT_URL), so one build
 * runs against AWS, the local emulator, or IRSA without code changes. Only the retry
 * count and the socket timeouts are ours; the whole-operation budget is applied per call.
 */
export function createAwsClients(config: Pick<Config, 'AWS_MAX_ATTEMPTS' | 'AWS_TIMEOUT_MS'>): AwsClients {
  const requestHandler = () =>
    new NodeHttpHandler({
      connectionTimeout: Math.min(1_000, config.AWS_TIMEOUT_MS),
      requestTimeout: config.AWS_TIMEOUT_MS,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    });
  const common = { maxAttempts: config.AWS_MAX_ATTEMPTS, retryMode: 'standard' } as const;
  return {
    ssm: new SSMClient({ ...common, requestHandler: requestHandler() }),
    // Path-style addressing works with every S3 endpoint, including the emulator's.
    s3: new S3Client({ ...common, requestHandler: requestHandler(), forcePathStyle: true }),
  };
}
