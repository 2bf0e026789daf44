// Every rendered object and both Argo CD Applications validate against the real
// Kubernetes / Argo CD schemas, with unknown fields rejected.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APPS, parseDocuments, readText, render } from './manifests';
import { type Manifest, schemaProblems } from './schemas';

const EXPECTED_KINDS = [
  'Deployment',
  'HorizontalPodAutoscaler',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'Service',
  'ServiceAccount',
];

describe('schemas', () => {
  for (const { app, deployDir, argocd } of APPS) {
    it(`${deployDir} renders and every object is valid`, () => {
      const objects = render(deployDir);
      assert.deepEqual([...new Set(objects.map((o) => o.kind))].sort(), EXPECTED_KINDS);
      for (const object of objects) {
        assert.deepEqual(schemaProblems(object), [], `${object.kind} ${object.metadata.name}`);
      }
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, 'duplicate object names');
      assert.ok(names.includes(`Deployment/${app}`) && names.includes(`Service/${app}`));
    });

    it(`${argocd} is one valid Application`, () => {
      const documents = parseDocuments(readText(argocd), argocd);
      assert.equal(documents.length, 1, 'Terraform yamldecode takes exactly one document');
      const [application] = documents as [Manifest];
      assert.equal(application.kind, 'Application');
      assert.deepEqual(schemaProblems(application), []);
    });
  }
});

describe('the strict schema check itself', () => {
  const deployment = () =>
    structuredClone(render('deploy/main').find((o) => o.kind === 'Deployment') as Manifest);
  const application = () => parseDocuments(readText('infra/argocd/main.yaml'), 'main.yaml')[0] as Manifest;

  it('reports a misspelt field deep in a pod template', () => {
    const object = deployment() as Manifest & {
      spec: { template: { spec: { containers: Record<string, unknown>[] } } };
    };
    const container = object.spec.template.spec.containers[0] as Record<string, unknown>;
    container.livenessprobe = container.livenessProbe;
    delete container.livenessProbe;
    assert.deepEqual(schemaProblems(object), [
      '/spec/template/spec/containers/0/livenessprobe: unknown field "livenessprobe"',
    ]);
  });

  it('reports a misspelt field in metadata and in an Application', () => {
    const object = deployment();
    (object.metadata as Record<string, unknown>).lables = { a: 'b' };
    assert.deepEqual(schemaProblems(object), ['/metadata/lables: unknown field "lables"']);
    const app = application() as Manifest & { spec: { syncPolicy: Record<string, unknown> } };
    app.spec.syncPolicy.syncOption = ['CreateNamespace=true'];
    assert.deepEqual(schemaProblems(app), ['/spec/syncPolicy/syncOption: unknown field "syncOption"']);
  });

  it('accepts any key in maps (labels, annotations, resource lists)', () => {
    const object = deployment() as Manifest & {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    object.spec.template.metadata.labels['example.com/anything'] = 'x';
    object.metadata = { ...object.metadata, annotations: { 'any/key': 'v' } } as Manifest['metadata'];
    assert.deepEqual(schemaProblems(object), []);
  });

  it('reports type errors and unknown kinds', () => {
    const object = deployment() as Manifest & { spec: Record<string, unknown> };
    object.spec.replicas = 'two';
    assert.match(schemaProblems(object).join('\n'), /data\/spec\/replicas must be integer/);
    assert.deepEqual(schemaProblems({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), [
      'no schema known for v1 Pod',
    ]);
  });

  it('checks a HorizontalPodAutoscaler against autoscaling/v2 (a v1 field is unknown there)', () => {
    const hpa = () =>
      structuredClone(
        render('deploy/auxiliary').find((o) => o.kind === 'HorizontalPodAutoscaler') as Manifest,
      ) as Manifest & { spec: Record<string, unknown> };
    const v1Style = hpa();
    v1Style.spec.targetCPUUtilizationPercentage = 70;
    assert.deepEqual(schemaProblems(v1Style), [
      '/spec/targetCPUUtilizationPercentage: unknown field "targetCPUUtilizationPercentage"',
    ]);
    const noMaximum = hpa();
    delete noMaximum.spec.maxReplicas;
    assert.match(schemaProblems(noMaximum).join('\n'), /maxReplicas/);
  });
});
