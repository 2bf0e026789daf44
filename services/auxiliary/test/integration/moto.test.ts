// auxiliary-service against a real AWS emulator (moto_server on a free loopback port),
// with SDK clients configured only through the standard environment variables.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { FastifyInstance } from 'fastify';
import { type Moto, startMoto } from '../../../../scripts/local/moto';
import { type SeededEnvironment, seedEnvironment } from '../../../../scripts/local/seed';
import { buildApp } from '../../src/app';
import { testConfig } from '../helpers';

const region = 'eu-west-1';
let moto: Moto;
let seeded: SeededEnvironment;
let app: FastifyInstance;

function useEmulator(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }) {
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = region;
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
}

before(async () => {
  moto = await startMoto();
  seeded = await seedEnvironment({ endpoint: moto.endpoint, region });
  const admin = new SSMClient({
    endpoint: moto.endpoint,
    region,
    credentials: seeded.serviceUserCredentials,
  });
  await admin.send(
    new PutParameterCommand({
      Name: '/test/apps/secret/token',
      Value: 'decrypted-token',
      Type: 'SecureString',
    }),
  );
  admin.destroy();
  useEmulator(moto.endpoint, seeded.serviceUserCredentials);
  // Caches and the call budget out of the way: every request reaches the emulator.
  ({ app } = await buildApp(
    testConfig({
      CACHE_PARAMETER_TTL_MS: '0',
      CACHE_LIST_TTL_MS: '0',
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
    }),
  ));
});

after(async () => {
  await app?.close();
  await moto?.stop();
});

describe('auxiliary-service with the emulator', () => {
  it('lists the seeded buckets', async () => {
    const response = await app.inject({ method: 'GET', url: '/buckets' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), {
      auxiliary_version: 'v-test',
      buckets: ['test-apps-main', 'test-apps-secondary'],
    });
  });

  it('lists every parameter name, sorted', async () => {
    const response = await app.inject({ method: 'GET', url: '/parameters' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json().parameters, [
      '/test/apps/config/env_name',
      '/test/apps/config/hotel',
      '/test/apps/config/locale',
      '/test/apps/secret/token',
      '/test/service_user/access_key_id',
      '/test/service_user/secret_access_key',
    ]);
  });

  it('follows DescribeParameters pages (more than 50 names)', async () => {
    const admin = new SSMClient({
      endpoint: moto.endpoint,
      region,
      credentials: seeded.serviceUserCredentials,
    });
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        admin.send(
          new PutParameterCommand({
            Name: `/test/apps/bulk/p${String(i).padStart(2, '0')}`,
            Value: 'x',
            Type: 'String',
          }),
        ),
      ),
    );
    admin.destroy();
    const names: string[] = (await app.inject({ method: 'GET', url: '/parameters' })).json().parameters;
    assert.equal(names.filter((name) => name.startsWith('/test/apps/bulk/')).length, 60);
    assert.deepEqual(names, [...names].sort());
  });

  it('reads a String parameter and decrypts a SecureString one', async () => {
    const plain = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/config/env_name' });
    assert.deepEqual(plain.json(), {
      auxiliary_version: 'v-test',
      name: '/test/apps/config/env_name',
      value: 'test',
    });
    const secret = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/secret/token' });
    assert.equal(secret.json().value, 'decrypted-token');
  });

  it('answers 404 for a parameter that does not exist', async () => {
    const response = await app.inject({ method: 'GET', url: '/parameter?name=/test/apps/config/missing' });
    assert.equal(response.statusCode, 404);
  });

  it('keeps the service user key parameters unreadable even though the emulator would serve them', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/parameter?name=/test/service_user/secret_access_key',
    });
    assert.equal(response.statusCode, 403);
    assert.ok(!response.body.includes(seeded.serviceUserCredentials.secretAccessKey));
  });

  it('is ready when SSM answers', async () => {
    assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  });
});

describe('auxiliary-service when the emulator enforces IAM', () => {
  it('maps the XML 403 that the SDK cannot parse to a 403 problem', async () => {
    // The first three requests are unauthenticated (seeding); everything after is checked.
    const strict = await startMoto(undefined, undefined, { INITIAL_NO_AUTH_ACTION_COUNT: '3' });
    after(() => strict.stop());
    const common = {
      endpoint: strict.endpoint,
      region,
      credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' },
    };
    const ssm = new SSMClient(common);
    const iam = new IAMClient(common);
    await ssm.send(
      new PutParameterCommand({ Name: '/test/apps/config/env_name', Value: 'test', Type: 'String' }),
    );
    await iam.send(new CreateUserCommand({ UserName: 'no-policy' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'no-policy' }));
    ssm.destroy();
    iam.destroy();
    assert.ok(AccessKey?.AccessKeyId && AccessKey.SecretAccessKey);

    useEmulator(strict.endpoint, {
      accessKeyId: AccessKey.AccessKeyId,
      secretAccessKey: AccessKey.SecretAccessKey,
    });
    const { app: denied } = await buildApp(testConfig({ CACHE_PARAMETER_TTL_MS: '0' }));
    after(() => denied.close());
    const response = await denied.inject({
      method: 'GET',
      url: '/parameter?name=/test/apps/config/env_name',
    });
    assert.equal(response.statusCode, 403);
    assert.equal(response.json().title, 'Forbidden');
    assert.equal((await denied.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  });
});
