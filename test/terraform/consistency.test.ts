// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// Names that cross boundaries (docs/contract.md): what Terraform creates for the `test`
// workspace must be what the rendered manifests, the Argo CD Applications, the services'
// configuration and the specification's examples rely on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { environmentResources } from '../../scripts/local/environment-data';
import { AWS_SDK_VARIABLES, configSchema, loadAuxiliaryConfig } from '../../services/auxiliary/src/config';
import { secretKeys } from './credentials-modes';
import { type Json, loadModule, REPO_ROOT, resolveTemplate, TERRAFORM_ROOT } from './hcl';

const ENV = 'test';
const VARS = { environment_name: ENV };

const root = await loadModule('environment');
const apps = await loadModule('environment/apps');
const resources = await loadModule('environment/resources');
const appResources = JSON.parse(
  readFileSync(join(TERRAFORM_ROOT, 'environment/app-resources.json'), 'utf8'),
) as {
  bucket_suffixes: string[];
  parameters: Record<string, string>;
};

/** One managed resource of the apps module, with a clear failure if it is gone. */
function resource(address: string): Json {
  const found = apps.resources[address];
  assert.ok(found, `environment/apps has no ${address}`);
  return found;
}

// ---- What Terraform creates for the `test` workspace ------------------------------------

const namespaceLocal: Record<string, string> = apps.locals.namespaces;
const terraformNamespaces = Object.values(namespaceLocal).sort();
const secret = resource('kubernetes_secret_v1.aws_credentials');
const configMap = resource('kubernetes_config_map_v1.environment');
const resolveNamespace = (expression: string): string => {
  const match = /^\$\{kubernetes_namespace_v1\.this\["([a-z_]+)"\]\.metadata\[0\]\.name\}$/.exec(expression);
  assert.ok(match, `unexpected namespace expression ${expression}`);
  const name = namespaceLocal[match[1] as string];
  assert.ok(name, `no namespace key ${match[1]}`);
  return name;
};
const terraform = {
  namespaces: terraformNamespaces,
  secretName: resolveTemplate(secret.metadata[0].name, apps, VARS),
  secretNamespace: resolveNamespace(secret.metadata[0].namespace),
  // The specification's default mode; test/terraform/credentials-modes.test.ts covers the others.
  secretKeys: secretKeys('access_key'),
  configMapName: resolveTemplate(configMap.metadata[0].name, apps, VARS),
  configMapNamespace: resolveNamespace(configMap.metadata[0].namespace),
  configMapKeys: Object.keys(configMap.data).sort(),
  iamUser: resolveTemplate(resource('aws_iam_user.service').name, apps, VARS),
  keyParameters: [
    resolveTemplate(resource('aws_ssm_parameter.service_user_access_key_id').name, apps, VARS),
    resolveTemplate(resource('aws_ssm_parameter.service_user_secret_access_key').name, apps, VARS),
  ],
  // resources module: buckets `${var.environment_name}-${suffix}`, parameters `/${env}/apps/${key}`.
  buckets: appResources.bucket_suffixes.map((suffix) => `${ENV}-${suffix}`).sort(),
  parameters: Object.fromEntries(
    Object.entries(appResources.parameters).map(([key, value]) => [
      `/${ENV}/apps/${key}`,
      value.replaceAll('{env}', ENV),
    ]),
  ),
};

// ---- What the manifests and Applications use ---------------------------------------------

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: Json };
  spec?: Json;
}

function render(dir: string): Manifest[] {
  const output = execFileSync('kubectl', ['kustomize', join(REPO_ROOT, dir)], { encoding: 'utf8' });
  return parseAllDocuments(output)
    .map((document) => document.toJS() as Manifest | null)
    .filter((value): value is Manifest => value !== null);
}

const rendered = { main: render('deploy/main'), auxiliary: render('deploy/auxiliary') };
const applications = ['main.yaml', 'auxiliary.yaml'].map(
  (file) => parseYaml(readFileSync(join(REPO_ROOT, 'infra/argocd', file), 'utf8')) as Manifest,
);

