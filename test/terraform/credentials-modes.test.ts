// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// credentials_mode of the environment module: per mode, exactly the right resources exist,
// nothing references a resource that does not exist in that mode, the one policy template
// goes to whichever principal exists, and the Secret carries keys only when there is a key.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  apps,
  countFlag,
  exists,
  flags,
  MODES,
  type Mode,
  referenceProblemsInMode,
  secretKeys,
} from './credentials-modes';
import { type Json, loadModule, type Module } from './hcl';

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
      assert.deepEqual(referenceProblemsInMode(mode), []);
    });

    test(`${mode}: the Secret carries AWS_REGION, and the key only with access_key`, () => {
      assert.deepEqual(
        secretKeys(mode),
        mode === 'access_key' ? ['AWS_ACCESS_KEY_ID', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY'] : ['AWS_REGION'],
      );
    });
  }

  test('the checker finds references that break in some mode', () => {
    const planted: Module = {
      ...apps,
      files: {
        'planted.tf': {
          resource: {
            kubernetes_config_map_v1: {
              planted: [{ data: { KEY: '${aws_iam_access_key.service[0].id}' } }],
            },
            aws_iam_role_policy_attachment: {
              planted: [{ count: '${local.keyless ? 1 : 0}', role: '${aws_iam_role.service[0].name}' }],
            },
          },
          output: { planted: [{ value: '${aws_iam_role.service.arn}' }] },
        },
      },
      resources: {
        ...apps.resources,
        'kubernetes_config_map_v1.planted': {},
        'aws_iam_role_policy_attachment.planted': { count: '${local.keyless ? 1 : 0}' },
      },
    };
    const irsa = referenceProblemsInMode('irsa', planted);
    assert.ok(
      irsa.some((p) => p.includes('aws_iam_access_key.service does not exist in irsa')),
      irsa.join('\n'),
    );
    assert.ok(
      irsa.some((p) => p.includes('aws_iam_role.service.arn: a counted resource needs')),
      irsa.join('\n'),
    );
    // A role reference from a block that exists only with the role is fine.
    assert.ok(!irsa.some((p) => p.includes('aws_iam_role.service[0].name')));
    const accessKey = referenceProblemsInMode('access_key', planted);
    assert.ok(!accessKey.some((p) => p.includes('aws_iam_access_key')), accessKey.join('\n'));
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
