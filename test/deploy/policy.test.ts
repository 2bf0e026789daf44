// The rendered manifests keep the Pod Security Standards "restricted" profile and the
// platform's deployment rules; and each rule is shown to fire on a manifest that breaks it,
// so a passing run means the rules were checked, not skipped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IContainer, IService, IServiceAccount } from 'kubernetes-models/v1';
import { renderAll } from './manifests';
import { policyViolations } from './policy';
import type { Manifest } from './schemas';

const rendered = renderAll();

const find = (objects: Manifest[], kind: string, namespace: string, name?: string): Manifest => {
  const found = objects.find(
    (o) =>
      o.kind === kind &&
      o.metadata.namespace === namespace &&
      (name === undefined || o.metadata.name === name),
  );
  assert.ok(found, `${kind} ${namespace}/${name ?? '*'} not rendered`);
  return found;
};
const deployment = (objects: Manifest[], namespace = 'auxiliary-service') =>
  find(objects, 'Deployment', namespace) as unknown as IDeployment & Manifest;
const pod = (objects: Manifest[], namespace?: string) => {
  const spec = deployment(objects, namespace).spec?.template.spec;
  assert.ok(spec);
  return spec;
};
const container = (objects: Manifest[], namespace?: string): IContainer => {
  const first = pod(objects, namespace).containers[0];
  assert.ok(first);
  return first;
};
const policy = (objects: Manifest[], namespace: string, name: string) =>
  find(objects, 'NetworkPolicy', namespace, name) as unknown as INetworkPolicy;

