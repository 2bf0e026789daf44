// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// The service user's IAM policy, rendered from the very template Terraform sends
// (environment/apps/policies/service-user.json.tftpl), evaluated by an IAM policy simulator
// (@cloud-copilot/iam-simulate) for a matrix of allowed and denied requests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { renderPolicyTemplate as renderTemplate } from '../../scripts/local/service-user-policy';
import { loadModule, TERRAFORM_ROOT } from './hcl';

const TEMPLATE_PATH = join(TERRAFORM_ROOT, 'environment/apps/policies/service-user.json.tftpl');
const template = readFileSync(TEMPLATE_PATH, 'utf8');

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const ENV = 'test';
const PRINCIPAL = `arn:aws:iam::${ACCOUNT}:user/${ENV}-app-service-user`;
const VARIABLES = {
  partition: 'aws',
  dns_suffix: 'amazonaws.com',
  region: REGION,
  account_id: ACCOUNT,
  environment: ENV,
  bucket_name: `${ENV}-apps-main`,
};

const policy = JSON.parse(renderTemplate(template, VARIABLES));
type Statement = { Sid: string; Effect: string; Action: string | string[]; Resource: string | string[] };

describe('the policy template', () => {
  test('uses only simple ${name} interpolations, so the test renderer is faithful', () => {
    assert.ok(!template.includes('%{'), 'template directives are not supported by the test renderer');
    const interpolations = [...template.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]);
    for (const expression of interpolations) assert.match(expression ?? '', /^[a-z_]+$/);
  });

  test('its variables are exactly the ones Terraform passes to templatefile()', async () => {
    const apps = await loadModule('environment/apps');
    // One rendering, attached to the user (access_key) or the role (pod_identity, irsa).
    assert.equal(
      apps.locals.service_policy,
      '${templatefile("${path.module}/policies/service-user.json.tftpl", local.service_user_policy_variables)}',
    );
    assert.equal(apps.resources['aws_iam_user_policy.service']?.policy, '${local.service_policy}');
    assert.equal(apps.resources['aws_iam_role_policy.service']?.policy, '${local.service_policy}');
    const passed = Object.keys(apps.locals.service_user_policy_variables).sort();
    const used = [...new Set([...template.matchAll(/\$\{([a-z_]+)\}/g)].map((match) => match[1]))].sort();
    assert.deepEqual(used, passed);
    assert.deepEqual(Object.keys(VARIABLES).sort(), passed);
    assert.equal(apps.locals.service_user_policy_variables.environment, '${var.environment_name}');
    assert.equal(apps.locals.service_user_policy_variables.region, '${var.aws_region}');
  });

  test('renders to valid JSON with only the statements of specification §5.2', () => {
    assert.equal(policy.Version, '2012-10-17');
    const statements: Statement[] = policy.Statement;
    const wildcard = statements.filter((statement) => [statement.Resource].flat().includes('*'));
    assert.deepEqual(
      wildcard.map((statement) => [statement.Effect, statement.Action]),
      [
        ['Allow', 's3:ListAllMyBuckets'],
        ['Allow', 'ssm:DescribeParameters'],
      ],
      'only ListAllMyBuckets and DescribeParameters may use Resource "*"',
    );
    const allowedActions = statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat())
      .sort();
    assert.deepEqual(allowedActions, [
      'kms:Decrypt',
      's3:GetObject',
      's3:ListAllMyBuckets',
      's3:ListBucket',
      'ssm:DescribeParameters',
      'ssm:GetParameter',
      'ssm:GetParameters',
      'ssm:GetParametersByPath',
    ]);
    for (const statement of statements)
      for (const action of [statement.Action].flat())
        if (statement.Effect === 'Allow')
          assert.ok(!action.includes('*'), `wildcard action ${action} allowed`);
  });

  test("KMS decrypt is scoped to SSM through the partition's DNS suffix, not a literal amazonaws.com", () => {
    assert.ok(!template.includes('amazonaws.com'), 'use ${dns_suffix}');
    const china = JSON.parse(
      renderTemplate(template, {
        ...VARIABLES,
        partition: 'aws-cn',
        dns_suffix: 'amazonaws.com.cn',
        region: 'cn-north-1',
      }),
    );
    const decrypt = china.Statement.find((statement: Statement) => statement.Sid === 'DecryptThroughSsmOnly');
    assert.deepEqual(decrypt.Condition, {
      StringEquals: { 'kms:ViaService': 'ssm.cn-north-1.amazonaws.com.cn' },
    });
    assert.match(decrypt.Resource, /^arn:aws-cn:kms:cn-north-1:/);
  });

  test('the test renderer refuses what it cannot render', () => {
    assert.throws(() => renderTemplate('${upper(region)}', VARIABLES), /not a variable/);
    assert.equal(renderTemplate('$${region}', VARIABLES), '${region}');
  });
});

