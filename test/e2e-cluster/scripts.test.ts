// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is HCL and shell, compared as text.
// The cluster e2e scripts: shellcheck-clean (Debian package `shellcheck`), and the pieces that
// decide what the run proves checked against the repository: the Applications it points at
// the commit, the image names it loads, the bodies it expects.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocuments, render } from '../deploy/manifests';
import { type Manifest, schemaProblems } from '../deploy/schemas';
import { bash, LIB, ROOT, SCRIPT } from './support';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const SCRIPTS = [
  SCRIPT,
  'scripts/terraform-test.sh',
  ...readdirSync(join(ROOT, LIB)).map((file) => `${LIB}/${file}`),
];

const shellcheck = (...args: string[]) =>
  spawnSync('shellcheck', ['--external-sources', '--severity=style', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });

describe('shellcheck', () => {
  it('is clean on scripts/e2e and scripts/terraform-test.sh', () => {
    const result = shellcheck(...SCRIPTS);
    assert.equal(result.error, undefined, 'shellcheck is not installed (apt-get install -y shellcheck)');
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('reports a broken script (the check is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellcheck-'));
    try {
      writeFileSync(join(dir, 'bad.sh'), '#!/usr/bin/env bash\nrm -rf $1/*\n');
      const result = shellcheck(join(dir, 'bad.sh'));
      assert.notEqual(result.status, 0);
      assert.match(result.stdout, /SC2086/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every script stops on the first error', () => {
    for (const script of [SCRIPT, 'scripts/terraform-test.sh'])
      assert.match(readFileSync(join(ROOT, script), 'utf8'), /^set -euo pipefail$/m, script);
  });
});

describe('point_applications', () => {
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'argocd-'));
    cpSync(join(ROOT, 'infra/argocd'), dir, { recursive: true });
    return dir;
  };
  const read = (dir: string, file: string) =>
    parseDocuments(readFileSync(join(dir, file), 'utf8'), file) as (Manifest & {
      spec: { source: Record<string, string> };
    })[];

  it('points both Applications at the repository and commit of the run, and changes nothing else', () => {
    const dir = copy();
    try {
      const result = bash(['applications'], 'point_applications', [
        dir,
        'https://github.com/acme/fork.git',
        SHA,
      ]);
      assert.equal(result.status, 0, result.stderr);
      for (const file of ['main.yaml', 'auxiliary.yaml']) {
        const [original] = read(join(ROOT, 'infra/argocd'), file);
        const pointed = read(dir, file);
        assert.equal(pointed.length, 1, 'still one document for Terraform to yamldecode');
        const [application] = pointed as [Manifest & { spec: { source: Record<string, string> } }];
        assert.deepEqual(schemaProblems(application), []);
        assert.equal(application.spec.source.repoURL, 'https://github.com/acme/fork.git');
        assert.equal(application.spec.source.targetRevision, SHA);
        assert.ok(original);
        original.spec.source.repoURL = 'https://github.com/acme/fork.git';
        original.spec.source.targetRevision = SHA;
        assert.deepEqual(application, original);
      }
      assert.deepEqual(readdirSync(dir).sort(), ['auxiliary.yaml', 'main.yaml'], 'no backup files left');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [what, repository, revision] of [
    ['a branch name', 'https://github.com/acme/fork.git', 'main'],
    ['a short SHA', 'https://github.com/acme/fork.git', SHA.slice(0, 12)],
    ['an ssh URL', 'git@github.com:acme/fork.git', SHA],
    ['a URL sed would misread', 'https://github.com/acme/a&b.git', SHA],
  ] as const) {
    it(`refuses ${what}`, () => {
      const dir = copy();
      try {
        const before = readFileSync(join(dir, 'main.yaml'), 'utf8');
        const result = bash(['applications'], 'point_applications', [dir, repository, revision]);
        assert.notEqual(result.status, 0);
        assert.equal(readFileSync(join(dir, 'main.yaml'), 'utf8'), before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('turns the remote URLs git prints into the https URL Argo CD reads', () => {
    for (const [remote, url] of [
      ['git@github.com:acme/fork.git', 'https://github.com/acme/fork.git'],
      ['ssh://git@github.com/acme/fork.git', 'https://github.com/acme/fork.git'],
      ['https://github.com/acme/fork', 'https://github.com/acme/fork.git'],
      ['https://github.com/acme/fork.git', 'https://github.com/acme/fork.git'],
    ])
      assert.equal(bash(['applications'], 'repository_url', [remote as string]).stdout.trim(), url);
  });
});

describe('kustomization_image', () => {
  for (const [deployDir, container] of [
    ['deploy/main', 'main-api'],
    ['deploy/auxiliary', 'auxiliary-service'],
  ]) {
    it(`${deployDir}: the image the run builds and loads is the one the rendered Deployment runs`, () => {
      const result = bash(['images'], 'kustomization_image', [`${deployDir}/kustomization.yaml`]);
      assert.equal(result.status, 0, result.stderr);
      const deployment = render(deployDir as string).find((o) => o.kind === 'Deployment') as unknown as {
        spec: {
          template: { spec: { containers: { name: string; image: string; imagePullPolicy: string }[] } };
        };
      };
      const running = deployment.spec.template.spec.containers.find((c) => c.name === container);
      assert.equal(running?.image, result.stdout.trim());
      // A loaded image is used only if the kubelet does not insist on pulling it.
      assert.equal(running?.imagePullPolicy, 'IfNotPresent');
    });
  }

  it('refuses a kustomization without an image tag', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomization-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        'images:\n  - name: main-api\n    newName: ghcr.io/x/main-api\n',
      );
      assert.notEqual(bash(['images'], 'kustomization_image', [join(dir, 'kustomization.yaml')]).status, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('expected answers', () => {
  // The specification's section 8.4, verbatim (its commit SHA in both version fields).
  const SPEC_VERSION = '05381237521317c714dd0cf8eaf6d7268d889715';
  const SPEC: Record<string, string> = {
    parameter: `{"auxiliary_version":"${SPEC_VERSION}","main_version":"${SPEC_VERSION}","name":"/test/apps/config/env_name","value":"test"}`,
    buckets: `{"auxiliary_version":"${SPEC_VERSION}","buckets":["test-apps-main","test-apps-secondary"],"main_version":"${SPEC_VERSION}"}`,
    parameters: `{"auxiliary_version":"${SPEC_VERSION}","main_version":"${SPEC_VERSION}","parameters":["/test/apps/config/env_name","/test/apps/config/hotel","/test/apps/config/locale","/test/service_user/access_key_id","/test/service_user/secret_access_key"]}`,
  };

  for (const [name, body] of Object.entries(SPEC)) {
    it(`${name}: the specification's example, with the built commit as both versions`, () => {
      assert.equal(bash(['checks'], 'expected_body', [name, SPEC_VERSION]).stdout, body);
      assert.equal(bash(['checks'], 'expected_body', [name, SHA]).stdout, body.replaceAll(SPEC_VERSION, SHA));
    });
  }

  it('the README shows the same answers (version dev)', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const name of Object.keys(SPEC))
      assert.ok(readme.includes(bash(['checks'], 'expected_body', [name, 'dev']).stdout), name);
  });
});
