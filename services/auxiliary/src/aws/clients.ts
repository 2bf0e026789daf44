import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Config } from '../config';

export interface AwsClients {
  ssm: SSMClient;
  s3: S3Client;
}

/**
 * The SDK clients, created once. Region, credentials and endpoint come from the SDK's
 * standard environment (AWS_REGION, the credential chain, AWS_ENDPOINT_URL), so one build
 * runs against AWS, the local emulator, or IRSA without code changes. Only the retries
 * and the socket timeouts are ours; the whole-operation budget is applied per call.
 */
export function createAwsClients(config: Pick<Config, 'AWS_MAX_ATTEMPTS' | 'AWS_TIMEOUT_MS'>): AwsClients {
  const requestHandler = () =>
    new NodeHttpHandler({
      connectionTimeout: Math.min(1_000, config.AWS_TIMEOUT_MS),
      requestTimeout: config.AWS_TIMEOUT_MS,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 50 }),
    });
  const common = {
    retryStrategy: new ConfiguredRetryStrategy(config.AWS_MAX_ATTEMPTS, retryBackoff(config)),
  };
  return {
    ssm: new SSMClient({ ...common, requestHandler: requestHandler() }),
    // Path-style addressing works with every S3 endpoint, including the emulator's.
    s3: new S3Client({ ...common, requestHandler: requestHandler(), forcePathStyle: true }),
  };
}

const BACKOFF_BASE_MS = 100;

/**
 * Full-jitter exponential backoff whose waits together take at most half the operation
 * budget. The SDK's default waits up to 1 s and then 2 s after throttling, which can use the
 * whole 3 s budget: the client would get a 504 where a 503 with Retry-After is the answer.
 */
export function retryBackoff(config: Pick<Config, 'AWS_MAX_ATTEMPTS' | 'AWS_TIMEOUT_MS'>) {
  const capMs = config.AWS_TIMEOUT_MS / (2 * Math.max(1, config.AWS_MAX_ATTEMPTS - 1));
  return (attempt: number) => Math.floor(Math.random() * Math.min(capMs, BACKOFF_BASE_MS * 2 ** attempt));
}
