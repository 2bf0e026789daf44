// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform (HCL) expressions, not JS templates.
// What environment/apps creates and hands to Argo CD in each credentials_mode, read from the
// HCL itself (the locals that derive the mode flags, each resource's count, the Secret's data,
// the Kustomize components and patches of the Applications). The Terraform tests check the
// module against it; the deploy tests render the manifests each mode produces.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderPolicyTemplate } from '../../scripts/local/service-user-policy';
import { type Json, loadModule, type Module, referencesIn, strings, TERRAFORM_ROOT } from './hcl';

export const MODES = ['access_key', 'pod_identity', 'irsa'] as const;
export type Mode = (typeof MODES)[number];

export const apps: Module = await loadModule('environment/apps');

const unwrap = (expression: string): string => {
  const match = /^\$\{([\s\S]*)\}$/.exec(expression.trim());
  assert.ok(match, `not an expression: ${expression}`);
  return (match[1] as string).trim();
};

/** The mode flags (use_access_key, use_pod_identity, use_irsa, keyless) as the locals define them. */
export function flags(mode: Mode): Record<string, boolean> {
  const values: Record<string, boolean> = {};
  const evaluate = (code: string): boolean => {
    let match = /^var\.credentials_mode == "(\w+)"$/.exec(code);
    if (match) return mode === match[1];
    match = /^!local\.(\w+)$/.exec(code);
    if (match) return !flag(match[1] as string);
    throw new Error(`cannot evaluate ${code} offline`);
  };
  const flag = (name: string): boolean => {
    if (!(name in values)) {
      const definition = apps.locals[name];
      assert.equal(typeof definition, 'string', `no local ${name}`);
      values[name] = evaluate(unwrap(definition));
    }
    return values[name] as boolean;
  };
  for (const name of ['use_access_key', 'use_pod_identity', 'use_irsa', 'keyless']) flag(name);
  return values;
}

/** The mode flag a block's count depends on, or undefined for a block without count. */
export function countFlag(block: Json): string | undefined {
  if (block.count === undefined) return undefined;
  const match = /^local\.(\w+) \? 1 : 0$/.exec(unwrap(block.count));
  assert.ok(match, `count must be "local.<flag> ? 1 : 0", got ${block.count}`);
  return match[1];
}

/** Whether a managed resource or data source (address without `data.`) exists in a mode. */
export function exists(address: string, mode: Mode, module: Module = apps): boolean {
  const block = module.resources[address] ?? module.dataSources[address];
  assert.ok(block, `no ${address}`);
  const flag = countFlag(block);
  return flag === undefined || (flags(mode)[flag] ?? assert.fail(`unknown flag ${flag}`));
}

/** Keys of the auxiliary-service Secret in a mode, from its `merge({ … }, local.flag ? { … } : {})`. */
export function secretKeys(mode: Mode): string[] {
  const data = String(apps.resources['kubernetes_secret_v1.aws_credentials']?.data);
  const code = unwrap(data);
  const match = /^merge\(\s*\{([^}]*)\},\s*local\.(\w+) \? \{([^}]*)\} : \{\},?\s*\)$/.exec(code);
  assert.ok(match, `unexpected Secret data ${data}`);
  const keys = (body: string) => [...body.matchAll(/^\s*([A-Z_]+)\s*=/gm)].map((m) => m[1] as string);
  const always = keys(match[1] as string);
  const conditional = flags(mode)[match[2] as string] ? keys(match[3] as string) : [];
  return [...always, ...conditional].sort();
}

/** Kustomize components Terraform adds to the Application deploying into `namespaceKey`. */
export function components(mode: Mode, namespaceKey: string, imagePullSecret = false): string[] {
  const code = String(apps.locals.argocd_kustomize_components);
  const entries = [...code.matchAll(/(?:key == "(\w+)" && )?local\.(\w+) \? \["([^"\]]+)"\] : \[\]/g)];
  assert.ok(entries.length >= 3, 'argocd_kustomize_components has an unexpected shape');
  const values: Record<string, boolean> = { ...flags(mode), image_pull_secret_enabled: imagePullSecret };
  return entries
    .filter(([, key, flag]) => (key === undefined || key === namespaceKey) && values[flag as string])
    .map(([, , , path]) => path as string);
}

export const IRSA_PATCH_TEMPLATE = join(
  TERRAFORM_ROOT,
  'environment/apps/kustomize/irsa-service-account.yaml.tftpl',
);

/** Inline patches Terraform adds to the Application deploying into `namespaceKey` (role ARN as given). */
export function patches(
  mode: Mode,
  namespaceKey: string,
  roleArn: string,
): { target: Record<string, string>; patch: string }[] {
  const code = unwrap(String(apps.locals.argocd_kustomize_patches));
  const match =
    /key == "(\w+)" && local\.(\w+) \? \[\s*\{\s*target = \{ kind = "(\w+)", name = local\.service_account_name \}\s*patch = templatefile\("\$\{path\.module\}\/kustomize\/irsa-service-account\.yaml\.tftpl", \{\s*service_account = local\.service_account_name\s*role_arn\s*= one\(aws_iam_role\.service\[\*\]\.arn\)\s*\}\),?\s*\},?\s*\] : \[\]/.exec(
      code,
    );
  assert.ok(match, `argocd_kustomize_patches has an unexpected shape: ${code}`);
  if (match[1] !== namespaceKey || !flags(mode)[match[2] as string]) return [];
  const serviceAccount = apps.locals.service_account_name as string;
  return [
    {
      target: { kind: match[3] as string, name: serviceAccount },
      patch: renderPolicyTemplate(readFileSync(IRSA_PATCH_TEMPLATE, 'utf8'), {
        service_account: serviceAccount,
        role_arn: roleArn,
      }),
    },
  ];
}

/** The block a string of a parsed file belongs to, from its JSON path (undefined: outputs, locals…). */
function ownerOf(path: string): string | undefined {
  const match = /^\.(resource|data)\.(\w+)\.(\w+)\[0\]/.exec(path);
  return match ? `${match[2]}.${match[3]}` : undefined;
}

/**
 * References that would fail in `mode`: to a counted resource without [0] or [*] (a whole-list
 * reference or depends_on is fine), or with [0] from a block that exists in a mode where the
 * referenced resource does not. Outputs and locals must use [*] (with one()), never [0].
 */
export function referenceProblemsInMode(mode: Mode, module: Module = apps): string[] {
  const counted = [...Object.entries(module.resources), ...Object.entries(module.dataSources)]
    .filter(([, block]) => countFlag(block) !== undefined)
    .map(([address]) => address);
  const problems: string[] = [];
  for (const [file, json] of Object.entries(module.files)) {
    for (const [path, value] of strings(json)) {
      const owner = ownerOf(path);
      if (owner && !exists(owner, mode, module)) continue;
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
        if (index === '*' || text.endsWith(`.${name}`) || path.includes('.depends_on')) continue;
        if (index !== '0') problems.push(`${where}: a counted resource needs [0] or [*]`);
        else if (!exists(address, mode, module))
          problems.push(`${where}: ${address} does not exist in ${mode}`);
      }
    }
  }
  return problems;
}