interface EnvUse {
  variable: string;
  kind: 'secret' | 'configMap' | 'value';
  name?: string;
  key?: string;
}

/** Every environment variable of every container, and where its value comes from. */
function environmentOf(manifests: Manifest[]): EnvUse[] {
  const uses: EnvUse[] = [];
  for (const manifest of manifests) {
    const pod = manifest.kind === 'Deployment' ? manifest.spec?.template?.spec : undefined;
    for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      for (const env of container.env ?? []) {
        const secretRef = env.valueFrom?.secretKeyRef;
        const configMapRef = env.valueFrom?.configMapKeyRef;
        if (secretRef)
          uses.push({ variable: env.name, kind: 'secret', name: secretRef.name, key: secretRef.key });
        else if (configMapRef)
          uses.push({
            variable: env.name,
            kind: 'configMap',
            name: configMapRef.name,
            key: configMapRef.key,
          });
        else uses.push({ variable: env.name, kind: 'value' });
      }
      for (const from of container.envFrom ?? []) {
        // envFrom exposes every key of the object as a variable of the same name.
        if (from.secretRef)
          for (const key of from.secretRef.name === terraform.secretName ? terraform.secretKeys : [])
            uses.push({
              variable: `${from.prefix ?? ''}${key}`,
              kind: 'secret',
              name: from.secretRef.name,
              key,
            });
        if (from.configMapRef)
          for (const key of from.configMapRef.name === terraform.configMapName ? terraform.configMapKeys : [])
            uses.push({
              variable: `${from.prefix ?? ''}${key}`,
              kind: 'configMap',
              name: from.configMapRef.name,
              key,
            });
        if (from.secretRef && from.secretRef.name !== terraform.secretName)
          uses.push({ variable: '(envFrom)', kind: 'secret', name: from.secretRef.name });
        // The settings ConfigMap holds only var.auxiliary_service_settings (empty by default,
        // validated against the names set here); test/e2e-cluster covers it.
        if (
          from.configMapRef &&
          from.configMapRef.name !== terraform.configMapName &&
          from.configMapRef.name !== 'auxiliary-service-settings'
        )
          uses.push({ variable: '(envFrom)', kind: 'configMap', name: from.configMapRef.name });
      }
    }
  }
  return uses;
}

const KNOWN_TO_AUXILIARY = new Set<string>([...Object.keys(configSchema.shape), ...AWS_SDK_VARIABLES]);

