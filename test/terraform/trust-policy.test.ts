// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// The keyless modes' trust policies (environment/apps/policies/*-trust.json.tftpl), rendered
// as Terraform renders them and evaluated by the IAM policy simulator: only the
// auxiliary-service ServiceAccount in its namespace (and, for Pod Identity, its cluster) may
// assume the role.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { renderPolicyTemplate } from '../../scripts/local/service-user-policy';
import { apps } from './credentials-modes';
import { TERRAFORM_ROOT } from './hcl';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/test-auxiliary-service`;
const NAMESPACE = 'auxiliary-service';
const SERVICE_ACCOUNT = 'auxiliary-service';
const CLUSTER = 'platform';

const template = (name: string) =>
  readFileSync(join(TERRAFORM_ROOT, 'environment/apps/policies', name), 'utf8');

type Result = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

async function simulate(
  trust: unknown,
  principal: string,
  action: string,
  context: Record<string, string>,
): Promise<Result> {
  const response = await runSimulation(
    {
      request: {
        principal,
        action,
        resource: { resource: ROLE, accountId: ACCOUNT },
        contextVariables: context,
      },
      identityPolicies: [],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: trust as never,
    },
    {},
  );
  if (response.resultType !== 'single') throw new Error(JSON.stringify(response));
  return response.overallResult as Result;
}

test('Terraform passes each trust template exactly the variables it uses', () => {
  for (const [file, local] of [
    ['pod-identity-trust.json.tftpl', 'pod_identity_trust_variables'],
    ['irsa-trust.json.tftpl', 'irsa_trust_variables'],
  ] as const) {
    const used = [...new Set([...template(file).matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]))].sort();
    assert.deepEqual(Object.keys(apps.locals[local]).sort(), used, file);
    assert.ok(!template(file).includes('%{'), 'directives are not supported by the test renderer');
  }
  assert.equal(apps.locals.pod_identity_trust_variables.namespace, '${local.namespaces.auxiliary_service}');
  assert.equal(apps.locals.pod_identity_trust_variables.service_account, '${local.service_account_name}');
  assert.equal(apps.locals.irsa_trust_variables.namespace, '${local.namespaces.auxiliary_service}');
  assert.equal(apps.locals.namespaces.auxiliary_service, NAMESPACE);
  assert.equal(apps.locals.service_account_name, SERVICE_ACCOUNT);
});

describe('EKS Pod Identity trust policy', () => {
  const trust = JSON.parse(
    renderPolicyTemplate(template('pod-identity-trust.json.tftpl'), {
      cluster_name: CLUSTER,
      namespace: NAMESPACE,
      service_account: SERVICE_ACCOUNT,
    }),
  );
  // The session tags EKS Pod Identity sets when it assumes the role for a pod.
  const tags = (cluster: string, namespace: string, serviceAccount: string) => ({
    'aws:RequestTag/eks-cluster-name': cluster,
    'aws:RequestTag/kubernetes-namespace': namespace,
    'aws:RequestTag/kubernetes-service-account': serviceAccount,
  });
  const ours = tags(CLUSTER, NAMESPACE, SERVICE_ACCOUNT);
  const cases: [string, string, string, Record<string, string>, Result][] = [
    ['auxiliary-service pod: AssumeRole', 'pods.eks.amazonaws.com', 'sts:AssumeRole', ours, 'Allowed'],
    ['auxiliary-service pod: TagSession', 'pods.eks.amazonaws.com', 'sts:TagSession', ours, 'Allowed'],
    [
      'main-api ServiceAccount',
      'pods.eks.amazonaws.com',
      'sts:TagSession',
      tags(CLUSTER, 'main-api', 'main-api'),
      'ImplicitlyDenied',
    ],
    [
      'another ServiceAccount in the namespace',
      'pods.eks.amazonaws.com',
      'sts:AssumeRole',
      tags(CLUSTER, NAMESPACE, 'default'),
      'ImplicitlyDenied',
    ],
    [
      'same names in another namespace',
      'pods.eks.amazonaws.com',
      'sts:AssumeRole',
      tags(CLUSTER, 'default', SERVICE_ACCOUNT),
      'ImplicitlyDenied',
    ],
    [
      'same names on another cluster',
      'pods.eks.amazonaws.com',
      'sts:AssumeRole',
      tags('other', NAMESPACE, SERVICE_ACCOUNT),
      'ImplicitlyDenied',
    ],
    ['no session tags', 'pods.eks.amazonaws.com', 'sts:AssumeRole', {}, 'ImplicitlyDenied'],
    ['another service', 'ec2.amazonaws.com', 'sts:AssumeRole', ours, 'ImplicitlyDenied'],
    [
      'a user of the account',
      `arn:aws:iam::${ACCOUNT}:user/admin`,
      'sts:AssumeRole',
      ours,
      'ImplicitlyDenied',
    ],
    ['web identity', 'pods.eks.amazonaws.com', 'sts:AssumeRoleWithWebIdentity', ours, 'ImplicitlyDenied'],
  ];
  for (const [name, principal, action, context, expected] of cases)
    test(`${name} → ${expected}`, async () => {
      assert.equal(await simulate(trust, principal, action, context), expected);
    });
});

describe('IRSA trust policy', () => {
  // As Terraform renders it on EKS: the provider is the cluster's OIDC issuer without https://.
  const issuer = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
  const render = (provider: string) =>
    JSON.parse(
      renderPolicyTemplate(template('irsa-trust.json.tftpl'), {
        oidc_provider_arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${provider}`,
        oidc_provider: provider,
        namespace: NAMESPACE,
        service_account: SERVICE_ACCOUNT,
      }),
    );

  test('binds the role to system:serviceaccount:auxiliary-service:auxiliary-service and audience sts.amazonaws.com', () => {
    const [statement, ...others] = render(issuer).Statement;
    assert.equal(others.length, 0);
    assert.deepEqual(statement.Principal, { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}` });
    assert.equal(statement.Action, 'sts:AssumeRoleWithWebIdentity');
    assert.deepEqual(statement.Condition, {
      StringEquals: {
        [`${issuer}:sub`]: `system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`,
        [`${issuer}:aud`]: 'sts.amazonaws.com',
      },
    });
  });

  // The simulator only evaluates web identity condition keys of the providers in AWS's service
  // authorization reference, which has no EKS entry. The same template is therefore evaluated
  // with a listed provider (accounts.google.com) standing in for the cluster's issuer; the
  // statement, operator and <provider>:sub / :aud keys are the ones Terraform sends.
  const provider = 'accounts.google.com';
  const providerArn = `arn:aws:iam::${ACCOUNT}:oidc-provider/${provider}`;
  const trust = render(provider);
  const token = (sub: string, aud = 'sts.amazonaws.com') => ({
    [`${provider}:sub`]: sub,
    [`${provider}:aud`]: aud,
  });
  const ours = token(`system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`);
  const cases: [string, string, string, Record<string, string>, Result][] = [
    ['auxiliary-service token', providerArn, 'sts:AssumeRoleWithWebIdentity', ours, 'Allowed'],
    [
      'main-api token',
      providerArn,
      'sts:AssumeRoleWithWebIdentity',
      token('system:serviceaccount:main-api:main-api'),
      'ImplicitlyDenied',
    ],
    [
      'another ServiceAccount in the namespace',
      providerArn,
      'sts:AssumeRoleWithWebIdentity',
      token(`system:serviceaccount:${NAMESPACE}:default`),
      'ImplicitlyDenied',
    ],
    [
      'same name in another namespace',
      providerArn,
      'sts:AssumeRoleWithWebIdentity',
      token(`system:serviceaccount:default:${SERVICE_ACCOUNT}`),
      'ImplicitlyDenied',
    ],
    [
      'token for another audience',
      providerArn,
      'sts:AssumeRoleWithWebIdentity',
      token(`system:serviceaccount:${NAMESPACE}:${SERVICE_ACCOUNT}`, 'vault'),
      'ImplicitlyDenied',
    ],
    [
      "another cluster's provider",
      `arn:aws:iam::${ACCOUNT}:oidc-provider/${issuer}`,
      'sts:AssumeRoleWithWebIdentity',
      ours,
      'ImplicitlyDenied',
    ],
    ['plain AssumeRole', providerArn, 'sts:AssumeRole', ours, 'ImplicitlyDenied'],
  ];
  for (const [name, principal, action, context, expected] of cases)
    test(`${name} → ${expected}`, async () => {
      assert.equal(await simulate(trust, principal, action, context), expected);
    });
});
