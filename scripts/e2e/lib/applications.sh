# shellcheck shell=bash
# Points the Argo CD Applications at the commit under test, in a copy of infra/argocd/: the
# repository and revision of the run, never `HEAD` of the default branch, and never an edit of
# the files in the repository.

# point_applications DIR REPOSITORY REVISION: rewrites spec.source.repoURL and targetRevision
# of every DIR/*.yaml. Fails unless each file has exactly one of each (the files' layout is
# checked offline by test/e2e-cluster/offline.test.ts).
point_applications() {
  local dir="$1" repository="$2" revision="$3" file
  [[ "${revision}" =~ ^[0-9a-f]{40}$ ]] || die "revision must be a full commit SHA, got '${revision}'"
  [[ "${repository}" =~ ^https://[A-Za-z0-9._~:/@%+-]+$ ]] || die "repository must be an https:// URL, got '${repository}'"
  for file in "${dir}"/*.yaml; do
    [[ "$(grep -c '^    repoURL: ' "${file}")" == 1 && "$(grep -c '^    targetRevision: ' "${file}")" == 1 ]] ||
      die "${file}: expected one spec.source.repoURL and one targetRevision"
    sed -i.orig \
      -e "s#^    repoURL: .*#    repoURL: ${repository}#" \
      -e "s#^    targetRevision: .*#    targetRevision: ${revision}#" \
      "${file}"
    rm -f "${file}.orig"
  done
}

# repository_url REMOTE_URL: the https:// form Argo CD reads anonymously or with a token
# (git@github.com:owner/name.git -> https://github.com/owner/name.git).
repository_url() {
  local url="$1" rest
  case "${url}" in
    git@*:*)
      rest="${url#git@}"
      url="https://${rest/://}"
      ;;
    ssh://git@*) url="https://${url#ssh://git@}" ;;
  esac
  [[ "${url}" == *.git ]] || url="${url}.git"
  printf '%s\n' "${url}"
}