describe('Kubernetes names', () => {
  test('Terraform creates exactly the namespaces the manifests and Applications deploy into', () => {
    assert.deepEqual(terraform.namespaces, ['auxiliary-service', 'main-api']);
    const manifestNamespaces = new Set(
      [...rendered.main, ...rendered.auxiliary].map((manifest) => manifest.metadata.namespace),
    );
    assert.deepEqual([...manifestNamespaces].sort(), terraform.namespaces);
    const destinations = applications.map((application) => application.spec.destination.namespace).sort();
    assert.deepEqual(destinations, terraform.namespaces);
    for (const manifest of rendered.auxiliary) assert.equal(manifest.metadata.namespace, 'auxiliary-service');
    for (const manifest of rendered.main) assert.equal(manifest.metadata.namespace, 'main-api');
  });

  test('namespaces carry the restricted Pod Security labels and the environment that owns them', () => {
    const labels = resource('kubernetes_namespace_v1.this').metadata[0].labels;
    for (const mode of ['enforce', 'audit', 'warn'])
      assert.equal(labels[`pod-security.kubernetes.io/${mode}`], 'restricted', mode);
    assert.equal(labels['${(var.environment_label)}'], '${var.environment_name}');
    assert.equal(root.modules.apps?.environment_label, '${local.environment_label}');
  });

  test('each namespace has one owner: Terraform creates it before the Applications, Argo CD never manages it', () => {
    // Argo CD applies an existing namespace only with managedNamespaceMetadata (argo-cd
    // controller/sync_namespace.go); without it, CreateNamespace=true acts only on a missing one.
    for (const application of applications) {
      assert.equal(application.spec.syncPolicy.managedNamespaceMetadata, undefined);
      assert.deepEqual(application.spec.syncPolicy.syncOptions, ['CreateNamespace=true']);
    }
    for (const manifest of [...rendered.main, ...rendered.auxiliary])
      assert.notEqual(manifest.kind, 'Namespace');
    // The release that creates the Applications waits for the namespaces, so Argo CD always finds them.
    const dependsOn: string[] = resource('helm_release.argocd_apps').depends_on;
    assert.ok(
      dependsOn.includes('${kubernetes_namespace_v1.this}'),
      'helm_release.argocd_apps must depend on the namespaces',
    );
  });

  test("private forks: Argo CD repository credentials for each Application's repoURL, in Argo CD's namespace", () => {
    const repository = resource('kubernetes_secret_v1.argocd_repository');
    assert.equal(
      repository.for_each,
      '${local.argocd_repository_credentials_enabled ? toset(local.argocd_repository_urls) : toset([])}',
    );
    assert.equal(repository.metadata[0].namespace, '${var.argocd_namespace}');
    assert.equal(repository.metadata[0].labels['argocd.argoproj.io/secret-type'], 'repository');
    assert.deepEqual(Object.keys(repository.data).sort(), ['password', 'type', 'url', 'username']);
    assert.equal(repository.data.url, '${each.value}');
    assert.match(
      String(apps.locals.argocd_repository_urls),
      /application\.spec\.source\.repoURL/,
      'the URLs are the ones the Applications read',
    );
    assert.ok(
      resource('helm_release.argocd_apps').depends_on.includes('${kubernetes_secret_v1.argocd_repository}'),
    );
    for (const name of ['image_pull_secret', 'argocd_repository_credentials'])
      for (const module of [root, apps]) {
        assert.equal(module.variables[name]?.sensitive, true, `${name} must be sensitive`);
        assert.equal(module.variables[name]?.default, null, `${name} must be optional`);
      }
  });

  test('the cluster guard looks for the namespaces the apps module creates, by the label it sets', () => {
    assert.deepEqual([...root.locals.platform_namespaces].sort(), terraform.namespaces);
    const query = root.dataSources['kubernetes_resources.platform_namespaces'];
    assert.equal(query?.kind, 'Namespace');
    assert.equal(query?.for_each, '${toset(local.platform_namespaces)}');
    const guard = root.resources['terraform_data.cluster_guard'];
    const condition: string = guard?.lifecycle?.[0]?.precondition?.[0]?.condition ?? '';
    assert.match(condition, /data\.kubernetes_resources\.platform_namespaces/);
    assert.match(condition, /labels\[local\.environment_label\], ""\) == local\.environment_name/);
  });

  test('Secret and ConfigMap: the names, namespace and keys auxiliary-service reads are the ones Terraform creates', () => {
    assert.equal(terraform.secretName, 'auxiliary-service-aws-credentials');
    assert.deepEqual(terraform.secretKeys, ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
    assert.equal(terraform.configMapName, 'auxiliary-service-environment');
    assert.deepEqual(terraform.configMapKeys, ['ENVIRONMENT_NAME']);
    assert.equal(terraform.secretNamespace, 'auxiliary-service');
    assert.equal(terraform.configMapNamespace, 'auxiliary-service');

    const uses = environmentOf(rendered.auxiliary);
    const fromSecrets = uses.filter((use) => use.kind === 'secret');
    const fromConfigMaps = uses.filter((use) => use.kind === 'configMap');
    for (const use of fromSecrets) {
      assert.equal(
        use.name,
        terraform.secretName,
        `${use.variable} reads a Secret Terraform does not create`,
      );
      assert.ok(terraform.secretKeys.includes(use.key ?? ''), `${use.variable} reads missing key ${use.key}`);
    }
    for (const use of fromConfigMaps) {
      assert.equal(
        use.name,
        terraform.configMapName,
        `${use.variable} reads a ConfigMap Terraform does not create`,
      );
      assert.ok(
        terraform.configMapKeys.includes(use.key ?? ''),
        `${use.variable} reads missing key ${use.key}`,
      );
    }
    // Everything Terraform provides is consumed, under the variable name of the same key.
    assert.deepEqual(
      fromSecrets.map((use) => `${use.variable}=${use.key}`).sort(),
      terraform.secretKeys.map((key) => `${key}=${key}`),
    );
    assert.deepEqual(
      fromConfigMaps.map((use) => `${use.variable}=${use.key}`).sort(),
      terraform.configMapKeys.map((key) => `${key}=${key}`),
    );
    // main-api gets no AWS credentials.
    assert.deepEqual(
      environmentOf(rendered.main).filter((use) => use.kind !== 'value'),
      [],
    );
  });

  test('every key Terraform provides is a variable auxiliary-service (or its AWS SDK) reads', () => {
    for (const key of [...terraform.secretKeys, ...terraform.configMapKeys])
      assert.ok(KNOWN_TO_AUXILIARY.has(key), `${key} is not in configSchema or AWS_SDK_VARIABLES`);
    for (const use of environmentOf(rendered.auxiliary))
      assert.ok(
        KNOWN_TO_AUXILIARY.has(use.variable),
        `manifest sets ${use.variable}, unknown to auxiliary-service`,
      );
  });

  test('the Applications live where Terraform installs them and use only fields the argocd-apps chart renders', () => {
    assert.equal(root.variables.argocd_namespace?.default, 'argocd');
    const specFields: string[] = apps.locals.argocd_apps_spec_fields;
    // What templates/applications.yaml of argocd-apps renders under spec at the pinned
    // version (argoproj/argo-helm tag argocd-apps-2.0.5, aa19dd71): sourceHydrator is new in 2.0.5.
    assert.equal(root.variables.argocd_apps_chart_version?.default, '2.0.5');
    assert.deepEqual([...specFields].sort(), [
      'destination',
      'ignoreDifferences',
      'info',
      'project',
      'revisionHistoryLimit',
      'source',
      'sourceHydrator',
      'sources',
      'syncPolicy',
    ]);
    // The release and the Applications both go to var.argocd_namespace, never to the YAML's namespace.
    assert.match(
      String(apps.locals.argocd_apps_values.applications),
      /\bnamespace\s*=\s*var\.argocd_namespace\b/,
    );
    assert.doesNotMatch(String(apps.locals.argocd_apps_values.applications), /metadata\.namespace/);
    assert.equal(resource('helm_release.argocd_apps').namespace, '${var.argocd_namespace}');
    // A repeated name must reach its precondition: the map groups by name instead of failing.
    assert.match(String(apps.locals.argocd_applications_by_name), /=> manifest\.\.\.\s*\}/);
    const preconditions = resource('helm_release.argocd_apps').lifecycle[0].precondition;
    assert.ok(
      preconditions.some(
        (p: Json) => /length\(manifests\) == 1/.test(p.condition) && /must be unique/.test(p.error_message),
      ),
    );
    const carriedMetadata = ['name', 'namespace', 'finalizers', 'labels', 'annotations'];
    for (const application of applications) {
      assert.equal(application.apiVersion, 'argoproj.io/v1alpha1');
      assert.equal(application.kind, 'Application');
      assert.equal(application.metadata.namespace, 'argocd');
      for (const field of Object.keys(application.spec))
        assert.ok(specFields.includes(field), `spec.${field} would be dropped by argocd-apps`);
      for (const field of Object.keys(application.metadata))
        assert.ok(
          carriedMetadata.includes(field),
          `metadata.${field} is not carried into the argocd-apps values`,
        );
    }
    const files: string[] = root.locals.argocd_application_files;
    assert.deepEqual(files, [
      '${path.module}/../../argocd/main.yaml',
      '${path.module}/../../argocd/auxiliary.yaml',
    ]);
  });
});

