// The OpenAPI documents: what each service serves at /openapi.json is a sound OpenAPI 3.1 document,
// equals its committed copy in docs/openapi/ (`npm run openapi` rewrites them), and does not change
// with the build's VERSION. And the response validator the end-to-end tests use catches real faults.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { documentPath, SERVICES, type ServiceName, servedDocuments } from '../../scripts/openapi';
import { documentProblems, type OpenApiDocument, OpenApiValidator } from '../support/openapi-validator';

const BUILD_VERSION = 'build-7f3c2a9e';
const committed = (service: ServiceName) =>
  JSON.parse(readFileSync(documentPath(service), 'utf8')) as OpenApiDocument;

describe('the OpenAPI documents', () => {
  let served: Record<ServiceName, OpenApiDocument>;
  before(async () => {
    served = (await servedDocuments(BUILD_VERSION)) as unknown as Record<ServiceName, OpenApiDocument>;
  });

  for (const service of SERVICES) {
    it(`${service}: is a sound OpenAPI 3.1 document whose schemas compile`, () => {
      assert.deepEqual(documentProblems(served[service]), []);
    });

    it(`${service}: equals docs/openapi/${service}.json (run \`npm run openapi\` after changing a route)`, () => {
      assert.deepEqual(served[service], committed(service));
    });

    it(`${service}: holds no build version, and documents every API route`, () => {
      assert.ok(!JSON.stringify(served[service]).includes(BUILD_VERSION));
      assert.deepEqual(Object.keys(served[service].paths).sort(), [
        '/buckets',
        '/healthz',
        '/parameter',
        '/parameters',
        '/readyz',
      ]);
    });
  }

  it('both describe the `name` query parameter with the same schema', () => {
    const [auxiliary, main] = SERVICES.map((service) => served[service].paths['/parameter']?.get?.parameters);
    assert.ok(auxiliary?.length === 1 && auxiliary[0]?.required === true);
    assert.deepEqual(main, auxiliary);
  });
});

describe('the response validator', () => {
  const main = new OpenApiValidator(committed('main-api'));
  const headers = (entries: Record<string, string>) =>
    new Headers({ 'x-request-id': 'r-1', 'content-type': 'application/json; charset=utf-8', ...entries });
  const problemHeaders = (entries: Record<string, string> = {}) =>
    headers({ 'content-type': 'application/problem+json; charset=utf-8', ...entries });
  const buckets = { auxiliary_version: 'a', buckets: ['b'], main_version: 'm' };
  const problem = (status: number) => ({
    auxiliary_version: 'a',
    main_version: 'm',
    type: 'about:blank',
    title: 't',
    status,
    detail: 'd',
  });
  const check = (url: string, status: number, body: unknown, h: Headers, method = 'GET') =>
    main.check({ method, url, status, headers: h, body: body === '' ? '' : JSON.stringify(body) });

  it('accepts conforming answers', () => {
    assert.deepEqual(check('/buckets', 200, buckets, headers({})), []);
    assert.deepEqual(check('/buckets', 200, buckets, headers({ 'x-cache': 'stale' })), []);
    assert.deepEqual(check('/parameter?name=/x', 404, problem(404), problemHeaders()), []);
    assert.deepEqual(check('/buckets', 503, problem(503), problemHeaders({ 'retry-after': '2' })), []);
    const own = { main_version: 'm', type: 'about:blank', title: 't', status: 502, detail: 'd' };
    assert.deepEqual(check('/buckets', 502, own, problemHeaders()), []);
    assert.deepEqual(check('/nope', 404, { ...own, status: 404 }, problemHeaders()), []);
    assert.deepEqual(
      check(
        '/buckets',
        405,
        { ...own, status: 405, allow: 'GET, HEAD' },
        problemHeaders({ allow: 'GET, HEAD' }),
        'DELETE',
      ),
      [],
    );
  });

  it('reports a body without main_version, or with a member too many', () => {
    const { main_version: _, ...withoutMain } = buckets;
    assert.match(
      check('/buckets', 200, withoutMain, headers({})).join(),
      /must have required property 'main_version'/,
    );
    const { main_version: __, ...passedThrough } = problem(400);
    assert.match(
      check('/parameter', 400, passedThrough, problemHeaders()).join(),
      /must have required property 'main_version'/,
    );
    assert.match(
      check('/buckets', 200, { ...buckets, secret: 'x' }, headers({})).join(),
      /additional properties/,
    );
  });

  it('reports a status the operation does not document, or a path it does not know', () => {
    assert.match(check('/buckets', 201, buckets, headers({})).join(), /status 201 is not documented/);
    assert.match(
      check('/buckets', 404, problem(404), problemHeaders()).join(),
      /status 404 is not documented/,
    );
    assert.match(check('/nope', 200, buckets, headers({})).join(), /no such operation; expected 404/);
    assert.match(check('/buckets', 405, problem(405), problemHeaders(), 'DELETE').join(), /without Allow/);
  });

  it('reports a wrong content type, a missing required header, or a header out of its schema', () => {
    assert.match(
      check('/parameter', 400, problem(400), headers({})).join(),
      /content type application\/json/,
    );
    assert.match(check('/buckets', 503, problem(503), problemHeaders()).join(), /Retry-After is missing/);
    assert.match(check('/buckets', 200, buckets, headers({ 'x-cache': 'fresh' })).join(), /header X-Cache/);
    const noId = new Headers({ 'content-type': 'application/json' });
    assert.match(check('/buckets', 200, buckets, noId).join(), /X-Request-Id is missing/);
  });
});
