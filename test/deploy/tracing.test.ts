// The optional tracing component under deploy/components/tracing/: it renders onto both
// applications, sets OTEL_EXPORTER_OTLP_ENDPOINT once on the service's container and changes
// nothing else of the base objects, its NetworkPolicy opens exactly one flow (the service's pods
// → the OpenTelemetry Collector pods of `monitoring` on TCP 4318), and the base manifests have
// neither. The README's patch that points the variable elsewhere is rendered too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IContainer } from 'kubernetes-models/v1';
import { spanExportFrom } from '../../packages/service-kit/src/tracing/config';
import * as auxiliaryConfig from '../../services/auxiliary/src/config';
import * as mainConfig from '../../services/main-api/src/config';
import { type Workload, workloads } from './k8s';
import { APPS, type KustomizeOptions, readText, readYaml, render, renderWithOptions } from './manifests';
import { type Endpoint, Network, type Pod, type Protocol } from './network';
import { policyViolations } from './policy';
import { type Manifest, schemaProblems } from './schemas';

const TRACING = '../components/tracing';
const VARIABLE = 'OTEL_EXPORTER_OTLP_ENDPOINT';
const ENDPOINT = 'http://otel-collector.monitoring.svc:4318';
const POLICY = 'NetworkPolicy/allow-egress-otlp-to-collector';
const CONFIGS = { 'main-api': mainConfig, 'auxiliary-service': auxiliaryConfig } as const;

type App = (typeof APPS)[number]['app'];
const key = (object: Manifest) => `${object.kind}/${object.metadata.name}`;
const strip = (objects: Manifest[]) => JSON.parse(JSON.stringify(objects)) as Manifest[];
const base = Object.fromEntries(APPS.map(({ app, deployDir }) => [app, render(deployDir)])) as Record<
  App,
  Manifest[]
>;
const rendered = Object.fromEntries(
  APPS.map(({ app, deployDir }) => [app, renderWithOptions(deployDir, { components: [TRACING] })]),
) as Record<App, Manifest[]>;

function workloadOf(objects: Manifest[]): Workload {
  const [workload, ...others] = workloads(objects);
  assert.ok(workload);
  assert.equal(others.length, 0, 'one Deployment expected');
  return workload;
}
const otelVariables = (container: IContainer) =>
  (container.env ?? []).filter((variable) => variable.name.startsWith('OTEL_'));

/** The collector pods of the official opentelemetry-collector Helm chart (mode: deployment). */
const collector: Pod = {
  namespace: 'monitoring',
  labels: {
    'app.kubernetes.io/name': 'opentelemetry-collector',
    'app.kubernetes.io/instance': 'otel-collector',
    component: 'standalone-collector',
  },
};
/** Endpoints a broken policy could open up: the same pod elsewhere, other pods, the outside. */
const others: [string, Endpoint][] = [
  ['the collector pod label in another namespace', { ...collector, namespace: 'observability' }],
  ['a collector pod in the default namespace', { ...collector, namespace: 'default' }],
  [
    'Prometheus in monitoring',
    { namespace: 'monitoring', labels: { 'app.kubernetes.io/name': 'prometheus' } },
  ],
  [
    'an Operator-managed collector in monitoring (other labels)',
    {
      namespace: 'monitoring',
      labels: {
        'app.kubernetes.io/name': 'otel-collector',
        'app.kubernetes.io/component': 'opentelemetry-collector',
      },
    },
  ],
  ['kube-dns', { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }],
  ['a pod of its own namespace', { namespace: 'main-api', labels: { run: 'debug' } }],
  ['a pod of its own namespace', { namespace: 'auxiliary-service', labels: { run: 'debug' } }],
  ['an address outside the cluster', { ip: '52.95.110.1' }],
  ['a private address', { ip: '10.0.3.7' }],
];
/** OTLP gRPC, OTLP/HTTP, the legacy OTLP/HTTP port, collector metrics and health, the rest. */
const PORTS = [4317, 4318, 4319, 55681, 8888, 13133, 9411, 14268, 53, 80, 443, 8000, 8001];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP'];

