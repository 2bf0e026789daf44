import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpProblem } from '@platform/service-kit';
import { assertReadableParameter, MAX_NAME_LENGTH, parameterNameProblem } from '../src/parameter-name';

describe('parameterNameProblem', () => {
  it('accepts names that follow SSM naming rules', () => {
    for (const name of ['/test/apps/config/env_name', 'plain', 'a.b-c_d', `/${'a/'.repeat(14)}z`]) {
      assert.equal(parameterNameProblem(name), undefined, name);
    }
  });

  it('rejects what SSM would reject', () => {
    const cases: Record<string, string> = {
      '': 'empty',
      'has space': 'characters',
      '/test/apps/ü': 'characters',
      '/test/apps/x:1': 'characters',
      'test/apps/x': 'start with /',
      '/test//x': 'empty levels',
      '/test/apps/': 'empty levels',
      [`/${'a/'.repeat(15)}z`]: 'levels',
      [`/${'a'.repeat(MAX_NAME_LENGTH)}`]: 'characters long',
    };
    for (const [name, why] of Object.entries(cases)) {
      const problem = parameterNameProblem(name);
      assert.ok(problem, `${JSON.stringify(name).slice(0, 40)} should be rejected (${why})`);
    }
  });

  it('allows exactly 1011 characters and 15 levels', () => {
    assert.equal(parameterNameProblem(`/${'a'.repeat(MAX_NAME_LENGTH - 1)}`), undefined);
    assert.ok(parameterNameProblem(`/${'a'.repeat(MAX_NAME_LENGTH)}`));
    assert.equal(parameterNameProblem(`/${Array(15).fill('l').join('/')}`), undefined);
    assert.ok(parameterNameProblem(`/${Array(16).fill('l').join('/')}`));
  });
});

describe('assertReadableParameter', () => {
  const status = (name: string) => {
    try {
      assertReadableParameter(name, '/test/apps/');
      return 200;
    } catch (error) {
      assert.ok(error instanceof HttpProblem);
      return error.status;
    }
  };

  it('lets through names under the allowed prefix', () => {
    assert.equal(status('/test/apps/config/env_name'), 200);
  });

  it('answers 403 outside the prefix, including look-alike prefixes', () => {
    for (const name of [
      '/test/service_user/secret_access_key',
      '/prod/apps/x',
      '/test/apps',
      '/test/appsx/y',
      'x',
    ]) {
      assert.equal(status(name), 403, name);
    }
  });

  it('answers 400 before the prefix check for invalid names', () => {
    assert.equal(status('/test/apps/bad name'), 400);
    assert.equal(status('/test/apps//x'), 400);
  });
});
