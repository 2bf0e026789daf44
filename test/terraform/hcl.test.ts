// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// Static checks of infra/terraform with the real HCL parser and formatter: every file parses
// and is canonically formatted, every reference resolves, the modules follow the layout and
// conventions of the specification (workspace guard, providers, pins, READMEs).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { format } from '@cdktf/hcl-tools';
import {
  ALL_MODULES,
  type Block,
  codeOf,
  loadModule,
  type Module,
  parseFile,
  REPO_ROOT,
  ROOT_MODULES,
  referenceProblems,
  referencesIn,
  strings,
  TERRAFORM_ROOT,
  terraformFiles,
} from './hcl';

const WORKSPACE_MESSAGE = 'Select workspace please. terraform workspace select ***';

const modules = new Map<string, Module>();
for (const dir of ALL_MODULES) modules.set(dir, await loadModule(dir));
const mod = (dir: string): Module => {
  const found = modules.get(dir);
  assert.ok(found, `module ${dir} not loaded`);
  return found;
};

describe('every .tf file', () => {
  const files = terraformFiles();

  test('the layout of the specification exists', () => {
    for (const dir of ALL_MODULES)
      for (const file of ['versions.tf', 'variables.tf', 'outputs.tf', 'main.tf'])
        assert.ok(files.includes(`infra/terraform/${dir}/${file}`), `missing infra/terraform/${dir}/${file}`);
  });

  for (const file of files) {
    test(`${file} parses and is canonically formatted`, async () => {
      const source = readFileSync(join(REPO_ROOT, file), 'utf8');
      await parseFile(join(REPO_ROOT, file));
      const formatted = await format(source);
      assert.equal(formatted, source, `${file} is not formatted (terraform fmt would change it)`);
    });
  }
});

describe('references', () => {
  for (const dir of ALL_MODULES) {
    test(`${dir}: every var./local./module./data./resource reference resolves, module inputs match`, async () => {
      assert.deepEqual(await referenceProblems(mod(dir)), []);
    });
  }

  test('the checker finds planted mistakes', async () => {
    const broken: Module = {
      ...mod('environment'),
      files: {
        'planted.tf': {
          resource: {
            x_thing: {
              a: [
                {
                  v: '${var.nope}',
                  l: 'p-${local.missing}-q',
                  r: '${aws_s3_bucket.nope.id}',
                  d: '${data.aws_region.nope.region}',
                  m: '${module.resources.no_such_output}',
                  f: '${[for item in var.also_missing : item.name]}',
                  ok: '${[for item in local.argocd_application_files : "${item}.x"]}',
                  s: 'literal var.not_code "${var.in_template_string}"',
                },
              ],
            },
          },
        },
      },
      modules: {
        ...mod('environment').modules,
        extra: { source: './resources', environment_name: 'x', unknown_input: 1 },
      },
    };
    const problems = await referenceProblems(broken);
    const expected = [
      'no variable "nope"',
      'no local "missing"',
      'no resource "aws_s3_bucket" "nope"',
      'no data "aws_region" "nope"',
      'has no output "no_such_output"',
      'no variable "also_missing"',
      'no variable "in_template_string"',
      'input "unknown_input" is not a variable',
      'required variable "bucket_suffixes"',
      'required variable "parameters"',
    ];
    for (const fragment of expected)
      assert.ok(
        problems.some((problem) => problem.includes(fragment)),
        `not found: ${fragment}\n${problems.join('\n')}`,
      );
    assert.ok(!problems.some((problem) => problem.includes('not_code')), 'literal text was read as code');
    assert.ok(!problems.some((problem) => problem.includes('item')), 'a for iterator was read as a resource');
  });

  test('codeOf keeps code and blanks literals, also in nested templates', () => {
    assert.equal(codeOf('a-${var.x}-b').trim(), 'var.x');
    assert.deepEqual(
      referencesIn('${templatefile("${path.module}/p.json", { a = local.b })}').map((ref) => ref.text.trim()),
      ['path.module', 'local.b'],
    );
    assert.deepEqual(
      referencesIn('${kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name}').map(
        (ref) => ref.root,
      ),
      ['kubernetes_namespace_v1'],
    );
  });
});

