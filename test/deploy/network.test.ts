// Who may talk to whom, evaluated from the rendered NetworkPolicies with the API's
// semantics: exactly the flows the platform needs are open, everything else is closed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workloads } from './k8s';
import { renderAll } from './manifests';
import { type Endpoint, inCidr, Network, type Pod, type Protocol, type ServicePortMatching } from './network';

const objects = renderAll();
const network = new Network(objects);
const pods = Object.fromEntries(workloads(objects).map((w) => [w.name, w]));
const main = pods['main-api'] as Endpoint;
const auxiliary = pods['auxiliary-service'] as Endpoint;
const kubeDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } };
const otherDns: Endpoint = { namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } };
const intruder: Endpoint = { namespace: 'default', labels: { 'app.kubernetes.io/name': 'main-api' } };
const strayInMain: Endpoint = { namespace: 'main-api', labels: { run: 'debug' } };
const awsEndpoint: Endpoint = { ip: '52.95.110.1' };
// The OpenTelemetry Collector of the official Helm chart: reachable only with the tracing component.
const otelCollector: Endpoint = {
  namespace: 'monitoring',
  labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
};
const ingressController: Endpoint = {
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
};

const FLOWS: [string, Endpoint, Endpoint, number, Protocol, boolean][] = [
  ['main-api → auxiliary-service :8001', main, auxiliary, 8001, 'TCP', true],
  [
    'main-api → auxiliary-service pod port 80 (its ingress admits 8001 only)',
    main,
    auxiliary,
    80,
    'TCP',
    false,
  ],
  ['main-api → auxiliary-service :8001/UDP', main, auxiliary, 8001, 'UDP', false],
  ['main-api → kube-dns :53/UDP', main, kubeDns, 53, 'UDP', true],
  ['main-api → kube-dns :53/TCP', main, kubeDns, 53, 'TCP', true],
  ['auxiliary-service → kube-dns :53/UDP', auxiliary, kubeDns, 53, 'UDP', true],
  ['auxiliary-service → kube-dns :53/TCP', auxiliary, kubeDns, 53, 'TCP', true],
  ['main-api → other kube-system pod :53', main, otherDns, 53, 'UDP', false],
  ['auxiliary-service → AWS :443', auxiliary, awsEndpoint, 443, 'TCP', true],
  ['auxiliary-service → AWS :80', auxiliary, awsEndpoint, 80, 'TCP', false],
  ['main-api → internet :443', main, awsEndpoint, 443, 'TCP', false],
  ['auxiliary-service → main-api :8000', auxiliary, main, 8000, 'TCP', false],
  [
    'main-api → OpenTelemetry Collector :4318 (tracing component only)',
    main,
    otelCollector,
    4318,
    'TCP',
    false,
  ],
  [
    'auxiliary-service → OpenTelemetry Collector :4318 (tracing component only)',
    auxiliary,
    otelCollector,
    4318,
    'TCP',
    false,
  ],
  ['pod in another namespace → auxiliary-service :8001', intruder, auxiliary, 8001, 'TCP', false],
  ['other pod in main-api namespace → auxiliary-service :8001', strayInMain, auxiliary, 8001, 'TCP', false],
  ['ingress controller → main-api :8000', ingressController, main, 8000, 'TCP', true],
  ['outside client → main-api :8000', { ip: '203.0.113.7' }, main, 8000, 'TCP', true],
  ['outside client → main-api :9090', { ip: '203.0.113.7' }, main, 9090, 'TCP', false],
  ['ingress controller → auxiliary-service :8001', ingressController, auxiliary, 8001, 'TCP', false],
  [
    'ingress controller → other pod in main-api namespace',
    ingressController,
    strayInMain,
    8000,
    'TCP',
    false,
  ],
];

describe('network policy', () => {
  for (const [flow, from, to, port, protocol, expected] of FLOWS) {
    it(`${expected ? 'allows' : 'denies'} ${flow}`, () => {
      assert.equal(network.allows(from, to, port, protocol), expected);
    });
  }

  // main-api calls http://auxiliary-service.auxiliary-service.svc.cluster.local (Service port 80 →
  // pod port 8001). It must work under both ways engines match a Service connection.
  const MATCHINGS: ServicePortMatching[] = ['pod-port', 'service-port'];
  for (const matching of MATCHINGS) {
    it(`allows main-api → auxiliary-service through its Service (:80 → :8001) matching on the ${matching}`, () => {
      assert.equal(network.allowsThroughService(main, auxiliary as Pod, 80, 8001, matching), true);
    });
    it(`denies other pods → auxiliary-service through its Service matching on the ${matching}`, () => {
      for (const other of [intruder, strayInMain, ingressController])
        assert.equal(network.allowsThroughService(other, auxiliary as Pod, 80, 8001, matching), false);
    });
  }

  it('the Service-port matching is not vacuous: a pod-port-only egress rule fails it', () => {
    const podPortOnly = structuredClone(objects);
    const rule = (
      podPortOnly.find((object) => object.metadata.name === 'main-api-allow-egress-auxiliary-service') as
        | { spec: { egress: { ports: unknown[] }[] } }
        | undefined
    )?.spec.egress[0];
    assert.ok(rule);
    rule.ports = [{ protocol: 'TCP', port: 8001 }];
    const strict = new Network(podPortOnly);
    assert.equal(strict.allowsThroughService(main, auxiliary as Pod, 80, 8001, 'pod-port'), true);
    assert.equal(strict.allowsThroughService(main, auxiliary as Pod, 80, 8001, 'service-port'), false);
  });

  it('without the policies every flow would be open (the evaluator is not deny-by-default)', () => {
    const open = new Network([]);
    for (const [, from, to, port, protocol] of FLOWS)
      assert.equal(open.allows(from, to, port, protocol), true);
  });

  it('matches CIDRs', () => {
    assert.ok(inCidr('10.1.2.3', '10.0.0.0/8'));
    assert.ok(!inCidr('11.1.2.3', '10.0.0.0/8'));
    assert.ok(inCidr('52.95.110.1', '0.0.0.0/0'));
    assert.ok(inCidr('2001:db8::1', '::/0'));
    assert.ok(!inCidr('2001:db8::1', '0.0.0.0/0'));
  });
});
