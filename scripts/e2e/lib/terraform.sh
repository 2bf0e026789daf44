# shellcheck shell=bash
# Terraform against kind and the in-cluster AWS emulator. Everything e2e-only is written into
# a throw-away copy of infra/ (the run's source tree), never into the repository: an
# emulator_override.tf per root module (Terraform merges *_override.tf into the provider block)
# and a tfvars file outside the modules.

# The address auxiliary-service uses for the emulator (test/e2e-cluster/emulator); also used
# by checks.sh and cluster.sh.
# shellcheck disable=SC2034
readonly EMULATOR_IN_CLUSTER_URL="http://moto.aws-emulator.svc.cluster.local:5000"

# write_emulator_override MODULE_DIR ENDPOINT: the aws provider talks to the emulator at
# ENDPOINT (the port-forward) with its test credentials, instead of AWS.
write_emulator_override() {
  local module_dir="$1" endpoint="$2"
  cat >"${module_dir}/emulator_override.tf" <<HCL
# Written by scripts/e2e/cluster.sh into a throw-away copy of the module; never committed.
provider "aws" {
  # moto accepts any credentials.
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  s3_use_path_style           = true

  endpoints {
    iam = "${endpoint}"
    s3  = "${endpoint}"
    ssm = "${endpoint}"
    sts = "${endpoint}"
  }
}
HCL
}

# write_tfvars FILE KUBECONFIG CONTEXT [SETTINGS_URL [GIT_TOKEN]]: the variables of one root
# module. SETTINGS_URL becomes auxiliary-service's AWS_ENDPOINT_URL (environment only);
# GIT_TOKEN lets Argo CD read a private repository.
write_tfvars() {
  local file="$1" kubeconfig="$2" context="$3" settings_url="${4:-}" git_token="${5:-}"
  {
    printf 'kubeconfig_path    = "%s"\n' "${kubeconfig}"
    printf 'kubeconfig_context = "%s"\n' "${context}"
    if [[ -n "${settings_url}" ]]; then
      printf 'auxiliary_service_settings = { AWS_ENDPOINT_URL = "%s" }\n' "${settings_url}"
    fi
    if [[ -n "${git_token}" ]]; then
      printf 'argocd_repository_credentials = { username = "x-access-token", password = "%s" }\n' "${git_token}"
    fi
  } >"${file}"
  chmod 600 "${file}"
}

# terraform_apply MODULE_DIR WORKSPACE TFVARS
terraform_apply() {
  local module_dir="$1" workspace="$2" tfvars="$3"
  terraform -chdir="${module_dir}" init -input=false -no-color >/dev/null
  terraform -chdir="${module_dir}" workspace select -or-create "${workspace}" >/dev/null
  terraform -chdir="${module_dir}" apply -input=false -auto-approve -no-color -var-file="${tfvars}"
}
