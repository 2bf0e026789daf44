#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# The whole platform in a real cluster, the way .github/workflows/e2e.yml runs it on every pull
# request (and `npm run e2e:cluster` on a machine with Docker):
#   kind cluster (NetworkPolicies enforced) + metrics-server + the AWS emulator (moto)
#   -> terraform apply of global (workspace global: Argo CD) and environment (workspace test)
#   -> both images built with VERSION=<commit> and loaded into kind under the kustomizations' names
#   -> Argo CD syncs deploy/ at that commit -> Synced + Healthy
#   -> the specification's curls through `kubectl port-forward -n main-api service/main-api 8080:80`.
# Everything comes from the commit under test (git archive), so the cluster runs exactly what
# Argo CD reads: that commit must be pushed. Needs docker, kind, kubectl, terraform, git, curl.
#
# Settings (environment):
#   E2E_REVISION      commit to prove (default: HEAD; must be reachable in E2E_REPOSITORY)
#   E2E_REPOSITORY    https URL Argo CD clones (default: the `origin` remote)
#   E2E_GIT_TOKEN     token for a private repository (optional; stored only in the cluster)
#   E2E_CLUSTER_NAME  kind cluster name (default aws-k8s-platform-e2e; must not exist yet)
#   E2E_WAIT_SECONDS  how long the Applications may take to be Synced and Healthy (default 900)
#   E2E_ARTIFACTS     where a failed run leaves its diagnostics (default ./e2e-diagnostics)
#   E2E_KEEP_CLUSTER  1 keeps the cluster (and prints how to reach it) instead of deleting it
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"
REPO_ROOT="$(cd "${SCRIPT_DIR}/../.." && pwd)"
readonly SCRIPT_DIR REPO_ROOT
# shellcheck source=lib/common.sh
source "${SCRIPT_DIR}/lib/common.sh"
# shellcheck source=lib/applications.sh
source "${SCRIPT_DIR}/lib/applications.sh"
# shellcheck source=lib/terraform.sh
source "${SCRIPT_DIR}/lib/terraform.sh"
# shellcheck source=lib/checks.sh
source "${SCRIPT_DIR}/lib/checks.sh"
# shellcheck source=lib/diagnostics.sh
source "${SCRIPT_DIR}/lib/diagnostics.sh"
# shellcheck source=lib/images.sh
source "${SCRIPT_DIR}/lib/images.sh"

# metrics-server serves the CPU metrics the HPAs need; without them Argo CD reports the HPAs,
# and so the Applications, as Degraded. kubelet serves a self-signed certificate in kind.
readonly METRICS_SERVER_MANIFEST="https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.9.0/components.yaml"
# The two images: services/<dir>/Dockerfile, tagged as deploy/<deploy>/kustomization.yaml names it.
readonly IMAGES=("main-api:main" "auxiliary:auxiliary")

cluster_name="${E2E_CLUSTER_NAME:-aws-k8s-platform-e2e}"
wait_seconds="${E2E_WAIT_SECONDS:-900}"
artifacts="${E2E_ARTIFACTS:-${PWD}/e2e-diagnostics}"
revision="$(git -C "${REPO_ROOT}" rev-parse "${E2E_REVISION:-HEAD}^{commit}")"
repository="${E2E_REPOSITORY:-$(repository_url "$(git -C "${REPO_ROOT}" remote get-url origin)")}"
work="$(mktemp -d "${TMPDIR:-/tmp}/aws-k8s-platform-e2e.XXXXXX")"
kubeconfig="${work}/kubeconfig"
context="kind-${cluster_name}"
cluster_created=false
forward_pids=()

cleanup() {
  local status=$?
  set +e
  if ((status != 0)) && [[ "${cluster_created}" == true ]]; then
    log "FAILED (exit ${status}): diagnostics, also in ${artifacts}/cluster.txt"
    dump_diagnostics "${artifacts}"
    tail -n 20 "${work}"/*-forward.log 2>/dev/null
  fi
  ((${#forward_pids[@]} == 0)) || kill "${forward_pids[@]}" 2>/dev/null
  if [[ "${cluster_created}" == true && "${E2E_KEEP_CLUSTER:-0}" == 1 ]]; then
    log "kept the cluster: export KUBECONFIG=${kubeconfig}; delete it with: kind delete cluster --name ${cluster_name}"
  else
    [[ "${cluster_created}" != true ]] || kind delete cluster --name "${cluster_name}" >/dev/null 2>&1
    rm -rf "${work}"
  fi
  exit "${status}"
}
trap cleanup EXIT

# forward NAMESPACE SERVICE PORTS LOG: a background port-forward, stopped on exit.
forward() {
  kubectl -n "$1" port-forward "service/$2" "$3" >"$4" 2>&1 &
  forward_pids+=("$!")
}

# The local port kubectl chose for a `:REMOTE` forward, from its log.
forwarded_port() {
  sed -n 's/^Forwarding from 127\.0\.0\.1:\([0-9]*\) -> .*/\1/p' "$1" | head -n 1
}