describe('tracing component: rendering', () => {
  for (const { app } of APPS) {
    it(`${app}: adds only its NetworkPolicy and the variable, every object valid and within the deployment policy`, () => {
      const objects = rendered[app];
      const baseKeys = new Set(base[app].map(key));
      assert.deepEqual(objects.filter((object) => !baseKeys.has(key(object))).map(key), [POLICY]);
      // Take the variable out again: every base object is then exactly as before.
      const withoutVariable = strip(objects.filter((object) => baseKeys.has(key(object))));
      for (const container of workloads(withoutVariable).flatMap((w) => w.containers))
        container.env = container.env?.filter((variable) => variable.name !== VARIABLE);
      assert.deepEqual(withoutVariable, strip(base[app]), 'the base objects must be unchanged');
      for (const object of objects) assert.deepEqual(schemaProblems(object), [], key(object));
      assert.deepEqual(policyViolations(objects), []);
    });

    it(`${app}: ${VARIABLE} is set once, on the service's container, to the collector`, () => {
      const { containers, pod } = workloadOf(rendered[app]);
      assert.deepEqual(
        containers.map((container) => container.name),
        [app],
      );
      assert.deepEqual(pod.initContainers ?? [], []);
      const [container] = containers as [IContainer];
      assert.deepEqual(otelVariables(container), [{ name: VARIABLE, value: ENDPOINT }]);
      assert.deepEqual(container.envFrom ?? [], workloadOf(base[app]).containers[0]?.envFrom ?? []);
    });

    it(`${app}: the service reads the variable and sends its spans to the collector's /v1/traces`, () => {
      const [container] = workloadOf(rendered[app]).containers as [IContainer];
      // The variables the Deployment sets literally, plus samples for those from the Secret and
      // ConfigMap (consistency.test.ts checks them for real).
      const env: Record<string, string> = { AWS_REGION: 'eu-west-1', ENVIRONMENT_NAME: 'test' };
      for (const variable of container.env ?? [])
        if (variable.value !== undefined) env[variable.name] = variable.value;
      const parsed = CONFIGS[app].configSchema.safeParse(env);
      assert.ok(parsed.success, parsed.error?.message);
      const spanExport = spanExportFrom(parsed.data);
      assert.equal(spanExport?.url, `${ENDPOINT}/v1/traces`);
      assert.equal(spanExport?.protocol, 'http/protobuf', 'OTLP/HTTP, the protocol port 4318 serves');
    });

    it(`${app}: the base manifests have no OTEL variable and no egress to monitoring`, () => {
      for (const container of workloadOf(base[app]).containers)
        assert.deepEqual(otelVariables(container), [], container.name);
      const policies = base[app].filter((object) => object.kind === 'NetworkPolicy');
      assert.ok(policies.length > 0);
      assert.ok(!JSON.stringify(policies).includes('monitoring'));
      assert.ok(!JSON.stringify(policies).includes('4318'));
    });
  }

  it('one component serves both applications: one patch per Deployment, naming its container', () => {
    const component = readYaml<{
      kind: string;
      resources: string[];
      patches: { target: Record<string, string>; patch: string }[];
    }>('deploy/components/tracing/kustomization.yaml');
    assert.equal(component.kind, 'Component');
    assert.deepEqual(component.resources, ['networkpolicy.yaml']);
    assert.deepEqual(
      component.patches.map(({ target }) => target),
      APPS.map(({ app }) => ({ kind: 'Deployment', name: app })),
    );
    for (const [index, { app }] of APPS.entries())
      assert.match(component.patches[index]?.patch ?? '', new RegExp(`containers:\\n\\s+- name: ${app}\\n`));
  });

  it('with every other component on, the variable is still set once and all stays valid', () => {
    const combinations: Record<App, KustomizeOptions> = {
      'main-api': {
        components: [
          '../components/image-pull-secret',
          '../components/monitoring',
          '../components/monitoring/dashboard-and-alerts',
          TRACING,
        ],
      },
      'auxiliary-service': {
        components: [
          '../components/image-pull-secret',
          '../components/keyless',
          '../components/pod-identity-agent',
          '../components/monitoring',
          TRACING,
        ],
      },
    };
    for (const { app, deployDir } of APPS) {
      const objects = renderWithOptions(deployDir, combinations[app]);
      const [container] = workloadOf(objects).containers as [IContainer];
      assert.deepEqual(otelVariables(container), [{ name: VARIABLE, value: ENDPOINT }], app);
      assert.ok(
        objects.some((object) => key(object) === POLICY),
        app,
      );
      assert.deepEqual(policyViolations(objects), [], app);
    }
  });
});

