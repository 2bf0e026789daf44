// The processes' own HTTP surface: no banners, security headers on every kind of answer, and
// CORS only when CORS_ORIGINS is configured (then only for those origins).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { httpGet, type ServiceProcess, startAuxiliaryAt, startMainApiAt, stopAll } from '../support/system';

const EXPECTED_HEADERS: Record<string, RegExp> = {
  'content-security-policy': /default-src 'none'/,
  'x-content-type-options': /^nosniff$/,
  'x-frame-options': /^DENY$/,
  'referrer-policy': /^no-referrer$/,
  'cache-control': /no-store/,
  'x-request-id': /.+/,
};
const BANNERS = ['x-powered-by', 'server', 'x-aspnet-version', 'via'];
const ALLOWED = 'https://app.example.com';

describe('HTTP surface of the processes', () => {
  const seeded = {
    environment: 'test',
    serviceUserCredentials: { accessKeyId: 'AKIAHEADERSTEST00000', secretAccessKey: 'headers-test' },
  };
  let aux: ServiceProcess;
  let main: ServiceProcess;
  let mainWithCors: ServiceProcess;

  before(async () => {
    [aux, main, mainWithCors] = await Promise.all([
      startAuxiliaryAt('http://127.0.0.1:9', seeded, { LOG_LEVEL: 'warn' }),
      startMainApiAt('http://127.0.0.1:9', { LOG_LEVEL: 'warn' }),
      startMainApiAt('http://127.0.0.1:9', { LOG_LEVEL: 'warn', CORS_ORIGINS: ALLOWED }),
    ]);
  });

  after(() => stopAll(aux, main, mainWithCors));

  test('no banners and all security headers, on success, 404, 405, 502/503 and 400 answers', async () => {
    for (const service of [aux, main]) {
      const paths = ['/healthz', '/nope', '/parameter', '/buckets', '/metrics'];
      const answers = [
        ...(await Promise.all(paths.map((path) => httpGet(`${service.url}${path}`)))),
        await httpGet(`${service.url}/healthz`, { method: 'DELETE' }),
      ];
      const statuses = answers.map((answer) => answer.status);
      assert.ok(statuses.includes(200) && statuses.includes(404) && statuses.includes(405), String(statuses));
      for (const answer of answers) {
        for (const banner of BANNERS)
          assert.equal(answer.headers[banner], undefined, `${banner} on ${answer.status}`);
        for (const [name, pattern] of Object.entries(EXPECTED_HEADERS)) {
          assert.match(
            String(answer.headers[name] ?? ''),
            pattern,
            `${name} on ${service.name} ${answer.status}`,
          );
        }
      }
    }
  });

  test('CORS is off by default: no Access-Control-* headers, preflight not honoured', async () => {
    for (const service of [aux, main]) {
      const simple = await httpGet(`${service.url}/healthz`, { headers: { origin: ALLOWED } });
      const preflight = await httpGet(`${service.url}/healthz`, {
        method: 'OPTIONS',
        headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
      });
      for (const answer of [simple, preflight]) {
        const cors = Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'));
        assert.deepEqual(cors, [], `${service.name}: ${cors.join(', ')}`);
      }
      assert.ok(preflight.status >= 400 && preflight.status < 500, `preflight ${preflight.status}`);
    }
  });

  test('CORS_ORIGINS set: only the configured origin is allowed, for GET/HEAD', async () => {
    const allowed = await httpGet(`${mainWithCors.url}/healthz`, { headers: { origin: ALLOWED } });
    assert.equal(allowed.headers['access-control-allow-origin'], ALLOWED);
    const preflight = await httpGet(`${mainWithCors.url}/parameters`, {
      method: 'OPTIONS',
      headers: { origin: ALLOWED, 'access-control-request-method': 'GET' },
    });
    assert.ok(preflight.status === 204 || preflight.status === 200, `preflight ${preflight.status}`);
    assert.equal(preflight.headers['access-control-allow-origin'], ALLOWED);
    assert.match(String(preflight.headers['access-control-allow-methods']), /GET/);
    assert.doesNotMatch(String(preflight.headers['access-control-allow-methods']), /POST|PUT|DELETE/);
    const other = await httpGet(`${mainWithCors.url}/healthz`, {
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});
