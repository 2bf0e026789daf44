// An end-to-end run of the whole stack at LOG_LEVEL=trace, with every line both services print
// captured: no seeded secret — the service user's key id and secret key, any parameter value,
// a distinctive canary value, or a credential sent in a request header — appears in any of them.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { FaultProxy } from '../support/fault-proxy';
import {
  type Emulator,
  httpGet,
  LOCAL_REGION,
  LogCapture,
  type ServiceProcess,
  startAuxiliaryAt,
  startEmulator,
  startMainApiAt,
  stopAll,
} from '../support/system';

const CANARY_NAME = '/test/apps/config/log-canary';
const CANARY_VALUE = `canary-${randomBytes(12).toString('hex')}`;
const CALLER_TOKEN = `token-${randomBytes(12).toString('hex')}`;

/** Every string leaf of a parsed JSON log line. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

describe('no secret in any log line, at trace level', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let aux: ServiceProcess;
  let main: ServiceProcess;
  const logs = new LogCapture();

  before(async () => {
    emulator = await startEmulator();
    const ssm = new SSMClient({
      endpoint: emulator.moto.endpoint,
      region: LOCAL_REGION,
      credentials: { accessKeyId: 'seed', secretAccessKey: 'seed' },
    });
    await ssm.send(new PutParameterCommand({ Name: CANARY_NAME, Value: CANARY_VALUE, Type: 'SecureString' }));
    ssm.destroy();
    // A proxy lets the run include AWS failures, whose errors are logged too.
    proxy = await FaultProxy.start(emulator.moto.port);
    // No cache and a call budget out of the way: every read reaches AWS and logs what it logs.
    const trace = {
      LOG_LEVEL: 'trace',
      CACHE_PARAMETER_TTL_MS: '0',
      CACHE_MAX_STALE_MS: '0',
      AWS_CALL_RATE: '1000',
      AWS_CALL_BURST: '1000',
    };
    aux = await startAuxiliaryAt(proxy.url, emulator.seeded, trace, logs.for('auxiliary-service'));
    main = await startMainApiAt(aux.url, { LOG_LEVEL: 'trace' }, logs.for('main-api'));
  });

  after(async () => {
    await stopAll(emulator, aux, main);
    await proxy?.close();
  });

  test('an end-to-end run, including errors, logs no secret', async () => {
    const { seeded } = emulator;
    const secretParameters = ['/test/service_user/access_key_id', '/test/service_user/secret_access_key'];
    const names = [...Object.keys(seeded.parameters), CANARY_NAME];
    const headers = {
      authorization: `Bearer ${CALLER_TOKEN}`,
      cookie: `session=${CALLER_TOKEN}`,
      'x-api-key': CALLER_TOKEN,
    };

    // The happy path, through main-api and directly: values really are served…
    for (const base of [main.url, aux.url]) {
      for (const name of names) {
        const answer = await httpGet(`${base}/parameter?name=${encodeURIComponent(name)}`, { headers });
        assert.equal(answer.status, 200, answer.text);
      }
      for (const path of ['/parameters', '/buckets', '/readyz', '/healthz', '/metrics']) {
        assert.ok((await httpGet(`${base}${path}`, { headers })).status < 500);
      }
      // …the service user's own key is refused (outside the readable path)…
      for (const name of secretParameters) {
        assert.equal((await httpGet(`${base}/parameter?name=${name}`, { headers })).status, 403);
      }
      // …and bad input is rejected.
      assert.equal((await httpGet(`${base}/parameter?name=bad%00name`, { headers })).status, 400);
    }
    // Failures are logged (warn): make some happen.
    await proxy.setMode({ kind: 'refuse' });
    assert.equal((await httpGet(`${main.url}/parameter?name=${CANARY_NAME}`, { headers })).status, 503);
    await proxy.setMode({ kind: 'drop', afterBytes: 30 });
    assert.ok((await httpGet(`${main.url}/parameter?name=${CANARY_NAME}`, { headers })).status >= 500);
    await proxy.setMode({ kind: 'pass' });
    await stopAll(aux, main); // shutdown logging too

    const lines = logs.lines;
    assert.ok(lines.length > 20, `captured ${lines.length} lines`);
    // Both services logged their access lines and the AWS failures.
    for (const service of ['auxiliary-service', 'main-api']) {
      assert.ok(
        logs.of(service).some((line) => line.includes('request completed')),
        `${service} access log`,
      );
    }
    assert.ok(
      logs.of('auxiliary-service').some((line) => line.includes('AWS call failed')),
      'failures logged',
    );

    // Long, distinctive secrets: not anywhere in any line, as substrings.
    const distinctive = [
      seeded.serviceUserCredentials.secretAccessKey,
      seeded.serviceUserCredentials.accessKeyId,
      CANARY_VALUE,
      CALLER_TOKEN,
      ...Object.values(seeded.parameters).filter((value) => value.length >= 8),
    ];
    // Short or common values ("test", "en_US"): no string field of a JSON log line equals one.
    const short = Object.values(seeded.parameters).filter((value) => value.length < 8);
    for (const { service, line } of lines) {
      for (const secret of distinctive) {
        assert.ok(
          !line.includes(secret),
          `${service} logged a secret (${secret.slice(0, 4)}…): ${line.slice(0, 300)}`,
        );
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        continue; // not a log record (e.g. the SDK's Node version warning on stderr)
      }
      for (const field of strings(parsed)) {
        assert.ok(
          !short.includes(field),
          `${service} logged a parameter value as a field: ${line.slice(0, 300)}`,
        );
      }
      assert.equal((parsed as { value?: unknown }).value, undefined, `${service}: a "value" field: ${line}`);
    }
    console.log(`[measure] log secrecy: ${lines.length} log lines at trace level checked, no secret found`);
  });
});
