// The Argo CD Applications point at this repository's deploy/ directories, sync them
// automatically into the namespaces the manifests and docs/contract.md use, and clean up.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1';
import { contractNames } from './contract';
import { APPS, type Kustomization, ROOT, readYaml } from './manifests';

const seconds = (duration: string | undefined): number => {
  const match = /^(\d+)(s|m|h)$/.exec(duration ?? '');
  assert.ok(match, `not a duration: ${duration}`);
  return Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
};

describe('Argo CD Applications', () => {
  const repoUrl = contractNames('GitHub owner / repository')[2];
  const [, , enforceLabel] = contractNames('namespaces');

  for (const { app, deployDir, argocd } of APPS) {
    it(`${argocd}: source, destination and sync policy`, () => {
      const application = readYaml<IApplication>(argocd);
      assert.equal(application.metadata?.name, app);
      assert.equal(application.metadata?.namespace, 'argocd');
      assert.deepEqual(application.metadata?.finalizers, ['resources-finalizer.argocd.argoproj.io']);

      const { spec } = application;
      assert.equal(spec.project, 'default');
      assert.deepEqual(spec.source, { repoURL: repoUrl, targetRevision: 'HEAD', path: deployDir });
      assert.ok(
        existsSync(join(ROOT, deployDir, 'kustomization.yaml')),
        `${deployDir} has no kustomization.yaml`,
      );

      const namespace = readYaml<Kustomization>(`${deployDir}/kustomization.yaml`).namespace;
      assert.deepEqual(spec.destination, { server: 'https://kubernetes.default.svc', namespace });
      assert.equal(namespace, app);

      const sync = spec.syncPolicy;
      assert.deepEqual(sync?.automated, { prune: true, selfHeal: true });
      assert.deepEqual(sync?.syncOptions, ['CreateNamespace=true']);
      assert.equal(enforceLabel, 'pod-security.kubernetes.io/enforce: restricted');
      // One owner per namespace: Terraform. With managedNamespaceMetadata Argo CD would
      // server-side-apply the existing namespace on every sync (controller/sync_namespace.go).
      assert.equal(sync?.managedNamespaceMetadata, undefined, 'Argo CD must not manage the namespace');

      const retry = sync?.retry;
      assert.ok((retry?.limit ?? 0) >= 3, 'retry.limit');
      assert.ok((retry?.backoff?.factor ?? 0) >= 2, 'retry.backoff.factor');
      assert.ok(seconds(retry?.backoff?.maxDuration) > seconds(retry?.backoff?.duration), 'backoff grows');
    });
  }
});
