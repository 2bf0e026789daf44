# shellcheck shell=bash
# What the run must prove once both Applications are Synced and Healthy: the specification's
# three curls through `kubectl port-forward -n main-api service/main-api 8080:80`, a 403 and a
# 404, each answer carrying the built commit as both versions; and NetworkPolicies in force.

# expected_body NAME VERSION: the specification's section 8.4 answer, with VERSION as both
# version fields (test/e2e-cluster/offline.test.ts compares these with the specification).
expected_body() {
  local name="$1" version="$2"
  case "${name}" in
    parameter)
      printf '{"auxiliary_version":"%s","main_version":"%s","name":"/test/apps/config/env_name","value":"test"}' "${version}" "${version}"
      ;;
    buckets)
      printf '{"auxiliary_version":"%s","buckets":["test-apps-main","test-apps-secondary"],"main_version":"%s"}' "${version}" "${version}"
      ;;
    parameters)
      printf '{"auxiliary_version":"%s","main_version":"%s","parameters":["/test/apps/config/env_name","/test/apps/config/hotel","/test/apps/config/locale","/test/service_user/access_key_id","/test/service_user/secret_access_key"]}' "${version}" "${version}"
      ;;
    *) die "no expected body named ${name}" ;;
  esac
}

# fetch URL BODY_FILE: prints the HTTP status; the body goes to BODY_FILE.
fetch() {
  curl --silent --show-error --max-time 15 --output "$2" --write-out '%{http_code}' "$1"
}

# expect_exact BASE PATH NAME VERSION: 200 and exactly the specification's body.
expect_exact() {
  local base="$1" path="$2" name="$3" version="$4" body status expected
  body="$(mktemp)"
  status="$(fetch "${base}${path}" "${body}")"
  expected="$(expected_body "${name}" "${version}")"
  printf 'GET %s -> %s %s\n' "${path}" "${status}" "$(cat "${body}")"
  [[ "${status}" == 200 ]] || die "GET ${path}: expected 200, got ${status}"
  [[ "$(cat "${body}")" == "${expected}" ]] || die "GET ${path}: expected ${expected}"
  rm -f "${body}"
}

# expect_problem BASE PATH STATUS VERSION: an application/problem+json error with that status,
# still carrying both versions.
expect_problem() {
  local base="$1" path="$2" expected_status="$3" version="$4" body status
  body="$(mktemp)"
  status="$(fetch "${base}${path}" "${body}")"
  printf 'GET %s -> %s %s\n' "${path}" "${status}" "$(cat "${body}")"
  [[ "${status}" == "${expected_status}" ]] || die "GET ${path}: expected ${expected_status}, got ${status}"
  grep -qF "\"status\":${expected_status}" "${body}" || die "GET ${path}: no \"status\":${expected_status} in the problem"
  grep -qF "\"auxiliary_version\":\"${version}\"" "${body}" || die "GET ${path}: auxiliary_version is not ${version}"
  grep -qF "\"main_version\":\"${version}\"" "${body}" || die "GET ${path}: main_version is not ${version}"
  rm -f "${body}"
}

# check_api BASE VERSION
check_api() {
  local base="$1" version="$2"
  expect_exact "${base}" '/parameter?name=/test/apps/config/env_name' parameter "${version}"
  expect_exact "${base}" '/buckets' buckets "${version}"
  expect_exact "${base}" '/parameters' parameters "${version}"
  # The service user's own key: never readable through the API.
  expect_problem "${base}" '/parameter?name=/test/service_user/secret_access_key' 403 "${version}"
  expect_problem "${base}" '/parameter?name=/test/apps/config/missing' 404 "${version}"
}

# probe_from_main_api URL: exit 0 if a main-api pod can fetch URL, 42 if the connection fails
# (refused, or no answer in 5 s); any other status is kubectl's own failure. The image has
# node and no shell.
probe_from_main_api() {
  kubectl -n main-api exec deploy/main-api -c main-api -- node -e \
    'fetch(process.argv[1], { signal: AbortSignal.timeout(5000) }).then(() => process.exit(0), () => process.exit(42))' \
    "$1"
}

# check_network_policies: the default-deny policies are applied and enforced. From a main-api
# pod, auxiliary-service answers (the control: exec works and the policies allow it) and the
# emulator, which only auxiliary-service's e2e rule admits, does not.
check_network_policies() {
  local namespace status
  for namespace in main-api auxiliary-service; do
    kubectl -n "${namespace}" get networkpolicy default-deny-all >/dev/null ||
      die "NetworkPolicy default-deny-all is missing in ${namespace}"
  done
  if probe_from_main_api 'http://auxiliary-service.auxiliary-service.svc.cluster.local/healthz'; then status=0; else status=$?; fi
  [[ "${status}" == 0 ]] || die "main-api could not reach auxiliary-service from inside the cluster (status ${status})"
  if probe_from_main_api "${EMULATOR_IN_CLUSTER_URL}/"; then status=0; else status=$?; fi
  [[ "${status}" != 0 ]] || die "main-api reached the emulator: NetworkPolicies are not enforced in this cluster"
  [[ "${status}" == 42 ]] || die "probing the emulator from main-api failed in kubectl (status ${status})"
  printf 'main-api -> auxiliary-service allowed, main-api -> emulator blocked, as the policies say\n'
}

# two_available NAMESPACE DEPLOYMENT: at least the HPA's minimum (2) pods are available.
two_available() {
  local available
  available="$(kubectl -n "$1" get deployment "$2" -o jsonpath='{.status.availableReplicas}' 2>/dev/null || true)"
  ((${available:-0} >= 2))
}

# check_autoscaling SECONDS: the HPAs, not the manifests, set the pod count, and they keep two
# (given SECONDS to get there).
check_autoscaling() {
  local seconds="$1" name
  for name in main-api auxiliary-service; do
    kubectl -n "${name}" get hpa "${name}" >/dev/null || die "HorizontalPodAutoscaler ${name} is missing"
    wait_until "${seconds}" "2 available ${name} pods (HPA minReplicas)" two_available "${name}" "${name}"
  done
  printf 'both HPAs in place, 2 pods available each\n'
}
