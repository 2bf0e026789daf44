// The shipped bundles refuse to start on invalid configuration, with one line that names
// the variable (and never echoes its value), and exit code 78 (EX_CONFIG).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { AUXILIARY_BUNDLE, MAIN_API_BUNDLE } from '../../scripts/local/services';

function start(bundle: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, [bundle], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { code: result.status, stderr: result.stderr.trim(), stdout: result.stdout };
}

describe('start-up with invalid configuration', () => {
  const cases: [string, string, Record<string, string>, string][] = [
    [
      'auxiliary-service',
      AUXILIARY_BUNDLE,
      { AWS_REGION: 'eu-west-1' },
      'invalid configuration: ENVIRONMENT_NAME is required',
    ],
    [
      'auxiliary-service',
      AUXILIARY_BUNDLE,
      { AWS_REGION: 'eu-west-1', ENVIRONMENT_NAME: 'test', AWS_TIMEOUT_MS: 'soon-ish' },
      'invalid configuration: AWS_TIMEOUT_MS must be an integer between 100 and 30000',
    ],
    ['main-api', MAIN_API_BUNDLE, {}, 'invalid configuration: AUXILIARY_URL is required'],
    [
      'main-api',
      MAIN_API_BUNDLE,
      { AUXILIARY_URL: 'http://127.0.0.1:8001', PORT: 'eighty-eighty' },
      'invalid configuration: PORT must be an integer between 0 and 65535',
    ],
  ];
  for (const [service, bundle, env, line] of cases) {
    it(`${service}: "${line}"`, () => {
      const { code, stderr, stdout } = start(bundle, env);
      assert.equal(code, 78);
      assert.equal(stderr, line);
      assert.equal(stdout, '', 'nothing else is printed, and no server started');
    });
  }
});
