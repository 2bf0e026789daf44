// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Terraform template syntax.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The service user's IAM policy, exactly as Terraform's templatefile() sends it. */
export const SERVICE_USER_POLICY_TEMPLATE = fileURLToPath(
  new URL('../../infra/terraform/environment/apps/policies/service-user.json.tftpl', import.meta.url),
);

export interface PolicyVariables {
  partition: string;
  /** The partition's DNS suffix (amazonaws.com, amazonaws.com.cn, …), as aws_partition reports it. */
  dns_suffix: string;
  region: string;
  account_id: string;
  environment: string;
  bucket_name: string;
}

/**
 * templatefile() for the subset the template may use: `${name}` interpolations and `$${`
 * escapes. Anything else (directives, function calls) is refused, so what this renders is
 * what Terraform renders; test/terraform checks that the template stays within that subset.
 */
export function renderPolicyTemplate(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$\{|\$\{([^}]*)\}/g, (whole, name: string | undefined) => {
    if (whole === '$${') return '${';
    const value = name === undefined ? undefined : variables[name];
    if (value === undefined) throw new Error(`template uses ${whole}, which is not a variable`);
    return value;
  });
}

export function serviceUserPolicy(variables: PolicyVariables): string {
  return renderPolicyTemplate(readFileSync(SERVICE_USER_POLICY_TEMPLATE, 'utf8'), { ...variables });
}