describe('AWS names', () => {
  test('buckets and configuration parameters are the ones of specification §8.4', () => {
    assert.deepEqual(terraform.buckets, ['test-apps-main', 'test-apps-secondary']);
    assert.deepEqual(terraform.parameters, {
      '/test/apps/config/env_name': 'test',
      '/test/apps/config/hotel': 'grand-budapest',
      '/test/apps/config/locale': 'en_US',
    });
    // The /parameters example of §8.4 lists exactly the configuration and key parameters.
    assert.deepEqual([...Object.keys(terraform.parameters), ...terraform.keyParameters].sort(), [
      '/test/apps/config/env_name',
      '/test/apps/config/hotel',
      '/test/apps/config/locale',
      '/test/service_user/access_key_id',
      '/test/service_user/secret_access_key',
    ]);
  });

  test('the resources module builds names the way this test assumes', () => {
    assert.equal(
      resources.locals.buckets,
      '${{ for suffix in var.bucket_suffixes : suffix => "${var.bucket_name_prefix}${var.environment_name}-${suffix}" }}',
    );
    // The prefix defaults to empty (the specification's names) and reaches the module and the policy.
    assert.equal(root.variables.bucket_name_prefix?.default, '');
    assert.equal(root.modules.resources?.bucket_name_prefix, '${var.bucket_name_prefix}');
    assert.equal(
      root.modules.apps?.service_user_bucket_name,
      '${module.resources.bucket_names["apps-main"]}',
    );
    assert.equal(root.modules.resources?.force_destroy_buckets, '${var.force_destroy_buckets}');
    assert.equal(root.variables.force_destroy_buckets?.default, false);
    assert.match(String(resources.locals.parameters), /"\/\$\{var\.environment_name\}\/apps\/\$\{key\}" =>/);
    assert.match(String(resources.locals.parameters), /replace\(value, "\{env\}", var\.environment_name\)/);
    assert.equal(resources.resources['aws_s3_bucket.this']?.bucket, '${each.value}');
    assert.equal(resources.resources['aws_ssm_parameter.this']?.name, '${each.key}');
    assert.equal(resources.resources['aws_ssm_parameter.this']?.type, 'String');
    assert.equal(root.locals.app_resources, '${jsondecode(file("${path.module}/app-resources.json"))}');
  });

  test('IAM user and its SecureString key parameters', () => {
    assert.equal(terraform.iamUser, 'test-app-service-user');
    assert.deepEqual(terraform.keyParameters, [
      '/test/service_user/access_key_id',
      '/test/service_user/secret_access_key',
    ]);
    assert.equal(resource('aws_ssm_parameter.service_user_access_key_id').type, 'SecureString');
    assert.equal(resource('aws_ssm_parameter.service_user_secret_access_key').type, 'SecureString');
  });

  test("auxiliary-service's parameter prefix covers the configuration parameters and not the keys", () => {
    const config = loadAuxiliaryConfig({ ENVIRONMENT_NAME: ENV, AWS_REGION: 'eu-west-1' });
    assert.equal(config.PARAMETER_PATH_PREFIX, '/test/apps/');
    for (const name of Object.keys(terraform.parameters))
      assert.ok(name.startsWith(config.PARAMETER_PATH_PREFIX));
    for (const name of terraform.keyParameters) assert.ok(!name.startsWith(config.PARAMETER_PATH_PREFIX));
    // The ConfigMap value is the environment name (= workspace) the service derives it from.
    assert.equal(configMap.data.ENVIRONMENT_NAME, '${var.environment_name}');
  });

  test('Terraform accepts exactly the environment names auxiliary-service accepts', () => {
    for (const module of [apps, resources]) {
      const condition: string = module.variables.environment_name?.validation?.[0]?.condition;
      const match = /^\$\{can\(regex\("(.*)", var\.environment_name\)\)\}$/.exec(condition);
      assert.ok(match, `unexpected validation ${condition}`);
      // The pattern is written without HCL escapes, so the RE2 source is the JS source.
      const pattern = new RegExp(match[1] as string);
      for (const name of [
        'test',
        'prod',
        'dev-2',
        'a',
        '0',
        'x'.repeat(32),
        'x'.repeat(33),
        'Test',
        '-x',
        'a_b',
        '',
      ])
        assert.equal(
          pattern.test(name),
          configSchema.shape.ENVIRONMENT_NAME.safeParse(name).success,
          `environment name "${name}" is judged differently`,
        );
    }
  });

  test('the Secret carries the region the provider uses', () => {
    assert.match(secret.data, /\{ AWS_REGION = var\.aws_region \}/);
    assert.equal(root.modules.apps?.aws_region, '${var.aws_region}');
    assert.ok(configSchema.shape.AWS_REGION.safeParse(root.variables.aws_region?.default).success);
  });
});