/** One broken manifest per rule: the mutation (in place, or returning new objects) and the violation it must produce. */
const BREAKAGES: { rule: string; breaks: (objects: Manifest[]) => unknown; expect: RegExp }[] = [
  {
    rule: 'runAsNonRoot',
    breaks: (o) => {
      const p = pod(o);
      if (p.securityContext) p.securityContext.runAsNonRoot = false;
      delete container(o).securityContext?.runAsNonRoot;
    },
    expect: /runAsNonRoot must be true/,
  },
  {
    rule: 'runAsUser 0',
    breaks: (o) => {
      const c = container(o, 'main-api').securityContext;
      if (c) c.runAsUser = 0;
    },
    expect: /main-api: container main-api: runAsUser must be set and non-zero/,
  },
  {
    rule: 'runAsGroup unset',
    breaks: (o) => {
      delete pod(o).securityContext?.runAsGroup;
      delete container(o).securityContext?.runAsGroup;
    },
    expect: /runAsGroup must be set and non-zero/,
  },
  {
    rule: 'allowPrivilegeEscalation',
    breaks: (o) => {
      delete container(o).securityContext?.allowPrivilegeEscalation;
    },
    expect: /allowPrivilegeEscalation must be false/,
  },
  {
    rule: 'privileged',
    breaks: (o) => {
      const c = container(o).securityContext;
      if (c) c.privileged = true;
    },
    expect: /privileged must not be true/,
  },
  {
    rule: 'capabilities drop ALL',
    breaks: (o) => {
      const c = container(o).securityContext;
      if (c) c.capabilities = { drop: ['NET_RAW'] };
    },
    expect: /capabilities must drop ALL/,
  },
  {
    rule: 'capabilities add',
    breaks: (o) => {
      const c = container(o).securityContext;
      if (c) c.capabilities = { drop: ['ALL'], add: ['NET_ADMIN'] };
    },
    expect: /capabilities must not add any/,
  },
  {
    rule: 'seccomp',
    breaks: (o) => {
      const p = pod(o).securityContext;
      if (p) p.seccompProfile = { type: 'Unconfined' };
      delete container(o).securityContext?.seccompProfile;
    },
    expect: /seccompProfile must be RuntimeDefault or Localhost/,
  },
  {
    rule: 'readOnlyRootFilesystem',
    breaks: (o) => {
      const c = container(o).securityContext;
      if (c) c.readOnlyRootFilesystem = false;
    },
    expect: /readOnlyRootFilesystem must be true/,
  },
  {
    rule: '/tmp emptyDir',
    breaks: (o) => {
      container(o).volumeMounts = [];
    },
    expect: /needs a writable emptyDir at \/tmp/,
  },
  {
    rule: 'hostNetwork',
    breaks: (o) => {
      pod(o).hostNetwork = true;
    },
    expect: /hostNetwork must not be set/,
  },
  {
    rule: 'hostPath volume',
    breaks: (o) => {
      pod(o).volumes?.push({ name: 'host', hostPath: { path: '/var/run' } });
    },
    expect: /volume host: type hostPath is not allowed/,
  },
  {
    rule: 'hostPort',
    breaks: (o) => {
      const port = container(o).ports?.[0];
      if (port) port.hostPort = 8001;
    },
    expect: /hostPort not allowed/,
  },
  {
    rule: 'sysctls',
    breaks: (o) => {
      const p = pod(o).securityContext;
      if (p) p.sysctls = [{ name: 'net.core.somaxconn', value: '1024' }];
    },
    expect: /sysctls must not be set/,
  },
  {
    rule: 'liveness checks dependencies',
    breaks: (o) => {
      const probe = container(o).livenessProbe;
      if (probe?.httpGet) probe.httpGet.path = '/readyz';
    },
    expect: /liveness and readiness probes must check different paths/,
  },
  {
    rule: 'startup identical to liveness',
    breaks: (o) => {
      const c = container(o, 'main-api');
      c.startupProbe = structuredClone(c.livenessProbe);
    },
    expect: /main-api.*startupProbe must differ from livenessProbe/,
  },
  {
    rule: 'readiness probe missing',
    breaks: (o) => {
      delete container(o).readinessProbe;
    },
    expect: /readinessProbe missing/,
  },
  {
    rule: 'probe on a port the container does not have',
    breaks: (o) => {
      const probe = container(o).startupProbe;
      if (probe?.httpGet) probe.httpGet.port = 'metrics';
    },
    expect: /startupProbe port metrics is not a container port/,
  },
  {
    rule: 'probe timeout',
    breaks: (o) => {
      const probe = container(o).readinessProbe;
      if (probe) probe.timeoutSeconds = probe.periodSeconds ?? 10;
    },
    expect: /readinessProbe timeoutSeconds must be below periodSeconds/,
  },
  {
    rule: 'memory limit',
    breaks: (o) => {
      delete container(o).resources?.limits?.memory;
    },
    expect: /memory limit missing/,
  },
  {
    rule: 'cpu request',
    breaks: (o) => {
      delete container(o, 'main-api').resources?.requests?.cpu;
    },
    expect: /cpu request missing/,
  },
  {
    rule: 'request above limit',
    breaks: (o) => {
      const requests = container(o).resources?.requests;
      if (requests) requests.memory = '1Gi';
    },
    expect: /memory request exceeds its limit/,
  },
  {
    rule: 'latest tag',
    breaks: (o) => {
      const c = container(o);
      c.image = c.image?.replace(/:[^:]+$/, ':latest');
    },
    expect: /must not use the latest tag/,
  },
  {
    rule: 'unpinned image',
    breaks: (o) => {
      const c = container(o);
      c.image = c.image?.replace(/:[^:]+$/, '');
    },
    expect: /must be pinned to a tag or digest/,
  },
  {
    rule: 'image registry',
    breaks: (o) => {
      container(o).image = 'docker.io/library/node:20';
    },
    expect: /must come from ghcr.io/,
  },
  {
    rule: 'secret in plain env',
    breaks: (o) => {
      const variable = container(o).env?.find((e) => e.name === 'AWS_SECRET_ACCESS_KEY');
      if (variable) {
        delete variable.valueFrom;
        variable.value = 'wJalrXUtnFEMI';
      }
    },
    expect: /AWS_SECRET_ACCESS_KEY looks secret/,
  },
  {
    rule: 'grace period too short',
    breaks: (o) => {
      pod(o).terminationGracePeriodSeconds = 15;
    },
    expect: /terminationGracePeriodSeconds must exceed SHUTDOWN_DELAY_MS \+ SHUTDOWN_TIMEOUT_MS \(15000 ms\)/,
  },
  {
    rule: 'shutdown env missing',
    breaks: (o) => {
      const c = container(o);
      c.env = c.env?.filter((e) => e.name !== 'SHUTDOWN_DELAY_MS');
    },
    expect: /env SHUTDOWN_DELAY_MS must be set to a number of ms/,
  },
  {
    rule: 'single replica without an HPA',
    breaks: (o) => {
      const spec = deployment(o).spec;
      if (spec) spec.replicas = 1;
      return o.filter(
        (x) => !(x.kind === 'HorizontalPodAutoscaler' && x.metadata.namespace === 'auxiliary-service'),
      );
    },
    expect: /replicas must be at least 2/,
  },
  {
    rule: 'HPA may scale to one pod',
    breaks: (o) => {
      const hpa = find(o, 'HorizontalPodAutoscaler', 'main-api') as unknown as IHorizontalPodAutoscaler;
      if (hpa.spec) hpa.spec.minReplicas = 1;
    },
    expect: /Deployment\/main-api\/main-api: HPA minReplicas must be at least 2/,
  },
  {
    rule: 'replicas next to an HPA (Argo CD would reset what the HPA chose)',
    breaks: (o) => {
      const spec = deployment(o).spec;
      if (spec) spec.replicas = 2;
    },
    expect: /replicas must be left out when an HPA scales the Deployment/,
  },
  {
    rule: 'rollout may drop below desired',
    breaks: (o) => {
      const rollingUpdate = deployment(o).spec?.strategy?.rollingUpdate;
      if (rollingUpdate) rollingUpdate.maxUnavailable = 1;
    },
    expect: /rollingUpdate.maxUnavailable must be 0/,
  },
  {
    rule: 'topology spread',
    breaks: (o) => {
      pod(o).topologySpreadConstraints = pod(o).topologySpreadConstraints?.filter(
        (c) => c.topologyKey !== 'kubernetes.io/hostname',
      );
    },
    expect: /spread the pods across nodes/,
  },
  {
    rule: 'PDB missing',
    breaks: (o) =>
      o.filter((x) => !(x.kind === 'PodDisruptionBudget' && x.metadata.namespace === 'main-api')),
    expect:
      /Deployment\/main-api\/main-api: exactly one PodDisruptionBudget must select the pods \(found 0\)/,
  },
  {
    rule: 'PDB blocks drains',
    breaks: (o) => {
      const pdb = find(o, 'PodDisruptionBudget', 'auxiliary-service') as unknown as IPodDisruptionBudget;
      if (pdb.spec) {
        delete pdb.spec.maxUnavailable;
        pdb.spec.minAvailable = 2;
      }
    },
    expect: /PodDisruptionBudget must allow one voluntary disruption/,
  },
  {
    rule: 'service account token on the pod',
    breaks: (o) => {
      delete pod(o).automountServiceAccountToken;
    },
    expect: /automountServiceAccountToken must be false/,
  },
  {
    rule: 'service account token on the ServiceAccount',
    breaks: (o) => {
      const account = find(o, 'ServiceAccount', 'main-api') as unknown as IServiceAccount;
      account.automountServiceAccountToken = true;
    },
    expect: /ServiceAccount main-api: automountServiceAccountToken must be false/,
  },
  {
    rule: 'default service account',
    breaks: (o) => {
      delete pod(o).serviceAccountName;
    },
    expect: /serviceAccountName must name its own ServiceAccount/,
  },
  {
    rule: 'Service selects no pods',
    breaks: (o) => {
      const service = find(o, 'Service', 'main-api') as unknown as IService;
      if (service.spec) service.spec.selector = { 'app.kubernetes.io/name': 'main' };
    },
    expect: /Service\/main-api\/main-api: selector matches no pods/,
  },
  {
    rule: 'Service targets a missing port',
    breaks: (o) => {
      const port = (find(o, 'Service', 'auxiliary-service') as unknown as IService).spec?.ports?.[0];
      if (port) port.targetPort = 'https';
    },
    expect: /targetPort https is not a container port of auxiliary-service/,
  },
  {
    rule: 'Service exposed outside the cluster',
    breaks: (o) => {
      const spec = (find(o, 'Service', 'main-api') as unknown as IService).spec;
      if (spec) spec.type = 'LoadBalancer';
    },
    expect: /Service type must be ClusterIP/,
  },
  {
    rule: 'no default deny',
    breaks: (o) =>
      o.filter(
        (x) =>
          !(
            x.kind === 'NetworkPolicy' &&
            x.metadata.name === 'default-deny-all' &&
            x.metadata.namespace === 'main-api'
          ),
      ),
    expect: /main-api.*namespace has no default-deny NetworkPolicy/,
  },
  {
    rule: 'NetworkPolicy selects no pods',
    breaks: (o) => {
      const spec = policy(o, 'auxiliary-service', 'auxiliary-service-allow-egress-https').spec;
      if (spec) spec.podSelector = { matchLabels: { app: 'auxiliary-service' } };
    },
    expect: /auxiliary-service-allow-egress-https: podSelector matches no pods/,
  },
  {
    rule: 'ingress on a port the pods do not have',
    breaks: (o) => {
      const port = policy(o, 'main-api', 'main-api-allow-ingress-http').spec?.ingress?.[0]?.ports?.[0];
      if (port) port.port = 8080;
    },
    expect: /ingress port 8080 is not a port of main-api/,
  },
  {
    rule: 'egress to the pod port only (blocked where the CNI matches the Service port, e.g. Amazon VPC CNI)',
    breaks: (o) => {
      const rule = policy(o, 'main-api', 'main-api-allow-egress-auxiliary-service').spec?.egress?.[0];
      if (rule) rule.ports = [{ protocol: 'TCP', port: 8001 }];
    },
    expect: /egress allows pod port 8001 of auxiliary-service but not its Service port 80/,
  },
  {
    rule: 'egress to the Service port only (blocked where policy sees the pod port)',
    breaks: (o) => {
      const rule = policy(o, 'main-api', 'main-api-allow-egress-auxiliary-service').spec?.egress?.[0];
      if (rule) rule.ports = [{ protocol: 'TCP', port: 80 }];
    },
    expect: /egress allows Service port 80 of auxiliary-service but not its pod port 8001/,
  },
  {
    rule: 'egress to a port neither the pods nor their Service have',
    breaks: (o) => {
      const port = policy(o, 'main-api', 'main-api-allow-egress-auxiliary-service').spec?.egress?.[0]
        ?.ports?.[0];
      if (port) port.port = 8080;
    },
    expect: /egress port 8080 is not a port of auxiliary-service or of a Service in front of it/,
  },
  {
    rule: 'egress peer matches no pods',
    breaks: (o) => {
      const peer = policy(o, 'main-api', 'main-api-allow-egress-auxiliary-service').spec?.egress?.[0]
        ?.to?.[0];
      if (peer) peer.podSelector = { matchLabels: { 'app.kubernetes.io/name': 'auxiliary' } };
    },
    expect: /egress peer matches no pods/,
  },
  {
    rule: 'ingress peer matches no pods',
    breaks: (o) => {
      const peer = policy(o, 'auxiliary-service', 'auxiliary-service-allow-ingress-from-main-api').spec
        ?.ingress?.[0]?.from?.[0];
      if (peer) peer.podSelector = { matchLabels: { 'app.kubernetes.io/name': 'main' } };
    },
    expect: /ingress peer matches no pods/,
  },
  {
    rule: 'rule without ports',
    breaks: (o) => {
      const rule = policy(o, 'auxiliary-service', 'auxiliary-service-allow-egress-https').spec?.egress?.[0];
      if (rule) delete rule.ports;
    },
    expect: /egress rule must name its ports/,
  },
  {
    rule: 'Namespace object',
    breaks: (o) => [...o, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'main-api' } }],
    expect: /namespaces belong to Terraform and Argo CD/,
  },
  {
    rule: 'Secret in git',
    breaks: (o) => [
      ...o,
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'x', namespace: 'main-api' },
        stringData: { a: 'b' },
      },
    ],
    expect: /Secrets must not live in git/,
  },
];

describe('deployment policy', () => {
  it('the rendered manifests break no rule', () => {
    assert.deepEqual(policyViolations(rendered), []);
  });

  for (const { rule, breaks, expect } of BREAKAGES) {
    it(`catches: ${rule}`, () => {
      const copy = structuredClone(rendered);
      const result = breaks(copy);
      const broken = Array.isArray(result) ? (result as Manifest[]) : copy;
      const violations = policyViolations(broken);
      assert.ok(
        violations.some((violation) => expect.test(violation)),
        `expected a violation matching ${expect}, got:\n${violations.join('\n') || '(none)'}`,
      );
    });
  }
});
