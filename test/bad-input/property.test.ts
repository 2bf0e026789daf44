// Property-based: thousands of generated requests against both services in-process. Never a
// 5xx, never a crash, every error is problem+json with the version field(s), and no AWS call
// for a name that is invalid or outside the service's path (the SDK is mocked to count calls).
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { buildApp as buildAuxiliary } from '../../services/auxiliary/src/app';
import { loadAuxiliaryConfig } from '../../services/auxiliary/src/config';
import { parameterNameProblem } from '../../services/auxiliary/src/parameter-name';
import { buildApp as buildMainApi } from '../../services/main-api/src/app';
import { loadMainConfig } from '../../services/main-api/src/config';
import { problemShapeError } from '../support/system';

const PREFIX = '/test/apps/';
/** The parameters that exist (what DescribeParameters lists under the prefix). */
const LISTED = [`${PREFIX}config/hotel`, `${PREFIX}config/env_name`];
const credentials = { accessKeyId: 'AKIAPROPERTYTEST0000', secretAccessKey: 'property-test-secret' };

// Generators -----------------------------------------------------------------------------------
const anyChar = fc.oneof(
  fc.constantFrom(
    '/',
    '.',
    '-',
    '_',
    '%',
    '?',
    '&',
    '=',
    '#',
    '+',
    ' ',
    '~',
    '\\',
    ';',
    '\u0000',
    '\u00e9',
    '\u{1F600}',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);
const validLevel = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/);
/** Names SSM accepts, mostly under the readable prefix, sometimes outside it. */
const validName = fc.oneof(
  fc.constantFrom(...LISTED),
  fc.array(validLevel, { minLength: 1, maxLength: 4 }).map((levels) => `${PREFIX}${levels.join('/')}`),
  fc.array(validLevel, { minLength: 1, maxLength: 15 }).map((levels) => `/${levels.join('/')}`),
  validLevel,
);
/** Anything at all: unicode, control characters, empty, overlong, broken hierarchies. */
const hostileName = fc.oneof(
  fc.string({ unit: anyChar, maxLength: 40 }).map((s) => `${PREFIX}${s}`),
  fc.string({ unit: anyChar, maxLength: 60 }),
  fc.constantFrom(
    '',
    '/',
    '//',
    `${PREFIX}`,
    `${PREFIX}a//b`,
    `${PREFIX}a/`,
    '/test/apps/../secret',
    'a'.repeat(1012),
  ),
  fc.integer({ min: 1000, max: 3000 }).map((n) => `${PREFIX}${'x'.repeat(n)}`),
  fc.array(validLevel, { minLength: 16, maxLength: 20 }).map((levels) => `/${levels.join('/')}`),
);
const encoding = fc.constantFrom<'component' | 'raw' | 'double'>('component', 'raw', 'double');
function encode(value: string, how: 'component' | 'raw' | 'double'): string {
  if (how === 'raw') return encodeURI(value).replaceAll('&', '%26').replaceAll('#', '%23');
  const once = encodeURIComponent(value);
  return how === 'double' ? encodeURIComponent(once) : once;
}
/** Query strings with zero, one or several `name` values, plus noise parameters. */
const parameterQuery = fc
  .record({
    names: fc.array(fc.tuple(fc.oneof(validName, hostileName), encoding), { maxLength: 3 }),
    noise: fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 8 })), {
      maxLength: 2,
    }),
    bare: fc.boolean(),
  })
  .map(({ names, noise, bare }) => {
    const parts = names.map(([name, how]) => `name=${encode(name, how)}`);
    for (const [key, value] of noise) parts.push(`${key}=${encodeURIComponent(value)}`);
    if (bare) parts.push('name');
    return { query: parts.join('&'), names: names.map(([name, how]) => ({ name, how })), bare };
  });
const KNOWN_PATHS = ['/buckets', '/parameters', '/parameter', '/healthz', '/readyz', '/metrics'];
const path = fc.oneof(
  fc.constantFrom(...KNOWN_PATHS),
  fc.constantFrom(...KNOWN_PATHS).map((p) => `${p}/`),
  fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
  fc.string({ unit: anyChar, maxLength: 30 }).map((s) => `/${encodeURI(s)}`),
  fc.constantFrom('/%zz', '/%', '/%E0%A4%A', '/parameter%00', '/..%2f..%2fetc', '//parameter', '/PARAMETER'),
  fc.integer({ min: 200, max: 3000 }).map((n) => `/${'p'.repeat(n)}`),
);
const method = fc.constantFrom(
  'GET',
  'GET',
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'PATCH',
  'OPTIONS',
  'TRACE',
  'PROPFIND',
);
const headers = fc.dictionary(
  fc.constantFrom(
    'x-request-id',
    'accept',
    'origin',
    'x-forwarded-for',
    'cookie',
    'authorization',
    'accept-encoding',
    'x-custom',
  ),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 300,
  }),
  { maxKeys: 4 },
);

// Checks ---------------------------------------------------------------------------------------
type Injected = { statusCode: number; headers: Record<string, unknown>; body: string };

function assertContract(response: Injected, versionFields: readonly string[], context: string) {
  assert.ok(response.statusCode < 500, `${context}: ${response.statusCode} ${response.body}`);
  if (response.statusCode >= 400 && context.startsWith('HEAD ')) {
    // A HEAD answer has no body; its headers still say problem+json.
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/, context);
  } else if (response.statusCode >= 400) {
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(response.body) as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const problem = problemShapeError(
      { status: response.statusCode, headers: response.headers as Record<string, string>, body },
      versionFields,
    );
    assert.equal(problem, undefined, `${context}: ${response.statusCode} ${response.body}`);
    assert.doesNotMatch(response.body, /\n\s+at |Error:/, `${context}: no stack trace`);
  }
}

