import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadMainConfig } from '../src/config';

describe('main-api configuration', () => {
  it('fills in the documented defaults and normalises the upstream URL', () => {
    const config = loadMainConfig({
      AUXILIARY_URL: 'http://auxiliary-service.auxiliary-service.svc.cluster.local/',
    });
    assert.equal(config.PORT, 8000);
    assert.equal(config.AUXILIARY_URL, 'http://auxiliary-service.auxiliary-service.svc.cluster.local');
    assert.equal(config.UPSTREAM_TIMEOUT_MS, 5_000);
  });

  it('requires an http(s) AUXILIARY_URL', () => {
    assert.throws(
      () => loadMainConfig({}),
      /^ConfigError: invalid configuration: AUXILIARY_URL is required$/,
    );
    assert.throws(
      () => loadMainConfig({ AUXILIARY_URL: 'ftp://x' }),
      /AUXILIARY_URL must be an http\(s\) URL/,
    );
    assert.throws(
      () => loadMainConfig({ AUXILIARY_URL: 'nonsense' }),
      /AUXILIARY_URL must be an http\(s\) URL/,
    );
  });

  it('keeps the upstream budget above auxiliary-service’s AWS budget by default', () => {
    assert.ok(loadMainConfig({ AUXILIARY_URL: 'http://x' }).UPSTREAM_TIMEOUT_MS > 3_000);
  });
});

describe('UPSTREAM_MAX_PENDING', () => {
  it('defaults to 256 and takes 0 (no waiting at all)', () => {
    assert.equal(loadMainConfig({ AUXILIARY_URL: 'http://x' }).UPSTREAM_MAX_PENDING, 256);
    assert.equal(
      loadMainConfig({ AUXILIARY_URL: 'http://x', UPSTREAM_MAX_PENDING: '0' }).UPSTREAM_MAX_PENDING,
      0,
    );
  });

  it('refuses what is not a whole number in range, naming the variable', () => {
    for (const value of ['-1', '1.5', 'many', '100001']) {
      assert.throws(
        () => loadMainConfig({ AUXILIARY_URL: 'http://x', UPSTREAM_MAX_PENDING: value }),
        /^ConfigError: invalid configuration: UPSTREAM_MAX_PENDING must be an integer between 0 and 100000$/,
      );
    }
  });
});
