// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// The Terraform side of the cluster e2e, offline: every `terraform test` file parses with the
// HCL parser and talks only to mock providers, in the workspace its name says, about
// variables and objects the module under test has; the override and tfvars the script writes
// match the modules they are written for; and the committed modules hold no emulator setting.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { format } from '@cdktf/hcl-tools';
import { parse } from '@cdktf/hcl2json';
import { contractNames } from '../deploy/contract';
import { render } from '../deploy/manifests';
import { type Block, type Json, loadModule, type Module, ROOT_MODULES } from '../terraform/hcl';
import { bash, ROOT } from './support';

const PROVIDERS = ['aws', 'helm', 'kubernetes'];

async function testFiles(module: string): Promise<[string, Block][]> {
  const dir = join(ROOT, 'infra/terraform', module, 'tests');
  const files = readdirSync(dir).filter((file) => file.endsWith('.tftest.hcl'));
  return Promise.all(
    files.map(
      async (file): Promise<[string, Block]> => [
        file,
        await parse(file, readFileSync(join(dir, file), 'utf8')),
      ],
    ),
  );
}

/** `${a.b}` → `a.b` for the plain references hcl2json renders as templates. */
const reference = (template: string) => {
  const match = /^\$\{([\w.[\]"-]+)\}$/.exec(template);
  assert.ok(match, `not a plain reference: ${template}`);
  return match[1] as string;
};

for (const module of ROOT_MODULES) {
  describe(`infra/terraform/${module}/tests`, async () => {
    const root = await loadModule(module);
    const files = await testFiles(module);
    const children: Record<string, Module> = {
      './apps': await loadModule(`${module}/apps`).catch(() => root),
    };

    it('has a file for the default workspace and one for a real workspace', () => {
      const workspaces = files.map(([file]) => file.split('.')[0]);
      assert.ok(workspaces.includes('default'), 'tests/default.tftest.hcl');
      assert.ok(workspaces.some((workspace) => workspace !== 'default'));
    });

    for (const [file, test] of files) {
      const workspace = file.split('.')[0] as string;
      const runs = Object.entries<Block[]>(test.run ?? {}).map(
        ([name, [run]]) => [name, run as Block] as const,
      );

      it(`${file}: is formatted as terraform fmt -check wants it`, async () => {
        const text = readFileSync(join(ROOT, 'infra/terraform', module, 'tests', file), 'utf8');
        assert.equal(await format(text), text);
      });

      it(`${file}: mocks every provider, so no cloud and no cluster is touched`, () => {
        assert.deepEqual(Object.keys(test.mock_provider ?? {}).sort(), PROVIDERS);
        assert.equal(test.provider, undefined, 'a real provider block');
        assert.ok(runs.length > 0);
      });

      it(`${file}: every run asserts something or expects a failure`, () => {
        for (const [name, run] of runs)
          assert.ok((run.assert?.length ?? 0) > 0 || (run.expect_failures?.length ?? 0) > 0, name);
      });

      if (workspace === 'default')
        it(`${file}: in the default workspace, every run expects the workspace guard to refuse`, () => {
          for (const [name, run] of runs) {
            assert.deepEqual(run.expect_failures, ['${terraform_data.workspace_guard}'], name);
            assert.equal(run.command, '${plan}', name);
          }
          const guard = root.resources['terraform_data.workspace_guard'];
          assert.equal(
            guard?.lifecycle?.[0]?.precondition?.[0]?.error_message,
            'Select workspace please. terraform workspace select ***',
          );
        });

      it(`${file}: sets only variables the module under test declares, and expects failures of objects it has`, () => {
        const fileVariables = Object.keys(test.variables?.[0] ?? {});
        for (const [name, run] of runs) {
          const source = run.module?.[0]?.source ?? '.';
          const target = source === '.' ? root : children[source];
          assert.ok(target, `${name}: unknown module ${source}`);
          for (const variable of [...fileVariables, ...Object.keys(run.variables?.[0] ?? {})])
            assert.ok(variable in target.variables, `${name}: ${target.dir} has no variable ${variable}`);
          for (const expected of (run.expect_failures ?? []) as string[]) {
            const address = reference(expected);
            const known = address.startsWith('var.')
              ? address.slice(4) in target.variables
              : address in target.resources;
            assert.ok(known, `${name}: ${target.dir} has no ${address}`);
          }
          for (const override of (run.override_data ?? []) as Json[])
            assert.ok(
              reference(override.target).slice(5) in target.dataSources,
              `${name}: ${override.target}`,
            );
        }
      });
    }
  });
}

describe('what scripts/e2e writes into its copy of the modules', async () => {
  const endpoint = 'http://127.0.0.1:43210';
  const dir = mkdtempSync(join(tmpdir(), 'override-'));
  const written = bash(['terraform'], 'write_emulator_override', [dir, endpoint]);
  const overrideText = readFileSync(join(dir, 'emulator_override.tf'), 'utf8');
  const override = await parse('emulator_override.tf', overrideText);
  const tfvarsFile = join(dir, 'environment.tfvars');
  bash(['terraform'], 'write_tfvars', [
    tfvarsFile,
    '/tmp/kubeconfig',
    'kind-e2e',
    'http://emulator:5000',
    'token',
  ]);
  const tfvars = await parse('environment.tfvars', readFileSync(tfvarsFile, 'utf8'));
  rmSync(dir, { recursive: true, force: true });

  it('the override only redirects the aws provider, which both root modules configure', async () => {
    assert.equal(written.status, 0, written.stderr);
    assert.deepEqual(Object.keys(override), ['provider']);
    assert.deepEqual(Object.keys(override.provider), ['aws']);
    for (const module of ROOT_MODULES) assert.ok((await loadModule(module)).providers.aws, module);
  });

  it('every AWS API the environment uses in access_key mode goes to the emulator', async () => {
    const endpoints = override.provider.aws[0].endpoints[0];
    for (const service of Object.keys(endpoints)) assert.equal(endpoints[service], endpoint, service);
    const services = new Set<string>();
    for (const module of ['environment', 'environment/apps', 'environment/resources']) {
      const loaded = await loadModule(module);
      for (const address of [...Object.keys(loaded.resources), ...Object.keys(loaded.dataSources)]) {
        if (!address.startsWith('aws_')) continue;
        // EKS and the role exist only in the keyless modes, which need a real EKS cluster.
        if (/^aws_(eks_|iam_role|iam_openid_connect_provider)/.test(address)) continue;
        if (address === 'aws_partition.current') continue; // computed locally, no API call
        const service =
          address === 'aws_caller_identity.current' ? 'sts' : (/^aws_([a-z0-9]+)_/.exec(address)?.[1] ?? '');
        services.add(service);
      }
    }
    assert.deepEqual([...services].sort(), Object.keys(endpoints).sort());
  });

  it('the tfvars set only variables of the environment module, the emulator URL as a setting', async () => {
    const environment = await loadModule('environment');
    for (const variable of Object.keys(tfvars)) assert.ok(variable in environment.variables, variable);
    assert.deepEqual(tfvars.auxiliary_service_settings, { AWS_ENDPOINT_URL: 'http://emulator:5000' });
    assert.equal(tfvars.kubeconfig_context, 'kind-e2e');
  });
});

describe('the committed modules and manifests hold no emulator setting', () => {
  // What only the e2e run may say: an emulator address, the provider switches that make
  // Terraform talk to one, static test credentials.
  const EMULATOR_SETTINGS = [
    /moto/i,
    /aws-emulator/,
    /localhost|127\.0\.0\.1/,
    /skip_credentials_validation|skip_metadata_api_check|s3_use_path_style/,
    /^\s*endpoints\s*\{/m,
    /^\s*(access_key|secret_key)\s*=/m,
    /AWS_ENDPOINT_URL[A-Z_]*\s*[:=]\s*\S/,
  ];
  const tracked = execFileSync('git', ['ls-files', '--', 'infra', 'deploy'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file !== '' && !file.includes('/tests/') && !file.endsWith('.md'));

  it('no override file or tfvars file is committed', () => {
    assert.ok(tracked.length > 20, 'git ls-files found the modules');
    for (const file of tracked) assert.doesNotMatch(file, /_override\.tf(\.json)?$|\.tfvars(\.json)?$/, file);
  });

  it('no module, manifest or Application names an emulator or test credentials', () => {
    for (const file of tracked) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      for (const pattern of EMULATOR_SETTINGS)
        assert.doesNotMatch(text, pattern, `${file} matches ${pattern}`);
    }
  });

  it('the same patterns catch what the e2e run writes (the check is live)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'override-'));
    try {
      bash(['terraform'], 'write_emulator_override', [dir, 'http://127.0.0.1:5000']);
      bash(['terraform'], 'write_tfvars', [
        join(dir, 'x.tfvars'),
        '/k',
        'kind-e2e',
        'http://moto.aws-emulator:5000',
      ]);
      for (const file of ['emulator_override.tf', 'x.tfvars']) {
        const text = readFileSync(join(dir, file), 'utf8');
        assert.ok(
          EMULATOR_SETTINGS.some((pattern) => pattern.test(text)),
          file,
        );
      }
      // Each provider switch on its own, not just the address.
      const override = readFileSync(join(dir, 'emulator_override.tf'), 'utf8');
      for (const pattern of EMULATOR_SETTINGS.slice(2, 6)) assert.match(override, pattern);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('auxiliary_service_settings (how the emulator URL reaches auxiliary-service)', async () => {
  const root = await loadModule('environment');
  const [names, reserved] = root.variables.auxiliary_service_settings?.validation ?? [];
  const reservedNames = JSON.parse(
    /\[("[A-Z_]+"(?:, "[A-Z_]+")*)\]/.exec(reserved?.condition ?? '')?.[0] ?? '[]',
  ) as string[];
  const deployment = render('deploy/auxiliary').find((o) => o.kind === 'Deployment') as unknown as {
    spec: { template: { spec: { containers: { env?: { name: string }[]; envFrom?: Json[] }[] } } };
  };
  const container = deployment.spec.template.spec.containers[0];

  it('is empty by default, so the committed configuration talks to AWS', () => {
    assert.deepEqual(root.variables.auxiliary_service_settings?.default, {});
  });

  it('refuses every variable the Deployment sets itself (env wins over envFrom: it would be ignored)', () => {
    assert.ok(names?.condition.includes('^[A-Za-z_][A-Za-z0-9_]*$'));
    for (const { name } of container?.env ?? []) assert.ok(reservedNames.includes(name), name);
    for (const credential of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'])
      assert.ok(reservedNames.includes(credential), `${credential} must never sit in a ConfigMap`);
  });

  it('reaches the container through envFrom of the ConfigMap the apps module writes it to', async () => {
    const apps = await loadModule('environment/apps');
    const settings = apps.resources['kubernetes_config_map_v1.settings'];
    assert.equal(settings?.data, '${var.auxiliary_service_settings}');
    assert.equal(settings?.metadata[0].name, '${local.settings_config_map_name}');
    assert.deepEqual(container?.envFrom, [{ configMapRef: { name: apps.locals.settings_config_map_name } }]);
    assert.equal(
      contractNames('Settings ConfigMap')[0],
      apps.locals.settings_config_map_name,
      'docs/contract.md',
    );
    assert.equal(root.modules.apps?.auxiliary_service_settings, '${var.auxiliary_service_settings}');
    assert.ok(
      apps.resources['helm_release.argocd_apps']?.depends_on.includes('${kubernetes_config_map_v1.settings}'),
      'the ConfigMap exists before Argo CD first syncs',
    );
  });
});
