// yamllint (Debian package `yamllint`) with the committed .yamllint.yaml is clean on every
// YAML file Kubernetes, Argo CD and GitHub read.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from './manifests';

const yamllint = (...args: string[]) =>
  spawnSync(
    'yamllint',
    ['--strict', '--format', 'parsable', '--config-file', join(ROOT, '.yamllint.yaml'), ...args],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );

describe('yamllint', () => {
  it('is clean on deploy/, infra/argocd/ and .github/', () => {
    const targets = ['deploy', 'infra/argocd', ...(existsSync(join(ROOT, '.github')) ? ['.github'] : [])];
    const result = yamllint(...targets);
    assert.equal(result.error, undefined, 'yamllint is not installed (apt-get install -y yamllint)');
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('fails on a badly formatted file with the same configuration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'yamllint-'));
    try {
      writeFileSync(join(dir, 'bad.yaml'), 'key: value   \nlist:\n- a\nkey: duplicate\n');
      const result = yamllint(join(dir, 'bad.yaml'));
      assert.notEqual(result.status, 0);
      assert.match(result.stdout, /trailing-spaces/);
      assert.match(result.stdout, /key-duplicates/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
