// auxiliary-service with web-identity credentials (what IRSA gives a pod: AWS_ROLE_ARN and a
// token file, no key): the AWS SDK's default chain exchanges the token at the emulator's STS
// (AssumeRoleWithWebIdentity) and the service works unchanged. It has no code path of its own
// for the keyless modes; EKS Pod Identity uses the same chain's container-credentials step.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { FastifyInstance } from 'fastify';
import { type Moto, startMoto } from '../../../../scripts/local/moto';
import { seedEnvironment } from '../../../../scripts/local/seed';
import { buildApp } from '../../src/app';
import { testConfig } from '../helpers';

const region = 'eu-west-1';
const ROLE_NAME = 'test-auxiliary-service';
// The variables the SDK's default chain reads; none of them may leak in from the outside.
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_SESSION_NAME',
];
let moto: Moto;
let app: FastifyInstance;
let serviceUserKeyId: string;
let tokenDir: string;

before(async () => {
  moto = await startMoto();
  const seeded = await seedEnvironment({ endpoint: moto.endpoint, region });
  serviceUserKeyId = seeded.serviceUserCredentials.accessKeyId;
  const iam = new IAMClient({ endpoint: moto.endpoint, region, credentials: seeded.serviceUserCredentials });
  const { Role } = await iam.send(
    new CreateRoleCommand({
      RoleName: ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
    }),
  );
  iam.destroy();
  tokenDir = mkdtempSync(join(tmpdir(), 'web-identity-'));
  const tokenFile = join(tokenDir, 'token');
  // A projected ServiceAccount token is a JWT; the emulator does not verify it.
  writeFileSync(tokenFile, 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJl');
  for (const variable of CREDENTIAL_VARIABLES) delete process.env[variable];
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  process.env.AWS_REGION = region;
  process.env.AWS_ROLE_ARN = Role?.Arn;
  process.env.AWS_WEB_IDENTITY_TOKEN_FILE = tokenFile;
  process.env.AWS_ROLE_SESSION_NAME = 'auxiliary-service-test';
  ({ app } = await buildApp(testConfig({ CACHE_PARAMETER_TTL_MS: '0', CACHE_LIST_TTL_MS: '0' })));
});

after(async () => {
  await app?.close();
  await moto?.stop();
  if (tokenDir) rmSync(tokenDir, { recursive: true, force: true });
});

describe('auxiliary-service with web-identity credentials (IRSA)', () => {
  it('the default chain resolves temporary credentials of the role from STS, not a key', async () => {
    const client = new SSMClient({});
    try {
      const credentials = await client.config.credentials();
      assert.ok(credentials.sessionToken, 'web identity yields a session token');
      assert.notEqual(credentials.accessKeyId, serviceUserKeyId, 'not the service user key');
      assert.equal(process.env.AWS_ACCESS_KEY_ID, undefined);
    } finally {
      client.destroy();
    }
  });

  it('serves buckets, parameter names and values', async () => {
    const buckets = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(buckets.statusCode, 200, buckets.body);
    assert.deepEqual(buckets.json().buckets, ['test-apps-main', 'test-apps-secondary']);

    const parameter = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/config/env_name' });
    assert.equal(parameter.statusCode, 200, parameter.body);
    assert.equal(parameter.json().value, 'test');

    const parameters = await app.inject({ method: 'GET', url: '/parameters' });
    assert.equal(parameters.statusCode, 200, parameters.body);
    assert.ok(parameters.json().parameters.includes('/test/apps/config/hotel'));
  });

  it('is ready: the readiness check reaches SSM with the role', async () => {
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  });
});