type Expected = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
interface Case {
  action: string;
  resource: string;
  expected: Expected;
  context?: Record<string, string>;
}

const ssm = (name: string, env = ENV, region = REGION) =>
  `arn:aws:ssm:${region}:${ACCOUNT}:parameter/${env}${name}`;
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const VIA_SSM = { 'kms:ViaService': `ssm.${REGION}.amazonaws.com` };
/**
 * KMS needs the key policy to allow too. The default key policy delegates to IAM (account
 * root), so the identity policy under test is what decides. (The AWS managed aws/ssm key
 * itself grants every principal of the account via SSM; a customer key may not.)
 */
const KEY_POLICY_DELEGATING_TO_IAM = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EnableIamPolicies',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

const cases: Case[] = [
  // Allowed: exactly what auxiliary-service needs.
  { action: 's3:ListAllMyBuckets', resource: '*', expected: 'Allowed' },
  { action: 'ssm:DescribeParameters', resource: '*', expected: 'Allowed' },
  { action: 's3:ListBucket', resource: 'arn:aws:s3:::test-apps-main', expected: 'Allowed' },
  { action: 's3:GetObject', resource: 'arn:aws:s3:::test-apps-main/reports/2024.csv', expected: 'Allowed' },
  { action: 'ssm:GetParameter', resource: ssm('/apps/config/env_name'), expected: 'Allowed' },
  { action: 'ssm:GetParameter', resource: ssm('/apps/config/hotel'), expected: 'Allowed' },
  { action: 'ssm:GetParameters', resource: ssm('/apps/config/locale'), expected: 'Allowed' },
  { action: 'ssm:GetParametersByPath', resource: ssm('/apps/config'), expected: 'Allowed' },
  { action: 'kms:Decrypt', resource: KMS_KEY, expected: 'Allowed', context: VIA_SSM },
  // The service user's own keys: explicitly denied, whatever else is ever allowed.
  { action: 'ssm:GetParameter', resource: ssm('/service_user/access_key_id'), expected: 'ExplicitlyDenied' },
  {
    action: 'ssm:GetParameter',
    resource: ssm('/service_user/secret_access_key'),
    expected: 'ExplicitlyDenied',
  },
  {
    action: 'ssm:GetParameters',
    resource: ssm('/service_user/secret_access_key'),
    expected: 'ExplicitlyDenied',
  },
  { action: 'ssm:GetParametersByPath', resource: ssm('/service_user'), expected: 'ExplicitlyDenied' },
  {
    action: 'ssm:GetParameterHistory',
    resource: ssm('/service_user/access_key_id'),
    expected: 'ExplicitlyDenied',
  },
  // Other parameters: other environments, regions, paths, and the path itself one level up.
  {
    action: 'ssm:GetParameter',
    resource: ssm('/apps/config/env_name', 'prod'),
    expected: 'ImplicitlyDenied',
  },
  {
    action: 'ssm:GetParameter',
    resource: ssm('/service_user/access_key_id', 'prod'),
    expected: 'ImplicitlyDenied',
  },
  {
    action: 'ssm:GetParameter',
    resource: ssm('/apps/config/env_name', ENV, 'us-east-1'),
    expected: 'ImplicitlyDenied',
  },
  { action: 'ssm:GetParameter', resource: ssm('-other/apps/config/env_name'), expected: 'ImplicitlyDenied' },
  { action: 'ssm:GetParametersByPath', resource: ssm(''), expected: 'ImplicitlyDenied' },
  { action: 'ssm:GetParameterHistory', resource: ssm('/apps/config/env_name'), expected: 'ImplicitlyDenied' },
  // No writes or deletes anywhere.
  { action: 'ssm:PutParameter', resource: ssm('/apps/config/env_name'), expected: 'ImplicitlyDenied' },
  { action: 'ssm:DeleteParameter', resource: ssm('/apps/config/hotel'), expected: 'ImplicitlyDenied' },
  {
    action: 's3:PutObject',
    resource: 'arn:aws:s3:::test-apps-main/upload.txt',
    expected: 'ImplicitlyDenied',
  },
  {
    action: 's3:DeleteObject',
    resource: 'arn:aws:s3:::test-apps-main/reports/2024.csv',
    expected: 'ImplicitlyDenied',
  },
  { action: 's3:DeleteBucket', resource: 'arn:aws:s3:::test-apps-main', expected: 'ImplicitlyDenied' },
  { action: 's3:CreateBucket', resource: 'arn:aws:s3:::test-apps-new', expected: 'ImplicitlyDenied' },
  // Other buckets: listed by name (ListAllMyBuckets) but never read.
  {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::test-apps-secondary/file.txt',
    expected: 'ImplicitlyDenied',
  },
  { action: 's3:ListBucket', resource: 'arn:aws:s3:::test-apps-secondary', expected: 'ImplicitlyDenied' },
  { action: 's3:GetObject', resource: 'arn:aws:s3:::prod-apps-main/file.txt', expected: 'ImplicitlyDenied' },
  {
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::test-apps-main-backup/file.txt',
    expected: 'ImplicitlyDenied',
  },
  // KMS only through SSM in this region.
  { action: 'kms:Decrypt', resource: KMS_KEY, expected: 'ImplicitlyDenied' },
  {
    action: 'kms:Decrypt',
    resource: KMS_KEY,
    expected: 'ImplicitlyDenied',
    context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
  },
  {
    action: 'kms:Decrypt',
    resource: KMS_KEY,
    expected: 'ImplicitlyDenied',
    context: { 'kms:ViaService': 'ssm.us-east-1.amazonaws.com' },
  },
  { action: 'kms:Encrypt', resource: KMS_KEY, expected: 'ImplicitlyDenied', context: VIA_SSM },
  // No IAM, no STS.
  { action: 'iam:CreateAccessKey', resource: PRINCIPAL, expected: 'ImplicitlyDenied' },
  { action: 'iam:ListUsers', resource: '*', expected: 'ImplicitlyDenied' },
  { action: 'iam:PutUserPolicy', resource: PRINCIPAL, expected: 'ImplicitlyDenied' },
  { action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/admin`, expected: 'ImplicitlyDenied' },
];

/** Who sends the requests in each credentials_mode: the user, or a session of the role. */
const ROLE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/${ENV}-auxiliary-service`;
const PRINCIPALS = {
  access_key: PRINCIPAL,
  pod_identity: `${ROLE_SESSION}/eks-test-auxiliar-6f1c2b3a-0d4e-4f5a-8b9c-1d2e3f4a5b6c`,
  irsa: `${ROLE_SESSION}/botocore-session-1732000000`,
} as const;

async function simulate(testCase: Case, principal: string = PRINCIPAL): Promise<Expected> {
  const response = await runSimulation(
    {
      request: {
        principal,
        action: testCase.action,
        resource: { resource: testCase.resource, accountId: ACCOUNT },
        contextVariables: testCase.context ?? {},
      },
      identityPolicies: [{ name: 'service-user', policy }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(testCase.action.startsWith('kms:') ? { resourcePolicy: KEY_POLICY_DELEGATING_TO_IAM } : {}),
    },
    {},
  );
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  if (response.resultType !== 'single')
    throw new Error(`expected a single-resource result, got ${response.resultType}`);
  return response.overallResult as Expected;
}

describe('simulated requests of the role in the keyless modes', () => {
  test('the role is named as the tests assume', async () => {
    const apps = await loadModule('environment/apps');
    assert.equal(apps.locals.service_role_name, '${var.environment_name}-auxiliary-service');
  });

  for (const mode of ['pod_identity', 'irsa'] as const) {
    test(`${mode}: every case of the matrix has the same result as for the user`, async () => {
      const results = await Promise.all(cases.map((testCase) => simulate(testCase, PRINCIPALS[mode])));
      assert.deepEqual(
        results,
        cases.map((testCase) => testCase.expected),
      );
    });
  }
});

describe('simulated requests of test-app-service-user', () => {
  test('the matrix is large and covers both outcomes', () => {
    assert.ok(cases.length >= 20);
    assert.ok(cases.filter((c) => c.expected === 'Allowed').length >= 5);
    assert.ok(cases.filter((c) => c.expected === 'ExplicitlyDenied').length >= 3);
  });

  for (const testCase of cases) {
    const context = testCase.context ? ` with ${JSON.stringify(testCase.context)}` : '';
    test(`${testCase.action} on ${testCase.resource}${context} → ${testCase.expected}`, async () => {
      assert.equal(await simulate(testCase), testCase.expected);
    });
  }

  test('the simulator denies when the policy is wrong (a broken policy fails the matrix)', async () => {
    const broken = JSON.parse(
      renderTemplate(template, { ...VARIABLES, environment: '*' }).replace(
        '"Effect": "Deny"',
        '"Effect": "Allow"',
      ),
    );
    const response = await runSimulation(
      {
        request: {
          principal: PRINCIPAL,
          action: 'ssm:GetParameter',
          resource: { resource: ssm('/service_user/access_key_id'), accountId: ACCOUNT },
          contextVariables: {},
        },
        identityPolicies: [{ name: 'broken', policy: broken }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
      },
      {},
    );
    assert.equal(response.resultType === 'single' && response.overallResult, 'Allowed');
  });
});
