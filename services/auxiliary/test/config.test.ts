import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@platform/service-kit';
import { loadAuxiliaryConfig } from '../src/config';

const minimal = { ENVIRONMENT_NAME: 'test', AWS_REGION: 'eu-west-1' };

describe('auxiliary-service configuration', () => {
  it('fills in the documented defaults', () => {
    const config = loadAuxiliaryConfig(minimal);
    assert.equal(config.PORT, 8001);
    assert.equal(config.VERSION, 'dev');
    assert.equal(config.PARAMETER_PATH_PREFIX, '/test/apps/');
    assert.equal(config.AWS_TIMEOUT_MS, 3_000);
    assert.equal(config.AWS_MAX_ATTEMPTS, 3);
    assert.equal(config.AWS_CALL_RATE, 1);
    assert.equal(config.AWS_CALL_BURST, 10);
    assert.equal(config.PARAMETER_LIST_REFRESH_MS, 5_000);
    assert.equal(config.LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS > 0, true);
    assert.deepEqual(config.CORS_ORIGINS, []);
  });

  it('treats empty values as unset', () => {
    assert.equal(loadAuxiliaryConfig({ ...minimal, PORT: '', VERSION: '' }).PORT, 8001);
  });

  it('stops with one line naming the variable, never its value', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ AWS_REGION: 'eu-west-1' }, /^invalid configuration: ENVIRONMENT_NAME is required$/],
      [{ ENVIRONMENT_NAME: 'test' }, /^invalid configuration: AWS_REGION is required$/],
      [
        { ...minimal, PORT: 'eighty' },
        /^invalid configuration: PORT must be an integer between 0 and 65535$/,
      ],
      [{ ...minimal, PORT: '70000' }, /PORT must be an integer/],
      [{ ...minimal, AWS_TIMEOUT_MS: '1.5' }, /AWS_TIMEOUT_MS must be an integer/],
      [{ ...minimal, LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
      [{ ...minimal, ENVIRONMENT_NAME: 'Prod/../x' }, /ENVIRONMENT_NAME must be lowercase/],
      [
        { ...minimal, PARAMETER_PATH_PREFIX: '/no-trailing-slash' },
        /PARAMETER_PATH_PREFIX must be an SSM path/,
      ],
      [{ ...minimal, CORS_ORIGINS: 'not a url' }, /CORS_ORIGINS must be a comma-separated list/],
      [{ ...minimal, AWS_CALL_RATE: '0' }, /AWS_CALL_RATE must be a number of calls per second/],
      [{ ...minimal, AWS_CALL_RATE: 'fast' }, /AWS_CALL_RATE must be a number of calls per second/],
      [{ ...minimal, AWS_CALL_BURST: '1' }, /AWS_CALL_BURST must be an integer between 2 and/],
      [{ ...minimal, PARAMETER_LIST_REFRESH_MS: '10' }, /PARAMETER_LIST_REFRESH_MS must be an integer/],
      [{ ...minimal, LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS: '-1' }, /LOAD_SHED_MAX_EVENT_LOOP_DELAY_MS must be/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadAuxiliaryConfig(env),
        (error) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, message);
          assert.doesNotMatch(error.message, /\n/);
          assert.doesNotMatch(error.message, /eighty|70000|loud|not a url|fast/);
          return true;
        },
      );
    }
  });

  it('accepts an explicit parameter prefix', () => {
    assert.equal(
      loadAuxiliaryConfig({ ...minimal, PARAMETER_PATH_PREFIX: '/shared/cfg/' }).PARAMETER_PATH_PREFIX,
      '/shared/cfg/',
    );
  });
});
