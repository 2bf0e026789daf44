# shellcheck shell=bash
# What a failed run prints (and keeps under DIR for the workflow's artifact): the state of the
# cluster, the Applications, the workloads and their logs. Every command may fail on a
# half-built cluster; none of them may stop the dump.

# dump_diagnostics DIR
dump_diagnostics() {
  local dir="$1" namespace
  mkdir -p "${dir}"
  {
    section 'nodes' kubectl get nodes -o wide
    section 'pods' kubectl get pods -A -o wide
    section 'Argo CD Applications' kubectl -n argocd get applications.argoproj.io -o yaml
    for namespace in main-api auxiliary-service aws-emulator; do
      section "${namespace}: objects" kubectl -n "${namespace}" get all,hpa,pdb,networkpolicy,configmap -o wide
      section "${namespace}: deployments" kubectl -n "${namespace}" describe deployments
      section "${namespace}: pods" kubectl -n "${namespace}" describe pods
      section "${namespace}: logs" kubectl -n "${namespace}" logs --all-containers --prefix --tail=200 -l app.kubernetes.io/name
    done
    section 'metrics' kubectl top pods -A
    section 'Argo CD controller logs' kubectl -n argocd logs --tail=200 -l app.kubernetes.io/name=argocd-application-controller
    section 'Argo CD repo-server logs' kubectl -n argocd logs --tail=200 -l app.kubernetes.io/name=argocd-repo-server
    section 'events' kubectl get events -A --sort-by=.lastTimestamp
  } 2>&1 | tee "${dir}/cluster.txt"
}

# section TITLE COMMAND...: one titled block; a failing command is reported, not fatal.
section() {
  local title="$1"
  shift
  printf '\n----- %s: %s\n' "${title}" "$*"
  "$@" || printf '(failed: %s)\n' "$*"
}
