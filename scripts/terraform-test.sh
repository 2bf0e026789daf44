#!/usr/bin/env bash
# Offline Terraform checks of both root modules, as CI runs them (.github/workflows/e2e.yml):
# fmt, init without a backend, validate, and `terraform test` with mock providers (no cloud, no
# cluster). Each test file runs in the workspace its name starts with:
# tests/default.tftest.hcl in `default`, tests/test.apps.tftest.hcl in `test`.
# Needs terraform (the version in the workflow) and network access to the provider registry.
set -euo pipefail
cd "$(dirname "$0")/.."

readonly MODULES=(infra/terraform/global infra/terraform/environment)

echo "== terraform fmt -check -recursive infra/terraform"
terraform fmt -check -recursive -diff infra/terraform

for module in "${MODULES[@]}"; do
  echo "== ${module}: init, validate"
  terraform -chdir="${module}" init -backend=false -input=false -no-color >/dev/null
  terraform -chdir="${module}" validate -no-color

  shopt -s nullglob
  tests=("${module}"/tests/*.tftest.hcl)
  shopt -u nullglob
  if ((${#tests[@]} == 0)); then
    echo "${module} has no tests/*.tftest.hcl" >&2
    exit 1
  fi
  for file in "${tests[@]}"; do
    name="$(basename "${file}" .tftest.hcl)"
    workspace="${name%%.*}"
    echo "== ${module}: terraform test ${name} (workspace ${workspace})"
    TF_WORKSPACE="${workspace}" terraform -chdir="${module}" test -no-color -filter="tests/${name}.tftest.hcl"
  done
done