describe('root modules', () => {
  for (const dir of ROOT_MODULES) {
    test(`${dir}: refuses the default workspace with a terraform_data precondition`, () => {
      const guard = mod(dir).resources['terraform_data.workspace_guard'];
      assert.ok(guard, 'terraform_data.workspace_guard is missing');
      const preconditions = guard.lifecycle?.[0]?.precondition ?? [];
      assert.equal(preconditions.length, 1);
      assert.equal(preconditions[0].condition, '${terraform.workspace != "default"}');
      assert.equal(preconditions[0].error_message, WORKSPACE_MESSAGE);
      assert.deepEqual(mod(dir).checks, [], 'a check block only warns; the guard must be a precondition');
    });

    test(`${dir}: every module and top-level resource depends on the guards, so -target cannot skip them`, () => {
      const module = mod(dir);
      const guards = Object.keys(module.resources).filter((address) => address.startsWith('terraform_data.'));
      assert.ok(guards.includes('terraform_data.workspace_guard'));
      const expected = guards.map((address) => `\${${address}}`).sort();
      const dependents = [
        ...Object.entries(module.modules).map(([name, call]) => [`module.${name}`, call] as const),
        ...Object.entries(module.resources).filter(([address]) => !guards.includes(address)),
      ];
      assert.ok(dependents.length > 0);
      for (const [address, block] of dependents)
        assert.deepEqual(
          [...(block.depends_on ?? [])].sort(),
          expected,
          `${address} must depend on ${guards.join(', ')}`,
        );
    });

    test(`${dir}: the kubeconfig context is required, never the file's current context`, () => {
      const context = mod(dir).variables.kubeconfig_context;
      assert.ok(context && !('default' in context), 'kubeconfig_context must have no default');
    });

    test(`${dir}: providers as the specification configures them (helm 3.x syntax)`, () => {
      const { aws, kubernetes, helm } = mod(dir).providers;
      assert.ok(aws && kubernetes && helm, 'aws, kubernetes and helm providers must be configured');
      assert.equal(aws.region, '${var.aws_region}');
      assert.equal(aws.profile, '${var.aws_profile}');
      assert.deepEqual(aws.default_tags, [
        { tags: { env: '${local.environment_name}', source: 'terraform' } },
      ]);
      assert.equal(mod(dir).locals.environment_name, '${terraform.workspace}');
      assert.equal(
        mod(dir).variables.aws_profile?.default,
        null,
        'aws_profile must be optional (default null)',
      );
      assert.equal(kubernetes.config_path, '${var.kubeconfig_path}');
      assert.equal(kubernetes.config_context, '${var.kubeconfig_context}');
      // Helm provider 3.x: `kubernetes = { … }` is an attribute (an object), 2.x used a block (a list).
      assert.ok(!Array.isArray(helm.kubernetes), 'helm provider uses the 2.x `kubernetes {}` block syntax');
      assert.deepEqual(helm.kubernetes, {
        config_path: '${var.kubeconfig_path}',
        config_context: '${var.kubeconfig_context}',
      });
    });

    test(`${dir}: README documents every variable and output`, () => {
      const readme = readFileSync(join(TERRAFORM_ROOT, dir, 'README.md'), 'utf8');
      const documented = (section: string) => {
        const start = readme.indexOf(`## ${section}`);
        assert.ok(start >= 0, `README has no "## ${section}" section`);
        const end = readme.indexOf('\n## ', start + 1);
        const text = readme.slice(start, end < 0 ? undefined : end);
        return [...text.matchAll(/^\|\s*`([a-z0-9_]+)`\s*\|/gm)].map((match) => match[1]).sort();
      };
      assert.deepEqual(documented('Inputs'), Object.keys(mod(dir).variables).sort());
      assert.deepEqual(documented('Outputs'), Object.keys(mod(dir).outputs).sort());
    });
  }

  test('the workspace is read only in root modules', () => {
    for (const dir of ['environment/apps', 'environment/resources']) {
      for (const [file, json] of Object.entries(mod(dir).files))
        for (const [path, value] of strings(json))
          assert.ok(
            !codeOf(value).includes('terraform.workspace'),
            `${file} ${path} reads terraform.workspace`,
          );
    }
  });

  test('global installs the official argo-cd chart, pinned, in its own namespace, values from a file', () => {
    const release = mod('global').resources['helm_release.argocd'];
    assert.ok(release);
    assert.equal(release.repository, 'https://argoproj.github.io/argo-helm');
    assert.equal(release.chart, 'argo-cd');
    assert.equal(release.version, '${var.argocd_chart_version}');
    assert.match(mod('global').variables.argocd_chart_version?.default, /^\d+\.\d+\.\d+$/);
    assert.equal(release.namespace, '${kubernetes_namespace_v1.argocd.metadata[0].name}');
    assert.equal(mod('global').variables.argocd_namespace?.default, 'argocd');
    assert.deepEqual(release.values, ['${file("${path.module}/values/argocd.yaml")}']);
    assert.ok(existsSync(join(TERRAFORM_ROOT, 'global/values/argocd.yaml')));
    assert.equal(release.set, undefined, 'values belong in the values file');
  });

  test('environment installs the Applications through the argocd-apps chart, pinned', () => {
    const release = mod('environment/apps').resources['helm_release.argocd_apps'];
    assert.ok(release);
    assert.equal(release.repository, 'https://argoproj.github.io/argo-helm');
    assert.equal(release.chart, 'argocd-apps');
    assert.equal(release.version, '${var.argocd_apps_chart_version}');
    assert.equal(mod('environment').variables.argocd_apps_chart_version?.default, '2.0.5');
  });

  test('argocd_apps_chart_version accepts 2.0.5 and later 2.x only, the same in both modules', () => {
    const patterns = ['environment', 'environment/apps'].map((dir) => {
      const condition: string = mod(dir).variables.argocd_apps_chart_version?.validation?.[0]?.condition;
      const match = /^\$\{can\(regex\("(.*)", var\.argocd_apps_chart_version\)\)\}$/.exec(condition);
      assert.ok(match, `unexpected validation ${condition}`);
      // hcl2json keeps the HCL escapes: "\\." in HCL is "\." in the RE2 pattern.
      return new RegExp((match[1] as string).replaceAll('\\\\', '\\'));
    });
    for (const pattern of patterns) {
      for (const version of ['2.0.5', '2.0.9', '2.0.10', '2.1.0', '2.12.3'])
        assert.ok(pattern.test(version), `${version} must be accepted`);
      for (const version of ['2.0.2', '2.0.4', '2.0', '3.0.0', '1.6.2', '2.0.5-rc1', '~> 2.0'])
        assert.ok(!pattern.test(version), `${version} must be refused`);
    }
  });
});