/** What auxiliary-service must decide for `/parameter?<query>`, and whether AWS may be called. */
function expectedForParameter(names: { name: string }[], bare: boolean): { status: number[]; aws: boolean } {
  if (names.length + (bare ? 1 : 0) !== 1) return { status: [400], aws: false };
  const name = bare ? '' : (names[0]?.name ?? '');
  if (parameterNameProblem(name)) return { status: [400], aws: false };
  if (!name.startsWith(PREFIX) || name.length === PREFIX.length) return { status: [403], aws: false };
  // Only names the listing of the prefix knows are read; any other is a 404 without a call.
  return LISTED.includes(name) ? { status: [200], aws: true } : { status: [404], aws: false };
}

// Services -------------------------------------------------------------------------------------
describe('bad input never breaks the services', () => {
  const ssm = new SSMClient({ region: 'eu-west-1', credentials });
  const s3 = new S3Client({ region: 'eu-west-1', credentials });
  const ssmMock = mockClient(ssm);
  const s3Mock = mockClient(s3);
  let aux: FastifyInstance;
  let main: FastifyInstance;

  before(async () => {
    ssmMock.on(GetParameterCommand).callsFake((input: { Name?: string }) => ({
      Parameter: { Name: input.Name, Value: 'generated-value', Type: 'String' },
    }));
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: LISTED.map((Name) => ({ Name })) });
    s3Mock.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'test-apps-main' }] });
    const auxConfig = loadAuxiliaryConfig({
      AWS_REGION: 'eu-west-1',
      ENVIRONMENT_NAME: 'test',
      LOG_LEVEL: 'silent',
      CACHE_PARAMETER_TTL_MS: '0', // every listed name reaches the (mocked) SDK: countable
      // The call budget out of the way: this test is about input, not about the AWS call rate.
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
      // The generator drives both apps from this process's event loop: its work would count as
      // the services' lag. Load shedding has tests of its own.
      LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      VERSION: 'aux-prop',
    });
    ({ app: aux } = await buildAuxiliary(auxConfig, { clients: { ssm, s3 } }));
    await aux.listen({ host: '127.0.0.1', port: 0 });
    const { port } = aux.server.address() as AddressInfo;
    ({ app: main } = await buildMainApi(
      loadMainConfig({
        AUXILIARY_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'silent',
        VERSION: 'main-prop',
        LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '0',
      }),
    ));
  });

  after(async () => {
    await main?.close();
    await aux?.close();
    ssmMock.restore();
    s3Mock.restore();
  });

  const getCalls = () => ssmMock.commandCalls(GetParameterCommand).length;

  test('auxiliary-service: /parameter with generated names — 400/403 without an AWS call, or 200 with one', async () => {
    await fc.assert(
      fc.asyncProperty(parameterQuery, async ({ query, names, bare }) => {
        const before = getCalls();
        const response = await aux.inject({ method: 'GET', url: `/parameter?${query}` });
        const calls = getCalls() - before;
        assertContract(response, ['auxiliary_version'], `/parameter?${query.slice(0, 200)}`);
        // Encodings that do not decode back to the name (double, raw) are judged by what arrives.
        const decoded = names.map(({ name, how }) => ({
          name: how === 'component' ? name : safeDecode(safeDecode(encode(name, how))),
        }));
        if (names.every(({ how }) => how === 'component')) {
          const expected = expectedForParameter(decoded, bare);
          assert.ok(
            expected.status.includes(response.statusCode),
            `${query.slice(0, 200)} → ${response.statusCode}`,
          );
          assert.equal(calls, expected.aws ? 1 : 0, `AWS calls for ${query.slice(0, 200)}`);
        } else if (response.statusCode !== 200) {
          assert.equal(calls, 0, `no AWS call for a rejected name: ${query.slice(0, 200)}`);
        }
        if (response.statusCode === 200) {
          const body = JSON.parse(response.body) as { name: string };
          assert.equal(parameterNameProblem(body.name), undefined);
          assert.ok(body.name.startsWith(PREFIX));
        }
      }),
      { numRuns: 2_500 },
    );
  });

  test('auxiliary-service: generated paths, methods and headers — never 5xx, errors are problems', async () => {
    await fc.assert(
      fc.asyncProperty(path, method, headers, fc.option(parameterQuery), async (p, m, h, q) => {
        const before = getCalls();
        const url = q ? `${p}?${q.query}` : p;
        const response = await aux.inject({ method: m as 'GET', url, headers: h });
        assertContract(response, ['auxiliary_version'], `${m} ${url.slice(0, 200)}`);
        if (
          !(p === '/parameter' && m === 'GET' && response.statusCode === 200) &&
          !(m === 'HEAD' && p === '/parameter')
        ) {
          assert.equal(getCalls() - before, 0, `no GetParameter for ${m} ${url.slice(0, 200)}`);
        }
      }),
      { numRuns: 2_500 },
    );
  });

  test('main-api: generated requests forwarded over real HTTP — never 5xx, errors carry the version fields', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          parameterQuery.map(({ query }) => ({ m: 'GET', url: `/parameter?${query}`, h: {} })),
          fc.record({ m: method, url: path, h: headers }),
        ),
        async ({ m, url, h }) => {
          const response = await main.inject({ method: m as 'GET', url, headers: h });
          assertContract(response, ['main_version'], `${m} ${url.slice(0, 200)}`);
          // An error that came from auxiliary-service keeps its version field as well.
          if (response.statusCode >= 400 && url.startsWith('/parameter?') && m === 'GET') {
            const body = JSON.parse(response.body) as Record<string, unknown>;
            assert.equal(body.auxiliary_version, 'aux-prop', `forwarded error ${response.body}`);
          }
        },
      ),
      { numRuns: 1_200 },
    );
  });
});

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
