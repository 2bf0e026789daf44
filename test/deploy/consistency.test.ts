// Names and numbers that cross the boundary between the manifests and the services'
// code, docs/contract.md and each other: ports, probe paths, environment variables,
// the auxiliary-service URL, the Terraform-created Secret and ConfigMap.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { IService } from 'kubernetes-models/v1';
import * as auxiliaryConfig from '../../services/auxiliary/src/config';
import * as mainConfig from '../../services/main-api/src/config';
import { contractNames } from './contract';
import { containerPort, workloads } from './k8s';
import { APPS, type Kustomization, ROOT, readText, readYaml, render } from './manifests';
import { Network } from './network';
import type { Manifest } from './schemas';

const SERVICES = {
  'main-api': { config: mainConfig, sdkVariables: [] as readonly string[] },
  'auxiliary-service': { config: auxiliaryConfig, sdkVariables: auxiliaryConfig.AWS_SDK_VARIABLES },
} as const;

const rendered = Object.fromEntries(APPS.map(({ app, deployDir }) => [app, render(deployDir)])) as Record<
  (typeof APPS)[number]['app'],
  Manifest[]
>;

function workloadOf(app: keyof typeof rendered) {
  const [workload, ...others] = workloads(rendered[app]);
  assert.ok(workload, `${app}: no Deployment rendered`);
  assert.equal(others.length, 0, `${app}: one Deployment expected`);
  const [container, ...sidecars] = workload.containers;
  assert.ok(container, `${app}: no container`);
  assert.equal(sidecars.length, 0, `${app}: one container expected`);
  return { workload, container };
}