describe("tracing component: the README's patch for another collector", () => {
  /** The Kustomize patch README's "### Traces" shows, for main-api. */
  function readmePatch(): string {
    const readme = readText('README.md');
    const section = /^### Traces\n([\s\S]*?)(?=^##)/m.exec(readme)?.[1];
    assert.ok(section, 'README has no "### Traces" section');
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.ok(block, 'no yaml block in README "### Traces"');
    const patch = /^ {2}- patch: \|-\n([\s\S]*)$/m.exec(block)?.[1];
    assert.ok(patch, 'no `patch: |-` in the README block');
    return patch.replace(/^ {6}/gm, '');
  }

  for (const { app, deployDir } of APPS) {
    it(`${app}: applied after the component (kustomization or Argo CD patches), it replaces the URL`, () => {
      const patch = readmePatch().replaceAll('main-api', app);
      const url = /value: (\S+)/.exec(patch)?.[1];
      assert.ok(url && url !== ENDPOINT);
      const objects = renderWithOptions(deployDir, { components: [TRACING], patches: [{ patch }] });
      const [container] = workloadOf(objects).containers as [IContainer];
      assert.deepEqual(otelVariables(container), [{ name: VARIABLE, value: url }]);
      for (const object of objects) assert.deepEqual(schemaProblems(object), [], key(object));
    });
  }
});

describe('tracing component: network', () => {
  for (const { app } of APPS) {
    const workload = () => workloadOf(rendered[app]);

    it(`${app}: reaches the collector pods of monitoring on TCP 4318, directly and through their Service`, () => {
      const withComponent = new Network(rendered[app]);
      const without = new Network(base[app]);
      assert.ok(withComponent.allows(workload(), collector, 4318));
      assert.equal(without.allows(workloadOf(base[app]), collector, 4318), false, 'without the component');
      // The chart's Service maps 4318 to container port 4318: the same for either engine.
      for (const matching of ['pod-port', 'service-port'] as const)
        assert.ok(withComponent.allowsThroughService(workload(), collector, 4318, 4318, matching), matching);
    });

    it(`${app}: opens nothing else: not 4317, not UDP, not other namespaces or pods`, () => {
      const withComponent = new Network(rendered[app]);
      const without = new Network(base[app]);
      const from = workload();
      const stray: Endpoint = { namespace: app, labels: { run: 'debug' } };
      const opened: string[] = [];
      for (const [name, to] of [['the collector', collector] as [string, Endpoint], ...others])
        for (const port of PORTS)
          for (const protocol of PROTOCOLS) {
            const flow = `${name} :${port}/${protocol}`;
            // Egress of the service's pods, and of any other pod of its namespace.
            if (withComponent.allows(from, to, port, protocol) !== without.allows(from, to, port, protocol))
              opened.push(`${app} → ${flow}`);
            if (withComponent.allows(stray, to, port, protocol) !== without.allows(stray, to, port, protocol))
              opened.push(`other pod → ${flow}`);
            // Nothing changes for traffic coming in.
            if (
              to !== collector &&
              withComponent.allows(to, from, port, protocol) !== without.allows(to, from, port, protocol)
            )
              opened.push(`${flow} → ${app}`);
          }
      assert.deepEqual(opened, [`${app} → the collector :4318/TCP`]);
    });
  }
});