describe('bucket_name_prefix', () => {
  const validation = (module: typeof root) => {
    const condition: string = module.variables.bucket_name_prefix?.validation?.[0]?.condition;
    const match = /^\$\{can\(regex\("(.*?)", var\.bucket_name_prefix\)\)/.exec(condition);
    assert.ok(match, `unexpected validation ${condition}`);
    const forbidden = [...condition.matchAll(/startswith\(var\.bucket_name_prefix, "([^"]+)"\)/g)].map(
      (m) => m[1] as string,
    );
    const pattern = new RegExp(match[1] as string);
    return (prefix: string) => pattern.test(prefix) && !forbidden.some((start) => prefix.startsWith(start));
  };

  test('the root and the resources module accept the same prefixes, and only ones that keep names valid', () => {
    const accepts = [validation(root), validation(resources)];
    const S3_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
    for (const prefix of ['', 'acme-', 'a-', 'team-7-', `${'x'.repeat(19)}-`]) {
      for (const accept of accepts) assert.ok(accept(prefix), `"${prefix}" must be accepted`);
      for (const bucket of environmentResources('test', prefix).buckets) assert.match(bucket, S3_NAME);
    }
    for (const prefix of [
      'acme',
      'Acme-',
      '-acme-',
      'acme_',
      'xn--a-',
      'sthree-',
      `${'x'.repeat(20)}-`,
      'a.b-',
    ])
      for (const accept of accepts) assert.ok(!accept(prefix), `"${prefix}" must be refused`);
  });

  test('the local run names buckets as Terraform does with a prefix', () => {
    assert.deepEqual(environmentResources('prod', 'acme-').buckets, [
      'acme-prod-apps-main',
      'acme-prod-apps-secondary',
    ]);
  });
});

describe('the local run', () => {
  test('seeds the emulator with what Terraform creates for the test workspace', () => {
    const local = environmentResources(ENV);
    assert.deepEqual([...local.buckets].sort(), terraform.buckets);
    assert.deepEqual(local.parameters, terraform.parameters);
    assert.equal(local.serviceUser, terraform.iamUser);
    assert.deepEqual(
      [local.serviceUserParameters.accessKeyId, local.serviceUserParameters.secretAccessKey],
      terraform.keyParameters,
    );
  });
});

describe('docs/contract.md', () => {
  test('lists the names Terraform creates', () => {
    const contract = readFileSync(join(REPO_ROOT, 'docs/contract.md'), 'utf8');
    for (const name of [
      terraform.secretName,
      terraform.configMapName,
      ...terraform.secretKeys,
      ...terraform.configMapKeys,
      ...terraform.namespaces,
      '`${env}-app-service-user`',
      '`/${env}/service_user/access_key_id`',
      '`/${env}/service_user/secret_access_key`',
    ])
      assert.ok(contract.includes(name), `docs/contract.md does not mention ${name}`);
  });
});