/** GET routes registered with a literal path in a service's sources and the shared kit. */
function registeredPaths(service: string): Set<string> {
  const dirs = [join(ROOT, 'packages/service-kit/src'), join(ROOT, 'services', service, 'src')];
  const paths = new Set<string>();
  for (const dir of dirs) {
    for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.test.ts')) continue;
      const source = readFileSync(join(dir, file), 'utf8');
      for (const match of source.matchAll(/\.(?:get|all)\(\s*(['"`])(\/[^'"`]*)\1/g))
        paths.add(match[2] as string);
      for (const match of source.matchAll(/\.route\(\s*\{[^}]*?url:\s*(['"`])(\/[^'"`]*)\1/gs)) {
        paths.add(match[2] as string);
      }
    }
  }
  return paths;
}

describe('manifests agree with docs/contract.md', () => {
  it('namespaces: every rendered object lives in its application namespace', () => {
    const namespaces = contractNames('namespaces');
    assert.deepEqual(namespaces.slice(0, 2), ['main-api', 'auxiliary-service']);
    for (const { app, deployDir } of APPS) {
      assert.ok(namespaces.includes(app));
      assert.equal(readYaml<Kustomization>(`${deployDir}/kustomization.yaml`).namespace, app);
      for (const object of rendered[app])
        assert.equal(object.metadata.namespace, app, `${object.kind} ${object.metadata.name}`);
    }
  });

  it('images: kustomize sets ghcr.io/<owner>/<image> at a pinned commit tag', () => {
    const images = contractNames('images');
    for (const { app, deployDir } of APPS) {
      const kustomization = readYaml<Kustomization>(`${deployDir}/kustomization.yaml`);
      const entry = kustomization.images?.find((image) => image.name === app);
      assert.ok(entry, `${deployDir}: images entry named ${app}`);
      assert.ok(images.includes(entry.newName as string), `${entry.newName} is not in the contract's images`);
      assert.match(String(entry.newTag), /^[0-9a-f]{7,40}$/, 'newTag must be a commit SHA');
      assert.equal(workloadOf(app).container.image, `${entry.newName}:${entry.newTag}`);
    }
  });

  it('Services: ClusterIP port 80 → named container port http = the service default port', () => {
    const expected = {
      'main-api': mainConfig.DEFAULT_PORT,
      'auxiliary-service': auxiliaryConfig.DEFAULT_PORT,
    };
    assert.deepEqual(expected, { 'main-api': 8000, 'auxiliary-service': 8001 }, 'DESIGN.md §2 ports');
    for (const { app } of APPS) {
      const { workload, container } = workloadOf(app);
      assert.deepEqual(
        container.ports?.map(({ name, containerPort: port }) => ({ name, port })),
        [{ name: 'http', port: expected[app] }],
      );
      const service = rendered[app].find((o) => o.kind === 'Service') as unknown as IService & Manifest;
      assert.equal(service.metadata.name, app);
      assert.equal(service.spec?.type, 'ClusterIP');
      assert.deepEqual(
        service.spec?.ports?.map(({ port, targetPort }) => ({ port, targetPort })),
        [{ port: 80, targetPort: 'http' }],
      );
      assert.equal(containerPort(workload, 'http'), expected[app]);
    }
  });

  it('shutdown: SHUTDOWN_DELAY_MS, SHUTDOWN_TIMEOUT_MS and the grace period are the contract values', () => {
    const row = readText('docs/contract.md')
      .split('\n')
      .find((line) => /^\|\s*shutdown\s*\|/.test(line));
    const values = Object.fromEntries(
      [...(row ?? '').matchAll(/`(\w+)` \((\d+)\)/g)].map((m) => [m[1], m[2]]),
    );
    assert.deepEqual(Object.keys(values), [
      'SHUTDOWN_DELAY_MS',
      'SHUTDOWN_TIMEOUT_MS',
      'terminationGracePeriodSeconds',
    ]);
    for (const { app } of APPS) {
      const { workload, container } = workloadOf(app);
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.SHUTDOWN_DELAY_MS, values.SHUTDOWN_DELAY_MS);
      assert.equal(env.SHUTDOWN_TIMEOUT_MS, values.SHUTDOWN_TIMEOUT_MS);
      assert.equal(String(workload.pod.terminationGracePeriodSeconds), values.terminationGracePeriodSeconds);
      // The service-kit defaults are what the contract documents, so leaving env out changes nothing.
      const defaults = SERVICES[app].config.configSchema.shape;
      assert.equal(String(defaults.SHUTDOWN_DELAY_MS.parse(undefined)), values.SHUTDOWN_DELAY_MS);
      assert.equal(String(defaults.SHUTDOWN_TIMEOUT_MS.parse(undefined)), values.SHUTDOWN_TIMEOUT_MS);
    }
  });
});

describe('manifests agree with the services', () => {
  for (const { app, service } of APPS) {
    it(`${app}: probe paths are routes the service registers`, () => {
      const { container } = workloadOf(app);
      const routes = registeredPaths(service);
      const probes = [container.livenessProbe, container.readinessProbe, container.startupProbe];
      for (const probe of probes) {
        const path = probe?.httpGet?.path;
        assert.ok(path, 'probe without an HTTP path');
        assert.ok(
          routes.has(path),
          `${path} is not registered in services/${service}/src or packages/service-kit/src`,
        );
      }
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    });

    it(`${app}: every environment variable is one the service reads, and the values parse`, () => {
      const { config, sdkVariables } = SERVICES[app];
      const known = new Set([...Object.keys(config.configSchema.shape), ...sdkVariables]);
      const { container } = workloadOf(app);
      const env: Record<string, string> = {};
      // Values that come from Terraform's Secret/ConfigMap, in the form Terraform writes them.
      const samples: Record<string, string> = {
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example',
        ENVIRONMENT_NAME: 'test',
      };
      for (const variable of container.env ?? []) {
        assert.ok(known.has(variable.name), `${variable.name} is not in services/${service}/src/config.ts`);
        const value = variable.value ?? samples[variable.name];
        assert.ok(value !== undefined, `no sample value for ${variable.name}`);
        env[variable.name] = value;
      }
      // envFrom hides which variables are set: only auxiliary-service's operator settings
      // ConfigMap (Terraform's auxiliary_service_settings, validated there) may be read that way.
      assert.deepEqual(
        container.envFrom ?? [],
        app === 'auxiliary-service' ? [{ configMapRef: { name: 'auxiliary-service-settings' } }] : [],
      );
      const parsed = config.configSchema.safeParse(env);
      assert.ok(
        parsed.success,
        `configuration does not parse: ${parsed.error?.issues[0]?.path} ${parsed.error?.message}`,
      );
    });
  }

  it('main-api: AUXILIARY_URL names the auxiliary Service, its namespace and port, and the network allows it', () => {
    const { workload: main, container } = workloadOf('main-api');
    const url = container.env?.find((e) => e.name === 'AUXILIARY_URL')?.value;
    assert.ok(url);
    assert.deepEqual(contractNames('main-api → auxiliary-service'), [`AUXILIARY_URL=${url}`]);
    const parsed = new URL(url);
    const [serviceName, namespace, ...suffix] = parsed.hostname.split('.');
    assert.deepEqual(suffix, ['svc', 'cluster', 'local']);
    assert.equal(parsed.protocol, 'http:');
    const port = Number(parsed.port || 80);

    const service = rendered['auxiliary-service'].find(
      (o) => o.kind === 'Service' && o.metadata.name === serviceName && o.metadata.namespace === namespace,
    ) as unknown as IService | undefined;
    assert.ok(service, `no Service ${serviceName} in namespace ${namespace}`);
    const servicePort = service.spec?.ports?.find((p) => p.port === port);
    assert.ok(servicePort, `Service ${serviceName} has no port ${port}`);

    const { workload: auxiliary } = workloadOf('auxiliary-service');
    const target = containerPort(auxiliary, servicePort.targetPort);
    assert.equal(target, auxiliaryConfig.DEFAULT_PORT);
    const network = new Network([...rendered['main-api'], ...rendered['auxiliary-service']]);
    assert.ok(network.allows(main, auxiliary, target), 'NetworkPolicies block main-api → auxiliary-service');
  });

  it('auxiliary-service: credentials and environment name come from the Terraform Secret and ConfigMap', () => {
    const [secretName, ...secretKeys] = contractNames('Secret');
    const [configMapName, configKey] = contractNames('ConfigMap');
    assert.equal(secretName, 'auxiliary-service-aws-credentials');
    assert.equal(configMapName, 'auxiliary-service-environment');
    const { container } = workloadOf('auxiliary-service');
    const fromSecret = (container.env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
    assert.deepEqual(
      fromSecret
        .map((e) => ({ env: e.name, ...e.valueFrom?.secretKeyRef }))
        .sort((a, b) => a.env.localeCompare(b.env)),
      [...secretKeys].sort().map((key) => ({ env: key, name: secretName, key })),
    );
    const fromConfigMap = (container.env ?? []).filter((e) => e.valueFrom?.configMapKeyRef);
    assert.deepEqual(
      fromConfigMap.map((e) => ({ env: e.name, ...e.valueFrom?.configMapKeyRef })),
      [{ env: 'ENVIRONMENT_NAME', name: configMapName, key: configKey }],
    );
    for (const variable of [...fromSecret, ...fromConfigMap]) {
      const ref = variable.valueFrom?.secretKeyRef ?? variable.valueFrom?.configMapKeyRef;
      assert.notEqual(ref?.optional, true, `${variable.name} must not be optional`);
    }
  });

  for (const { app, service } of APPS) {
    it(`${app}: the image's numeric USER and EXPOSE match runAsUser/runAsGroup and the container port`, () => {
      const dockerfile = readText(`services/${service}/Dockerfile`);
      const { workload, container } = workloadOf(app);
      const user = [...dockerfile.matchAll(/^USER\s+(\d+):(\d+)\s*$/gm)].at(-1);
      assert.ok(user, 'Dockerfile must end on a numeric USER uid:gid');
      const context = { ...workload.pod.securityContext, ...container.securityContext };
      assert.deepEqual([Number(user[1]), Number(user[2])], [context.runAsUser, context.runAsGroup]);
      const exposed = [...dockerfile.matchAll(/^EXPOSE\s+(\d+)/gm)].map((m) => Number(m[1]));
      assert.deepEqual(exposed, [containerPort(workload, 'http')]);
    });
  }

  it('main-api: gets no AWS credentials and no Secret at all', () => {
    const { workload, container } = workloadOf('main-api');
    assert.ok(!(container.env ?? []).some((e) => e.name.startsWith('AWS_') || e.valueFrom?.secretKeyRef));
    assert.ok(!(workload.pod.volumes ?? []).some((v) => v.secret || v.projected));
  });
});
