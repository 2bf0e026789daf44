// What Argo CD deploys in each credentials_mode of the environment module: the auxiliary-service
// manifests rendered with the Kustomize components and patches Terraform puts on its Application.
// In every mode the Deployment gets AWS_REGION and only keys the Secret has, the objects stay
// valid and within the deployment policy, and the network lets the pod reach its credentials
// (Pod Identity's agent, STS for IRSA) and nothing more.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IServiceAccount } from 'kubernetes-models/v1';
import { AWS_SDK_VARIABLES, configSchema } from '../../services/auxiliary/src/config';
import { components, MODES, patches, secretKeys } from '../terraform/credentials-modes';
import { workloads } from './k8s';
import { readYaml, render, renderWithOptions } from './manifests';
import { type Endpoint, Network, type Pod } from './network';
import { policyViolations } from './policy';
import { type Manifest, schemaProblems } from './schemas';

const ROLE_ARN = 'arn:aws:iam::123456789012:role/test-auxiliary-service';
const mainApi = render('deploy/main');
const POD_IDENTITY_AGENT: Endpoint = { ip: '169.254.170.23' };
const INSTANCE_METADATA: Endpoint = { ip: '169.254.169.254' };
const STS: Endpoint = { ip: '52.94.236.248' };

for (const mode of MODES) {
  describe(`credentials_mode ${mode}`, () => {
    const objects = renderWithOptions('deploy/auxiliary', {
      components: components(mode, 'auxiliary_service'),
      patches: patches(mode, 'auxiliary_service', ROLE_ARN),
    });
    const [workload] = workloads(objects);
    const container = workload?.containers[0];

    it('renders valid objects that keep the deployment policy', () => {
      assert.ok(workload && container);
      for (const object of objects) assert.deepEqual(schemaProblems(object), [], object.metadata.name);
      assert.deepEqual(policyViolations([...objects, ...mainApi]), []);
      assert.deepEqual(components(mode, 'main_api'), [], 'main-api is the same in every mode');
      assert.deepEqual(patches(mode, 'main_api', ROLE_ARN), []);
    });

    it('the Application Terraform hands to Argo CD is valid with these kustomize options', () => {
      const application = readYaml<Manifest & { spec: { source: Record<string, unknown> } }>(
        'infra/argocd/auxiliary.yaml',
      );
      const kustomize = Object.fromEntries(
        Object.entries({
          components: components(mode, 'auxiliary_service'),
          patches: patches(mode, 'auxiliary_service', ROLE_ARN),
        }).filter(([, value]) => value.length > 0),
      );
      if (Object.keys(kustomize).length > 0) application.spec.source.kustomize = kustomize;
      assert.deepEqual(schemaProblems(application), []);
    });

    it('reads only keys the Secret has in this mode, AWS_REGION always, and the configuration parses', () => {
      const keys = secretKeys(mode);
      const fromSecret = (container?.env ?? []).filter((env) => env.valueFrom?.secretKeyRef);
      for (const env of fromSecret)
        assert.ok(keys.includes(env.valueFrom?.secretKeyRef?.key ?? ''), `${env.name} reads a missing key`);
      assert.deepEqual(fromSecret.map((env) => env.name).sort(), keys, 'every key of the Secret is used');
      assert.ok(keys.includes('AWS_REGION'));
      const sample: Record<string, string> = {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
        ENVIRONMENT_NAME: 'test',
      };
      const env = Object.fromEntries(
        (container?.env ?? []).map((e) => [e.name, e.value ?? (sample[e.name] as string)]),
      );
      const known = new Set([...Object.keys(configSchema.shape), ...AWS_SDK_VARIABLES]);
      for (const name of Object.keys(env))
        assert.ok(known.has(name), `${name} is unknown to auxiliary-service`);
      assert.ok(configSchema.safeParse(env).success, 'auxiliary-service would refuse this configuration');
      if (mode !== 'access_key')
        assert.ok(!('AWS_ACCESS_KEY_ID' in env || 'AWS_SECRET_ACCESS_KEY' in env), 'no static key');
    });

    it('annotates the ServiceAccount with the role only for IRSA', () => {
      const account = objects.find((o) => o.kind === 'ServiceAccount') as unknown as IServiceAccount;
      const annotations = account.metadata?.annotations ?? {};
      if (mode === 'irsa') assert.equal(annotations['eks.amazonaws.com/role-arn'], ROLE_ARN);
      else assert.equal(annotations['eks.amazonaws.com/role-arn'], undefined);
      assert.equal(account.automountServiceAccountToken, false);
    });

    it('the network lets the pod fetch its credentials and nothing more', () => {
      const network = new Network([...objects, ...mainApi]);
      const auxiliary = { ...(workload as Pod), ports: workload?.ports } as Pod;
      assert.equal(network.allows(auxiliary, POD_IDENTITY_AGENT, 80), mode === 'pod_identity');
      assert.equal(
        network.allows(auxiliary, INSTANCE_METADATA, 80),
        false,
        'the node role stays out of reach',
      );
      assert.equal(network.allows(auxiliary, STS, 443), true, 'STS (IRSA) and the AWS APIs over HTTPS');
      const [main] = workloads(mainApi);
      for (const matching of ['pod-port', 'service-port'] as const)
        assert.equal(network.allowsThroughService(main as Pod, auxiliary, 80, 8001, matching), true);
    });
  });
}
