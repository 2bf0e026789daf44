// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// credentials_mode of the environment module: per mode, exactly the right resources exist,
// nothing references a resource that does not exist in that mode, the one policy template
// goes to whichever principal exists, and the Secret carries keys only when there is a key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { apps, countFlag, exists, flags, MODES, type Mode, secretKeys } from './credentials-modes';
import { type Json, loadModule, referencesIn, strings } from './hcl';

const root = await loadModule('environment');

const CONDITIONAL = {
  access_key: [
    'aws_iam_user.service',
    'aws_iam_user_policy.service',
    'aws_iam_access_key.service',
    'aws_ssm_parameter.service_user_access_key_id',
    'aws_ssm_parameter.service_user_secret_access_key',
  ],
  pod_identity: [
    'aws_iam_role.service',
    'aws_iam_role_policy.service',
    'aws_eks_pod_identity_association.service',
  ],
  irsa: [
    'aws_iam_role.service',
    'aws_iam_role_policy.service',
    'aws_eks_cluster.this',
    'aws_iam_openid_connect_provider.this',
  ],
} satisfies Record<Mode, string[]>;

const counted = [...Object.entries(apps.resources), ...Object.entries(apps.dataSources)]
  .filter(([, block]) => countFlag(block) !== undefined)
  .map(([address]) => address);

/** The block a string of a parsed file belongs to, from its JSON path. */
function ownerOf(path: string): { address?: string; kind: string } {
  const resource = /^\.resource\.(\w+)\.(\w+)\[0\]/.exec(path);
  if (resource) return { address: `${resource[1]}.${resource[2]}`, kind: 'resource' };
  const data = /^\.data\.(\w+)\.(\w+)\[0\]/.exec(path);
  if (data) return { address: `${data[1]}.${data[2]}`, kind: 'data' };
  return { kind: path.split(/[.[]/)[1] ?? '?' };
}

describe('credentials_mode', () => {
  test('the root module passes it through, with the same validation as the apps module', () => {
    assert.equal(root.modules.apps?.credentials_mode, '${var.credentials_mode}');
    assert.equal(root.modules.apps?.eks_cluster_name, '${var.eks_cluster_name}');
    for (const module of [root, apps]) {
      assert.equal(
        module.variables.credentials_mode?.default,
        'access_key',
        'the specification is the default',
      );
      assert.equal(
        module.variables.credentials_mode?.validation?.[0]?.condition,
        '${contains(["access_key", "pod_identity", "irsa"], var.credentials_mode)}',
      );
      assert.ok(
        module.variables.eks_cluster_name?.validation?.some(
          (rule: Json) =>
            rule.condition === '${var.credentials_mode == "access_key" || var.eks_cluster_name != null}',
        ),
        'eks_cluster_name must be required in the keyless modes',
      );
    }
  });

  test('the flags select exactly one mode each', () => {
    for (const mode of MODES) {
      const values = flags(mode);
      assert.deepEqual(
        MODES.filter((m) => values[`use_${m}`]),
        [mode],
      );
      assert.equal(values.keyless, mode !== 'access_key');
    }
  });

  for (const mode of MODES) {
    test(`${mode}: exactly its own conditional resources exist`, () => {
      const expected = [...new Set(CONDITIONAL[mode])].sort();
      assert.deepEqual(counted.filter((address) => exists(address, mode)).sort(), expected);
      assert.deepEqual(counted.sort(), [...new Set(Object.values(CONDITIONAL).flat())].sort());
    });

    test(`${mode}: no reference to a resource that does not exist in this mode`, () => {
      const problems: string[] = [];
      for (const [file, json] of Object.entries(apps.files)) {
        for (const [path, value] of strings(json)) {
          const owner = ownerOf(path);
          if (owner.address && !exists(owner.address, mode)) continue;
          for (const reference of referencesIn(value)) {
            const address =
              reference.root === 'data'
                ? `${reference.parts[0]}.${reference.parts[1]}`
                : `${reference.root}.${reference.parts[0]}`;
            if (!counted.includes(address)) continue;
            const text = reference.text.trim();
            const where = `${file} ${path}: ${text}`;
            const name = address.split('.')[1] as string;
            const index = new RegExp(`\\.${name}\\s*\\[([^\\]]*)\\]`).exec(text)?.[1];
            const wholeCollection = text.endsWith(`.${name}`);
            if (index === '*' || wholeCollection || path.includes('.depends_on')) continue;
            if (index !== '0') problems.push(`${where}: a counted resource needs [0] or [*]`);
            else if (!exists(address, mode)) problems.push(`${where}: ${address} does not exist in ${mode}`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });

    test(`${mode}: the Secret carries AWS_REGION, and the key only with access_key`, () => {
      assert.deepEqual(
        secretKeys(mode),
        mode === 'access_key' ? ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'] : ['AWS_REGION'],
      );
    });
  }

  test('the checker finds a reference that only exists in another mode', () => {
    const planted = 'merge({ AWS_REGION = var.aws_region }, { X = aws_iam_access_key.service[0].id })';
    const [reference] = referencesIn(`\${${planted}}`).filter((r) => r.root === 'aws_iam_access_key');
    assert.ok(reference);
    assert.equal(exists('aws_iam_access_key.service', 'irsa'), false);
  });

  test('one policy template, attached to whichever principal exists', () => {
    assert.equal(
      apps.locals.service_policy,
      '${templatefile("${path.module}/policies/service-user.json.tftpl", local.service_user_policy_variables)}',
    );
    assert.equal(apps.resources['aws_iam_user_policy.service']?.policy, '${local.service_policy}');
    assert.equal(apps.resources['aws_iam_role_policy.service']?.policy, '${local.service_policy}');
    assert.equal(apps.resources['aws_iam_role_policy.service']?.role, '${aws_iam_role.service[0].name}');
  });

  test('Pod Identity associates the role with the auxiliary-service ServiceAccount in its namespace', () => {
    const association = apps.resources['aws_eks_pod_identity_association.service'];
    assert.equal(association?.cluster_name, '${var.eks_cluster_name}');
    assert.equal(
      association?.namespace,
      '${kubernetes_namespace_v1.this["auxiliary_service"].metadata[0].name}',
    );
    assert.equal(association?.service_account, '${local.service_account_name}');
    assert.equal(apps.locals.service_account_name, 'auxiliary-service');
    assert.equal(association?.role_arn, '${aws_iam_role.service[0].arn}');
  });

  test('the role trusts the selected mode only, through its own template', () => {
    const trust: string = apps.resources['aws_iam_role.service']?.assume_role_policy;
    assert.match(
      trust,
      /local\.use_pod_identity \? templatefile\("\$\{path\.module\}\/policies\/pod-identity-trust\.json\.tftpl", local\.pod_identity_trust_variables\)/,
    );
    assert.match(
      trust,
      /: templatefile\("\$\{path\.module\}\/policies\/irsa-trust\.json\.tftpl", local\.irsa_trust_variables\)/,
    );
  });

  test('Argo CD gets the workload identity before it syncs', () => {
    const dependsOn: string[] = apps.resources['helm_release.argocd_apps']?.depends_on;
    for (const address of [
      'aws_eks_pod_identity_association.service',
      'aws_iam_role_policy.service',
      'aws_iam_user_policy.service',
      'kubernetes_secret_v1.aws_credentials',
    ])
      assert.ok(dependsOn.includes(`\${${address}}`), address);
  });
});