describe('conventions of every module', () => {
  for (const dir of ALL_MODULES) {
    test(`${dir}: versions pinned to one major, above the known-bad releases`, () => {
      const blocks = mod(dir).terraform;
      assert.equal(blocks.length, 1, 'exactly one terraform block (versions.tf)');
      const terraform = blocks[0] as Block;
      // 1.11: the S3 backend's use_lockfile is generally available (experimental in 1.10).
      assert.equal(terraform.required_version, '~> 1.11');
      const providers = terraform.required_providers?.[0] ?? {};
      assert.ok(Object.keys(providers).length > 0);
      for (const [name, requirement] of Object.entries<{ source: string; version: string }>(providers)) {
        assert.equal(requirement.source, `hashicorp/${name}`);
        assert.match(
          requirement.version,
          /^(~> \d+\.\d+|>= (\d+)\.\d+\.\d+, < (\d+)\.0\.0)$/,
          `${name} must be pinned with ~> or >= x.y.z, < next major`,
        );
      }
      // helm 3.0.x/3.1.0 report "inconsistent result after apply" when a chart version changes
      // (hashicorp/terraform-provider-helm#1713, fixed in 3.1.1).
      if (providers.helm) assert.equal(providers.helm.version, '>= 3.1.1, < 4.0.0');
      // Every module agrees on the provider majors.
      const root = (mod('environment').terraform[0] as Block).required_providers[0];
      for (const [name, requirement] of Object.entries<{ version: string }>(providers))
        if (root[name])
          assert.equal(requirement.version, root[name].version, `${dir}: ${name} differs from the root`);
    });

    test(`${dir}: every variable has type, description and validation; every output a description`, () => {
      for (const [name, variable] of Object.entries(mod(dir).variables)) {
        assert.ok(variable.type, `variable ${name} has no type`);
        assert.ok(variable.description, `variable ${name} has no description`);
        if (variable.type !== '${bool}')
          assert.ok(variable.validation?.length, `variable ${name} has no validation`);
      }
      for (const [name, output] of Object.entries(mod(dir).outputs))
        assert.ok(output.description, `output ${name} has no description`);
    });

    test(`${dir}: outputs that carry credentials are sensitive`, () => {
      for (const [name, output] of Object.entries(mod(dir).outputs)) {
        const code = codeOf(String(output.value));
        if (
          /access_key|secret/.test(name) ||
          /\.secret\b|aws_iam_access_key|service_user_access_key_id/.test(code)
        )
          if (!name.endsWith('_parameter_names') && !name.endsWith('_secret_name'))
            assert.equal(output.sensitive, true, `output ${name} must be sensitive`);
      }
    });
  }
});
