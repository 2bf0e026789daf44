// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// The Kustomize components under deploy/components/ that Terraform turns on through the Argo CD
// Applications (spec.source.kustomize.components): each renders, stays valid and within the
// deployment policy, does what it is for, and is named the same on the Terraform side.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { IServiceAccount } from 'kubernetes-models/v1';
import { loadModule } from '../terraform/hcl';
import { APPS, ROOT, render, renderWithOptions } from './manifests';
import { policyViolations } from './policy';
import { schemaProblems } from './schemas';

const apps = await loadModule('environment/apps');

describe('component image-pull-secret', () => {
  const component = '../components/image-pull-secret';

  it('is the path Terraform adds to both Applications when image_pull_secret is set', () => {
    const components = String(apps.locals.argocd_kustomize_components);
    assert.match(
      components,
      /local\.image_pull_secret_enabled \? \["\.\.\/components\/image-pull-secret"\] : \[\]/,
    );
    for (const { deployDir } of APPS)
      assert.ok(
        existsSync(join(ROOT, deployDir, component, 'kustomization.yaml')),
        `${deployDir}/${component}`,
      );
    assert.equal(apps.locals.image_pull_secret_name, 'image-pull-secret');
    const secret = apps.resources['kubernetes_secret_v1.image_pull'];
    assert.equal(secret?.metadata[0].name, '${local.image_pull_secret_name}');
    assert.equal(secret?.type, 'kubernetes.io/dockerconfigjson');
    assert.equal(secret?.for_each, '${local.image_pull_secret_enabled ? local.namespaces : {}}');
  });

  for (const { app, deployDir } of APPS) {
    it(`${app}: lists image-pull-secret in the ServiceAccount and changes nothing else`, () => {
      const plain = render(deployDir);
      const objects = renderWithOptions(deployDir, { components: [component] });
      const accounts = objects.filter((o) => o.kind === 'ServiceAccount') as unknown as IServiceAccount[];
      assert.equal(accounts.length, 1);
      assert.deepEqual(accounts[0]?.imagePullSecrets, [{ name: 'image-pull-secret' }]);
      for (const object of objects) assert.deepEqual(schemaProblems(object), [], object.metadata.name);
      assert.deepEqual(policyViolations(objects), []);
      const withoutPullSecrets = objects.map((o) =>
        o.kind === 'ServiceAccount' ? { ...o, imagePullSecrets: undefined } : o,
      );
      assert.deepEqual(
        JSON.parse(JSON.stringify(withoutPullSecrets)),
        JSON.parse(JSON.stringify(plain)),
        'the component must touch only imagePullSecrets',
      );
    });
  }
});