# Both Applications Synced and Healthy; prints their state whenever it changes.
last_states=""
applications_ready() {
  local name state states=""
  for name in main-api auxiliary-service; do
    state="$(kubectl -n argocd get applications.argoproj.io "${name}" \
      -o jsonpath='{.status.sync.status}/{.status.health.status}' 2>/dev/null || true)"
    states+="${name}: ${state:-not created yet}  "
  done
  [[ "${states}" == "${last_states}" ]] || printf '  %s(%s s)\n' "${states}" "${SECONDS}"
  last_states="${states}"
  [[ "${states}" == "main-api: Synced/Healthy  auxiliary-service: Synced/Healthy  " ]]
}

main() {
  require_commands docker kind kubectl terraform git curl tar sed
  export KUBECONFIG="${kubeconfig}"
  export TF_IN_AUTOMATION=1
  # Only what this script passes reaches Terraform: no workspace override, no personal
  # TF_VAR_ (a bucket prefix, a profile) from the calling shell.
  unset TF_WORKSPACE
  local variable
  for variable in $(compgen -e | grep '^TF_VAR_' || true); do unset "${variable}"; done

  log "proving ${revision} from ${repository}"
  if kind get clusters 2>/dev/null | grep -qx "${cluster_name}"; then
    die "a kind cluster named ${cluster_name} exists already: delete it or set E2E_CLUSTER_NAME"
  fi

  log "source tree of ${revision} (git archive)"
  local tree="${work}/source"
  mkdir -p "${tree}"
  git -C "${REPO_ROOT}" archive --format=tar "${revision}" | tar -x -C "${tree}"

  log "kind cluster ${cluster_name}"
  cluster_created=true
  kind create cluster --name "${cluster_name}" --config "${tree}/test/e2e-cluster/kind.yaml" \
    --kubeconfig "${kubeconfig}" --wait 180s

  log "images with VERSION=${revision}, loaded into kind"
  local entry dir deploy reference
  for entry in "${IMAGES[@]}"; do
    dir="${entry%%:*}"
    deploy="${entry##*:}"
    reference="$(kustomization_image "${tree}/deploy/${deploy}/kustomization.yaml")"
    # One plain image, no attestation manifests: kind load copies it into the node as is.
    docker build --quiet --provenance=false --file "${tree}/services/${dir}/Dockerfile" \
      --build-arg "VERSION=${revision}" --tag "${reference}" "${tree}"
    kind load docker-image "${reference}" --name "${cluster_name}"
  done

  log "metrics-server"
  kubectl apply -f "${METRICS_SERVER_MANIFEST}"
  kubectl -n kube-system patch deployment metrics-server --type=json \
    -p '[{"op":"add","path":"/spec/template/spec/containers/0/args/-","value":"--kubelet-insecure-tls"}]'

  log "AWS emulator"
  kubectl apply -k "${tree}/test/e2e-cluster/emulator"
  kubectl -n aws-emulator rollout status deployment/moto --timeout=300s
  forward aws-emulator moto :5000 "${work}/emulator-forward.log"
  wait_until 60 "the emulator port-forward" grep -q '^Forwarding from 127.0.0.1:' "${work}/emulator-forward.log"
  local emulator
  emulator="http://127.0.0.1:$(forwarded_port "${work}/emulator-forward.log")"
  # Any HTTP answer will do: the emulator is up.
  wait_until 60 "the emulator at ${emulator}" curl --silent --max-time 5 --output /dev/null "${emulator}/moto-api/"

  log "terraform: global (workspace global)"
  local terraform_root="${tree}/infra/terraform"
  write_emulator_override "${terraform_root}/global" "${emulator}"
  write_tfvars "${work}/global.tfvars" "${kubeconfig}" "${context}"
  terraform_apply "${terraform_root}/global" global "${work}/global.tfvars"

  log "terraform: environment (workspace test), Applications at ${revision}"
  point_applications "${tree}/infra/argocd" "${repository}" "${revision}"
  write_emulator_override "${terraform_root}/environment" "${emulator}"
  write_tfvars "${work}/environment.tfvars" "${kubeconfig}" "${context}" \
    "${EMULATOR_IN_CLUSTER_URL}" "${E2E_GIT_TOKEN:-}"
  terraform_apply "${terraform_root}/environment" test "${work}/environment.tfvars"
  kubectl apply -k "${tree}/test/e2e-cluster/auxiliary-egress"

  log "waiting up to ${wait_seconds} s for both Applications to be Synced and Healthy"
  wait_until "${wait_seconds}" "Synced/Healthy Applications" applications_ready

  log "kubectl port-forward -n main-api service/main-api 8080:80"
  forward main-api main-api 8080:80 "${work}/main-api-forward.log"
  wait_until 60 "main-api on localhost:8080" curl --silent --fail --max-time 5 --output /dev/null http://localhost:8080/healthz

  log "the specification's requests"
  check_api http://localhost:8080 "${revision}"

  log "NetworkPolicies"
  check_network_policies

  log "autoscaling"
  check_autoscaling "$((wait_seconds < 180 ? wait_seconds : 180))"

  log "PASSED: ${revision} synced by Argo CD, served through main-api, versions ${revision}"
}

main "$@"
